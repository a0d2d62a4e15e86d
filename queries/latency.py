"""Observed latency, and the latency a request would have had on another model.

Latency is a measurement, not money, so it is handled as floats.  Projection keeps the request's
own time to first token (prompt processing is what it is) and rescales only the generation phase:
with the target's measured output speed from the user's logs when it has enough samples, else
with the relative speeds in projection_defaults.toml applied to the request's own measured speed
(the per-request arithmetic is in queries/sql/project_latency.sql; `target_speeds` picks which).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb
import polars as pl

from queries.loader import run
from queries.reports import Filters
from queries.task_class import Defaults

LatencyBy = Literal["model", "workload"]


def latency_by(
    conn: duckdb.DuckDBPyConnection, filters: Filters | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(by model, by workload): p50/p95/p99 of latency_ms, ttft_ms and output tokens/s, with
    sample counts, from one query (grouping sets) over the timed requests."""
    frame = run(conn, "latency_stats", **(filters or Filters()).params())
    model, workload = (
        frame.filter(pl.col("dim") == dim).drop("dim").rename({"grp": dim})
        for dim in ("model", "workload")
    )
    return model, workload


def latency_stats(
    conn: duckdb.DuckDBPyConnection, by: LatencyBy, filters: Filters | None = None
) -> pl.DataFrame:
    """One half of `latency_by`: per model or per workload."""
    if by not in ("model", "workload"):
        raise ValueError(f"latency by {by!r}: choose model or workload")
    model, workload = latency_by(conn, filters)
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
) -> dict[str, TargetSpeed]:
    """Per target: its logged median speed if it has enough samples, else the default's."""
    base = filters or Filters()
    # The target's own speed comes from all of its timed traffic in the window, whatever the
    # workload filter: it describes the model, not the workload (so only the targets are read).
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
