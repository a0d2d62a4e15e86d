"""95% intervals for measured figures: Wilson for pass rates, a seeded percentile bootstrap for
ratios of sums and anything computed from resampled requests.

Wilson (score) interval, z = 1.96: centre = (p + z²/2n) / (1 + z²/n), half-width =
z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²).  Better than p ± z·sqrt(p(1 − p)/n) for small n and
rates near 0 or 1 (it never leaves [0, 1]).

Bootstrap: draw n of the n sampled requests with replacement (a `random.Random(seed)`), compute
the statistic, `resamples` times (at least 1,000); the interval is the 2.5th and 97.5th
percentiles of those values by rank (sorted values at indices floor(0.025·B) and
ceil(0.975·B) − 1: for B = 1,000 the 26th and 975th), so a bound is always one resample's value.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import TypeVar

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
MIN_RESAMPLES = 1000
DEFAULT_SEED = 0

T = TypeVar("T")
S = TypeVar("S")


def wilson(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for `passed` of `n` (both bounds in [0, 1])."""
    if n <= 0:
        raise ValueError("a pass rate needs at least one sample")
    if not 0 <= passed <= n:
        raise ValueError(f"passed must be between 0 and n, got {passed} of {n}")
    p = passed / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def resample_indices(n: int, resamples: int, seed: int) -> list[list[int]]:
    """`resamples` lists of n indices drawn with replacement, the same for the same seed."""
    if n <= 0:
        raise ValueError("a bootstrap needs at least one sample")
    rng = random.Random(seed)
    return [[rng.randrange(n) for _ in range(n)] for _ in range(resamples)]


def percentile_bounds(values: Sequence[S], level: float = 0.95) -> tuple[S, S]:
    """The two-sided percentile interval by rank over `values` (any orderable type)."""
    ordered = sorted(values)  # type: ignore[type-var]
    b = len(ordered)
    tail = (1 - level) / 2
    lo = math.floor(tail * b + 1e-9)
    hi = max(lo, math.ceil((1 - tail) * b - 1e-9) - 1)
    return ordered[lo], ordered[hi]


def bootstrap(
    samples: Sequence[T],
    statistic: Callable[[list[T]], S | None],
    *,
    resamples: int = MIN_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[S, S]:
    """Percentile bootstrap interval of `statistic` over `samples` (seeded, ≥ 1,000 resamples).
    A resample whose statistic is undefined (the function returns None) is skipped."""
    if resamples < MIN_RESAMPLES:
        raise ValueError(f"use at least {MIN_RESAMPLES} resamples, got {resamples}")
    values = []
    for idx in resample_indices(len(samples), resamples, seed):
        value = statistic([samples[i] for i in idx])
        if value is not None:
            values.append(value)
    if not values:
        raise ValueError("the statistic is undefined on every resample")
    return percentile_bounds(values)


def ratio_of_sums(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Σ numerator / Σ denominator (None when the denominator sums to 0): long answers weigh
    as much as they cost, unlike a mean of per-request ratios."""
    den = sum(d for _, d in pairs)
    return sum(n for n, _ in pairs) / den if den else None


def ratio_interval(
    pairs: Sequence[tuple[float, float]],
    *,
    resamples: int = MIN_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Bootstrap interval for the ratio of sums of (numerator, denominator) pairs."""
    return bootstrap(pairs, ratio_of_sums, resamples=resamples, seed=seed)
