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

from switchcost.queries import rollup, sketch
from switchcost.queries.filters import Filters
from switchcost.queries.run_sql import rows, run
from switchcost.queries.task_class import Defaults

LatencyBy = Literal["model", "workload"]


EPOCH = dt.date(1970, 1, 1)
#: Days per block of the top level: an open end of a window is every top-level block past
#: the last (or before the first) aligned day of the bounded part.
TOP = 8 ** (rollup.BLOCK_LEVELS - 1)


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


def _day(day: int) -> dt.datetime:
    return dt.datetime.combine(EPOCH, dt.time(), dt.UTC) + dt.timedelta(days=day)


def window(conn: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """latency_sketch.sql's parameters for a window of local days: the UTC days that lie inside
    it whatever the zone (offsets are under a day) as blocks; of the two UTC days either side of
    each bounded end, a day wholly inside as its day block, else its hours that are inside."""
    since = None if filters.since is None else (filters.since - EPOCH).days
    until = None if filters.until is None else (filters.until - EPOCH).days
    first = None if since is None else since + 1
    top_lo = top_hi = None  # days: top-level blocks from / before (None: open)
    if first is None and until is None:
        tiles: list[tuple[int, int]] = []
    elif first is None:
        assert until is not None
        top_hi = until // TOP * TOP
        tiles = blocks(top_hi, until)
    elif until is None:
        top_lo = -(-first // TOP) * TOP
        tiles = blocks(first, top_lo)
    else:
        tiles = blocks(first, until)
    edges = sorted(
        {
            *(() if since is None else (since - 1, since)),
            *(() if until is None else (until, until + 1)),
        }
    )
    hours: list[dt.datetime] = []
    if edges:
        found = rows(
            conn,
            "latency_edges",
            tz=filters.tz,
            since=filters.since,
            until=filters.until,
            days=[_day(d) for d in edges],
        )
        for d in edges:
            mine = [(hour, kept) for day, hour, kept in found if day == _day(d)]
            if all(kept for _, kept in mine):
                tiles.append((1, d))
            else:
                hours.extend(hour for hour, kept in mine if kept)
    low = min(hours, default=_day(0))
    return {
        "top": since is None or until is None,
        "top_lo": top_lo,
        "top_hi": top_hi,
        "levels": [level for level, _ in tiles],
        "starts": [_day(day) for _, day in tiles],
        "hours": hours,
        "edge_lo": low,
        "edge_hi": max(hours, default=low) + dt.timedelta(hours=1),
        "workloads": filters.params()["workloads"],
        "models": filters.params()["models"],
        "sources": filters.params()["sources"],
        "subagent": filters.subagent,
    }


_STATS_SCHEMA: dict[str, Any] = {
    "dim": pl.String,
    "grp": pl.String,
    "requests": pl.Int64,
    "latency_samples": pl.Int64,
    "latency_p50_ms": pl.Float64,
    "latency_p95_ms": pl.Float64,
    "latency_p99_ms": pl.Float64,
    "ttft_samples": pl.Int64,
    "ttft_p50_ms": pl.Float64,
    "ttft_p95_ms": pl.Float64,
    "ttft_p99_ms": pl.Float64,
    "speed_samples": pl.Int64,
    "tokens_per_s_p50": pl.Float64,
    "tokens_per_s_p95": pl.Float64,
    "tokens_per_s_p99": pl.Float64,
}
_PS = (0.50, 0.95, 0.99)


def sketch_stats(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """latency_stats.sql's frame (same columns, groups and counts) from the histograms: each
    percentile within 1% of the exact one."""
    found = run(conn, "latency_sketch", **window(conn, filters))
    acc: dict[tuple[str, str, int], dict[int, int]] = {}
    for dim, col in (("model", "model_id"), ("workload", "workload")):
        summed = found.group_by(col, "metric", "bucket").agg(pl.col("n").sum())
        for grp, metric, bucket, n in summed.iter_rows():
            acc.setdefault((dim, grp, metric), {})[bucket] = n
    out = []
    for dim, grp in sorted({(dim, grp) for dim, grp, _ in acc}):
        m = [acc.get((dim, grp, metric), {}) for metric in range(4)]
        samples = [sum(c.values()) for c in m]
        if not samples[sketch.LATENCY] and not samples[sketch.TTFT]:
            continue
        row: list[Any] = [dim, grp, samples[sketch.REQUESTS]]
        for metric in (sketch.LATENCY, sketch.TTFT, sketch.SPEED):
            row += [samples[metric], *sketch.quantiles(m[metric], _PS)]
        out.append(row)
    return pl.DataFrame(out, schema=_STATS_SCHEMA, orient="row")


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
    frame = sketch_stats(conn, f) if approximate else run(conn, "latency_stats", **f.params())
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
    if not exact and rollup.status(conn, base.tz)[1]:
        only = Filters(
            since=base.since,
            until=base.until,
            tz=base.tz,
            sources=base.sources,
            models=tuple(targets),
        )
        stats = sketch_stats(conn, only).filter(pl.col("dim") == "model").rename({"grp": "model"})
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


def projected_percentiles(frame: pl.DataFrame) -> dict[tuple[str | None, str], dict[str, Any]]:
    """project_latency.sql's rows (per (workload, target) and per (None, target)) from
    project_latency_sketch.sql's bucket counts: p50/p95 within 1% of the exact ones."""
    acc: dict[tuple[str | None, str], list[Any]] = {}
    for workload, target, what, bucket, n, moved, estimated in frame.iter_rows():
        if bucket is None:
            continue  # no projection (or no finite value): not a sample
        for key in ((workload, target), (None, target)):
            cur, proj, counts = acc.setdefault(key, [{}, {}, [0, 0]])
            hist = proj if what else cur
            hist[bucket] = hist.get(bucket, 0) + n
            if what:
                counts[0] += moved
                counts[1] += estimated
    out: dict[tuple[str | None, str], dict[str, Any]] = {}
    for (workload, target), (cur, proj, (moved, estimated)) in acc.items():
        c50, c95 = sketch.quantiles(cur, (0.5, 0.95))
        p50, p95 = sketch.quantiles(proj, (0.5, 0.95))
        out[(workload, target)] = {
            "workload": workload,
            "target": target,
            "latency_samples": sum(cur.values()),
            "projected_samples": sum(proj.values()),
            "moved_projected": moved,
            "ttft_estimated": estimated,
            "current_p50_ms": c50,
            "current_p95_ms": c95,
            "projected_p50_ms": p50,
            "projected_p95_ms": p95,
        }
    return out
