"""The seeded, stratified sample of captured requests per workload.

Sampling frame: the requests in the usage database that have a captured body and a completed
response (within `--since/--until` when given).  Strata: prompt-size bands (input + cache
tokens) under 1k, 1k–10k, 10k–100k, 100k and over, so rare large prompts are represented.
Allocation: each non-empty band gets one sample first (while the quota lasts), the rest go to
bands in proportion to their size (largest remainders, ties to the smaller band); inside a band
the draw is `random.Random(f"{seed}:{workload}:{band}").sample` over the keys in sorted order,
so the same seed always draws the same requests.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from switchcost.queries.measured.store import Frame

BANDS = ((1_000, "<1k"), (10_000, "1k-10k"), (100_000, "10k-100k"), (None, ">=100k"))


def band(input_tokens: int) -> str:
    for limit, name in BANDS:
        if limit is None or input_tokens < limit:
            return name
    raise AssertionError("unreachable")


def allocate(sizes: dict[str, int], quota: int) -> dict[str, int]:
    """How many to draw from each band: one each first, then proportional (largest
    remainders)."""
    total = sum(sizes.values())
    if quota >= total:
        return dict(sizes)
    out = dict.fromkeys(sizes, 0)
    order = sorted(sizes, key=lambda b: (sizes[b], b))
    left = quota
    for b in order:
        if left and sizes[b]:
            out[b] = 1
            left -= 1
    rest = {b: sizes[b] - out[b] for b in sizes}
    pool = sum(rest.values())
    if left and pool:
        shares = {b: left * rest[b] / pool for b in sizes}
        for b in sizes:
            out[b] += int(shares[b])
        short = quota - sum(out.values())
        by_remainder = sorted(sizes, key=lambda b: (-(shares[b] - int(shares[b])), sizes[b], b))
        for b in by_remainder:
            if short <= 0:
                break
            if out[b] < sizes[b]:
                out[b] += 1
                short -= 1
    return out


def draw(frames: Sequence[Frame], per_workload: int, seed: int) -> list[tuple[Frame, str]]:
    """(request, band) for the sample: up to `per_workload` requests of each workload."""
    groups: dict[str, dict[str, list[Frame]]] = defaultdict(lambda: defaultdict(list))
    for f in frames:
        groups[f.workload][band(f.input_tokens)].append(f)
    out: list[tuple[Frame, str]] = []
    for workload in sorted(groups):
        bands = groups[workload]
        quota = allocate({b: len(v) for b, v in bands.items()}, per_workload)
        for b in sorted(bands):
            pool = sorted(bands[b], key=lambda f: f.request_key)
            rng = random.Random(f"{seed}:{workload}:{b}")
            out.extend((f, b) for f in rng.sample(pool, quota[b]))
    return out
