"""Consecutive runs of hours for a rebuild done a slice at a time (the request rollup and the
coarse rollups), so the writer's small memory pool holds each step whatever the database's
size."""

from __future__ import annotations

from collections.abc import Iterable


def hour_slices(counted: Iterable[tuple[object, int]], limit: int) -> list[list[object]]:
    """The hours of `counted` ((hour, rows in it), in order), in consecutive runs that each
    reach about `limit` rows: a run closes at the first hour that takes it to `limit` or past."""
    out: list[list[object]] = []
    size = limit
    for hour, count in counted:
        if size >= limit:
            out.append([])
            size = 0
        out[-1].append(hour)
        size += count
    return out
