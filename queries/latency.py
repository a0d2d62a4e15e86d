"""Observed latency, and the latency a request would have had on another model.

Latency is a measurement, not money, so it is handled as floats.  Projection keeps the request's
own time to first token (prompt processing is what it is) and rescales only the generation phase:
with the target's measured output speed from the user's logs when it has enough samples, else
with the relative speeds in projection_defaults.toml applied to the request's own measured speed.
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


def latency_stats(
    conn: duckdb.DuckDBPyConnection, by: LatencyBy, filters: Filters | None = None
) -> pl.DataFrame:
    """p50/p95/p99 of latency_ms, ttft_ms and output tokens/s per model or workload, with counts."""
    if by not in ("model", "workload"):
        raise ValueError(f"latency by {by!r}: choose model or workload")
    frame = run(conn, "latency_stats", by=by, **(filters or Filters()).params())
    return frame.rename({"grp": by})


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
    # workload filter: it describes the model, not the workload.
    stats = latency_stats(
        conn, "model", Filters(since=base.since, until=base.until, tz=base.tz, sources=base.sources)
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


def projected_latency(
    speed: TargetSpeed, defaults: Defaults, ratio_col: str = "output_ratio"
) -> pl.Expr:
    """Expression: the request's latency in ms on the target (current latency if not moved).

    The frame must carry moved, latency_ms, ttft_ms, output_tokens, target_output_tokens, model_id
    and `ratio_col` (the workload's output ratio as a float).
    """
    lat, ttft = pl.col("latency_ms"), pl.col("ttft_ms")
    out_t = pl.col("target_output_tokens").cast(pl.Float64) * pl.col(ratio_col)
    timed = lat.is_not_null() & ttft.is_not_null() & (lat >= ttft)
    moved_ms: pl.Expr
    if speed.source == "logs" and speed.tokens_per_s:
        moved_ms = pl.when(timed).then(ttft + out_t / speed.tokens_per_s * 1000.0)
    elif speed.source == "default":
        rel = {m: float(s.relative) for m, s in defaults.speeds.items()}
        target_rel = rel[speed.target]
        src_rel = pl.col("model_id").replace_strict(rel, default=None, return_dtype=pl.Float64)
        out_s = pl.col("output_tokens").cast(pl.Float64)
        gen = (lat - ttft) * (out_t / out_s) * (src_rel / target_rel)
        moved_ms = (
            pl.when(timed & (out_s == 0))
            .then(ttft)
            .when(timed & src_rel.is_not_null())
            .then(ttft + gen)
        )
    else:
        moved_ms = pl.lit(None, dtype=pl.Float64)
    return pl.when(pl.col("moved")).then(moved_ms).otherwise(lat)
