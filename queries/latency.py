"""Observed latency, and the latency a request would have had on another model.

Latency is a measurement, not money, so it is handled as floats.  Projection keeps the request's
own time to first token (prompt processing is what it is) and rescales only the generation phase:
with the target's measured output speed from the user's logs when it has enough samples, else
with the relative speeds in projection_defaults.toml applied to the request's own measured speed
(the per-request arithmetic is in queries/sql/project_latency.sql; `target_speeds` picks which).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import polars as pl

from queries import rollup, sketch
from queries.loader import run
from queries.reports import Filters
from queries.task_class import Defaults

LatencyBy = Literal["model", "workload"]


EPOCH = dt.date(1970, 1, 1)
#: The window's unbounded ends, in days from 1970-01-01: one top-level block each side.
FAR = 8 ** (rollup.BLOCK_LEVELS - 1)


def blocks(first: int, stop: int) -> list[tuple[int, int]]:
    """(level, first day) of the latency_blocks that tile days [first, stop) (days since
    1970-01-01, UTC): the largest aligned block that fits, left to right, so at most seven
    blocks per level and side."""
    out = []
    day = first
    while day < stop:
        level = rollup.BLOCK_LEVELS
        while level > 1 and (day % 8 ** (level - 1) or day + 8 ** (level - 1) > stop):
            level -= 1
        out.append((level, day))
        day += 8 ** (level - 1)
    return out


def window(filters: Filters) -> dict[str, Any]:
    """The histogram rows a window of local days needs (latency_sketch.sql's parameters): UTC
    days that lie inside it whatever the time zone (offsets are under a day) as blocks, and
    the two UTC days either side of each bounded end as edge days, checked hour by hour."""
    since = None if filters.since is None else (filters.since - EPOCH).days
    until = None if filters.until is None else (filters.until - EPOCH).days
    first = -FAR if since is None else since + 1
    stop = FAR if until is None else until
    edges = sorted(
        {
            *(() if since is None else (since - 1, since)),
            *(() if until is None else (until, until + 1)),
        }
    )
    tiles = blocks(first, stop)

    def ts(day: int) -> dt.datetime:
        return dt.datetime.combine(EPOCH, dt.time(), dt.UTC) + dt.timedelta(days=day)

    return {
        "levels": [level for level, _ in tiles],
        "starts": [ts(day) for _, day in tiles],
        "edge_days": [ts(day) for day in edges],
    }


@dataclass(frozen=True)
class LatencyTables:
    """`latency_by`'s answer and how it was computed: `note` is the caption a page shows under
    approximate percentiles (None when they are exact)."""

    by_model: pl.DataFrame
    by_workload: pl.DataFrame
    approximate: bool

    @property
    def note(self) -> str | None:
        return sketch.CAPTION if self.approximate else None


def latency_tables(
    conn: duckdb.DuckDBPyConnection, filters: Filters | None = None, *, exact: bool = False
) -> LatencyTables:
    """p50/p95/p99 of latency_ms, ttft_ms and output tokens/s by model and by workload, with
    sample counts: from the histograms (within 1%) when they cover the window's time zone and
    `exact` is not asked, else from every timed request."""
    f = filters or Filters()
    approximate = not exact and rollup.status(conn, f.tz)[1]
    if approximate:
        frame = run(conn, "latency_sketch", **f.params(), **window(f))
    else:
        frame = run(conn, "latency_stats", **f.params())
    model, workload = (
        frame.filter(pl.col("dim") == dim).drop("dim").rename({"grp": dim})
        for dim in ("model", "workload")
    )
    return LatencyTables(model, workload, approximate)


def latency_by(
    conn: duckdb.DuckDBPyConnection, filters: Filters | None = None, *, exact: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(by model, by workload) of `latency_tables`."""
    found = latency_tables(conn, filters, exact=exact)
    return found.by_model, found.by_workload


def latency_stats(
    conn: duckdb.DuckDBPyConnection,
    by: LatencyBy,
    filters: Filters | None = None,
    *,
    exact: bool = False,
) -> pl.DataFrame:
    """One half of `latency_by`: per model or per workload."""
    if by not in ("model", "workload"):
        raise ValueError(f"latency by {by!r}: choose model or workload")
    model, workload = latency_by(conn, filters, exact=exact)
    return model if by == "model" else workload


@dataclass(frozen=True)
class TargetSpeed:
    """How a target's generation speed is known: measured in the logs, or a relative default."""

    target: str
    source: Literal["logs", "default", "none"]
    tokens_per_s: float | None  # logs: the target's median output speed
    samples: int
    detail: str


def target_speeds(
    conn: duckdb.DuckDBPyConnection,
    targets: tuple[str, ...],
    defaults: Defaults,
    filters: Filters | None = None,
    *,
    exact: bool = False,
) -> dict[str, TargetSpeed]:
    """Per target: its logged median speed if it has enough samples, else the default's (the
    median from the histograms, within 1%, unless `exact` or they do not cover the window)."""
    base = filters or Filters()
    # The target's own speed comes from all of its timed traffic in the window, whatever the
    # workload filter: it describes the model, not the workload (so only the targets are read).
    window_only = Filters(since=base.since, until=base.until, tz=base.tz, sources=base.sources)
    if not exact and rollup.status(conn, base.tz)[1]:
        stats = (
            run(
                conn,
                "latency_sketch",
                **{**window_only.params(), "models": list(targets)},
                **window(window_only),
            )
            .filter(pl.col("dim") == "model")
            .rename({"grp": "model"})
        )
    else:
        stats = run(
            conn,
            "target_speed",
            tz=base.tz,
            since=base.since,
            until=base.until,
            sources=base.sources,
            targets=list(targets),
        )
    by_model = {r["model"]: r for r in stats.iter_rows(named=True)}
    out: dict[str, TargetSpeed] = {}
    for target in targets:
        row = by_model.get(target)
        samples = int(row["speed_samples"]) if row else 0
        if row and samples >= defaults.min_latency_samples:
            speed = float(row["tokens_per_s_p50"])
            out[target] = TargetSpeed(
                target, "logs", speed, samples, f"median {speed:.1f} output tokens/s, n={samples}"
            )
        elif target in defaults.speeds:
            spd = defaults.speeds[target]
            out[target] = TargetSpeed(
                target,
                "default",
                None,
                samples,
                f"relative speed {spd.relative} ({spd.source}); {samples} timed requests in logs",
            )
        else:
            out[target] = TargetSpeed(
                target, "none", None, samples, f"no default speed and {samples} timed requests"
            )
    return out
