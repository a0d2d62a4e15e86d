"""Log-bucketed latency histograms (DDSketch-style): percentiles within 1% at any scale.

The rollup keeps, per UTC hour x model x source x workload x sub-agent flag, how many requests
fell in each bucket of latency, time to first token and output speed (`latency_hist`, migration
0006, written by queries/rollup.py in the same refresh as `request_groups`).  A positive value x
goes to bucket i = ceil(log_gamma(x)) with gamma = (1 + a) / (1 - a), a = 0.01; the bucket's
representative value 2 gamma^i / (gamma + 1) is within a relative error of a of every value in
the bucket (Masson, Rim and Lee, VLDB 2019).  Zero has its own bucket (representative 0), and a
negative value the mirror of its magnitude's, so bucket order is value order.

Rank rule: numpy's default (linear interpolation, what the exact path's `quantile_cont` does):
the p-quantile of n values is v[k] + f (v[k+1] - v[k]) with k = floor((n-1)p), f = (n-1)p - k,
over the values in order.  Here each value is replaced by its bucket's representative, and
since every representative is within a of its value (and replacing values by nearby values
keeps their order statistics within the same bound), the result is within a of the exact one
for values of one sign (latencies and speeds are not negative; a negative value, which is bad
data, is within a of its magnitude, so an interpolation across zero is within a of the
interpolated magnitudes).
This module is the arithmetic; queries/write/hist_insert.sql and project_latency_sketch.sql
bucket the same way in SQL, and tests/test_sketch.py checks the results against exact ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

#: Relative accuracy of every percentile read from the histograms.
ALPHA = 0.01
GAMMA = (1 + ALPHA) / (1 - ALPHA)
LN_GAMMA = math.log(GAMMA)
#: Bucket codes outside the positive range (|i| < 40,000 for any finite double): zero, and
#: negative values at NEGATIVE - i (so that a larger magnitude sorts lower).
ZERO = -500_000
NEGATIVE = -1_000_000
#: Metric codes in latency_hist.metric; REQUESTS counts every request (timed or not) once.
LATENCY, TTFT, SPEED, REQUESTS = 0, 1, 2, 3

#: What a page says under percentiles read from the histograms.
CAPTION = (
    "Latency percentiles are approximate, within 1% of the exact value: they are read from "
    "log-bucketed histograms (DDSketch-style). Costs are exact. `switchcost project --exact` "
    "computes the percentiles exactly."
)

#: The same, for `project`'s assumptions.
CLI_NOTE = "approximate, within 1% (log buckets); --exact computes them exactly"


def bucket(x: float) -> int | None:
    """The bucket of `x` (None for a value that is not finite)."""
    if not math.isfinite(x):
        return None
    if x == 0:
        return ZERO
    if x < 0:
        return NEGATIVE - math.ceil(math.log(-x) / LN_GAMMA)
    return math.ceil(math.log(x) / LN_GAMMA)


def representative(b: int) -> float:
    """The value a bucket reports: within ALPHA of every value it holds."""
    if b == ZERO:
        return 0.0
    if b <= NEGATIVE // 2:
        return -2 * GAMMA ** (NEGATIVE - b) / (GAMMA + 1)
    return 2 * GAMMA**b / (GAMMA + 1)


def histogram(values: Iterable[float]) -> dict[int, int]:
    """Counts per bucket of the finite values."""
    out: dict[int, int] = {}
    for x in values:
        b = bucket(x)
        if b is not None:
            out[b] = out.get(b, 0) + 1
    return out


def quantiles(counts: dict[int, int], ps: Sequence[float]) -> list[float | None]:
    """The p-quantiles (numpy's linear rule) of the values behind `counts`; None if empty."""
    total = sum(counts.values())
    if total == 0:
        return [None for _ in ps]
    order = sorted(b for b, n in counts.items() if n > 0)

    def at(rank: int) -> float:
        seen = 0
        for b in order:
            seen += counts[b]
            if seen > rank:
                return representative(b)
        return representative(order[-1])

    out: list[float | None] = []
    for p in ps:
        h = (total - 1) * p
        lo = math.floor(h)
        low = at(lo)
        out.append(low + (h - lo) * (at(math.ceil(h)) - low))
    return out
