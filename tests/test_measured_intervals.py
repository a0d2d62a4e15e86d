"""Wilson and bootstrap intervals against hand-computed and textbook values."""

from __future__ import annotations

import math

import pytest

from switchcost.queries.measured.intervals import (
    bootstrap,
    percentile_bounds,
    ratio_interval,
    ratio_of_sums,
    resample_indices,
    wilson,
)


def test_wilson_47_of_50() -> None:
    # Hand-worked with z = 1.96: p = 0.94, z²/n = 3.8416/50 = 0.076832, denom = 1.076832;
    # centre = (0.94 + 0.038416)/1.076832 = 0.908604; half = 1.96/1.076832 ·
    # sqrt(0.0564/50 + 3.8416/10000) = 1.820154 · 0.038886 = 0.070779 → 0.8378 .. 0.9794.
    lo, hi = wilson(47, 50)
    assert lo == pytest.approx(0.8378, abs=2e-4)
    assert hi == pytest.approx(0.9794, abs=2e-4)


def test_wilson_at_the_edges() -> None:
    # 0 of 10: centre = half = (1.92/10)/1.38416 = 0.13877 → (0, 0.2775); 10 of 10 mirrors it.
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=2e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=2e-4)
    # Textbook (Newcombe 1998, table I): 81 of 263 → 0.2553 .. 0.3662.
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=2e-4)


def test_wilson_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least one"):
        wilson(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson(11, 10)


def test_percentile_by_rank() -> None:
    # B = 1000 sorted values 1..1000: the 26th and the 975th.
    assert percentile_bounds(list(range(1000, 0, -1))) == (26, 975)


def test_bootstrap_is_seeded_and_needs_1000() -> None:
    assert resample_indices(5, 3, seed=7) == resample_indices(5, 3, seed=7)
    assert resample_indices(5, 3, seed=7) != resample_indices(5, 3, seed=8)
    with pytest.raises(ValueError, match="at least 1000"):
        bootstrap([1, 2, 3], sum, resamples=999)


def test_bootstrap_of_constant_data_is_the_value() -> None:
    pairs = [(3.0, 2.0)] * 20
    assert ratio_of_sums(pairs) == 1.5
    assert ratio_interval(pairs) == (1.5, 1.5)


def test_bootstrap_mean_matches_normal_theory() -> None:
    # x = 0..9 repeated 20 times (n = 200): mean 4.5, population sd sqrt(8.25) = 2.8723,
    # standard error 2.8723/sqrt(200) = 0.20310, textbook 95% interval 4.5 ± 1.96·0.2031
    # = 4.102 .. 4.898.  The ratio of sums over (x, 1) pairs is the mean.
    pairs = [(float(i % 10), 1.0) for i in range(200)]
    lo, hi = ratio_interval(pairs, resamples=4000, seed=1)
    assert lo == pytest.approx(4.102, abs=0.06)
    assert hi == pytest.approx(4.898, abs=0.06)


def test_bootstrap_ratio_matches_delta_method() -> None:
    # Ratio of sums R = Σy/Σx with y = 2x + noise (±1 alternating), x = 1..100:
    # Σx = 5050, Σy = 10100 → R = 2.  Delta method: se(R) = sqrt(Σ(y - R x)²)/Σx
    # = sqrt(100)/5050 = 0.0019802 → 95% interval 2 ± 0.003881.
    pairs = [(2.0 * x + (1 if x % 2 else -1), float(x)) for x in range(1, 101)]
    assert ratio_of_sums(pairs) == pytest.approx(2.0)
    lo, hi = ratio_interval(pairs, resamples=4000, seed=3)
    half = math.sqrt(100) / 5050 * 1.96
    assert lo == pytest.approx(2 - half, abs=0.0012)
    assert hi == pytest.approx(2 + half, abs=0.0012)
