"""The Overview's and the Data page's numbers from the coarse rollups (queries/coarse_rollup.py).

Each function gives what its namesake in `queries.dashboard` gives, from tables whose size does
not follow the number of requests, and falls back to that namesake when the rollup is not usable
(`rollup.usable`: being refreshed by an ingest, or a time zone with a part-hour offset).
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import polars as pl

from switchcost.queries import dashboard as qdash
from switchcost.queries import rollup, run_rate
from switchcost.queries.filters import Filters
from switchcost.queries.run_sql import run


def overview(
    conn: duckdb.DuckDBPyConnection, filters: Filters | None = None, top: int = 10
) -> qdash.Overview:
    """`dashboard.overview`, with `top` sessions in `by_session` (the costliest)."""
    f = filters or Filters()
    if not rollup.usable(conn, f.tz):
        whole = qdash.overview(conn, f)
        return qdash.Overview(
            whole.kpis,
            whole.by_day_model,
            whole.by_workload,
            whole.by_model,
            whole.by_session.head(top),
            whole.by_project,
        )
    frame = run(conn, "dash_overview_hours", **f.params())
    sessions = run(conn, "dash_top_sessions", limit=top, **f.params())
    sessions = sessions.select(pl.col("grp").alias("session"), *qdash.USAGE_COLUMNS)
    return _split(frame, f, sessions)


def _split(frame: pl.DataFrame, filters: Filters, sessions: pl.DataFrame) -> qdash.Overview:
    """dash_overview_hours' rows as `dashboard.overview` shapes dash_overview's."""
    total = frame.filter(pl.col("dim") == "total")
    if total.height:
        row = total.row(0, named=True)
    else:
        zero = {c: 0 for c in (*qdash.USAGE_COLUMNS, "cache_savings_usd")}
        row = {**zero, "first_day": None, "last_day": None}
    span = run_rate.window(filters, row["first_day"], row["last_day"])
    cost = Decimal(row["cost_usd"])
    kpis = qdash.Kpis(
        requests=int(row["requests"]),
        unpriced_requests=int(row["unpriced_requests"]),
        cost_usd=cost,
        tokens={t: int(row[t]) for t in qdash.TOKEN_TYPES},
        cache_savings_usd=Decimal(row["cache_savings_usd"]),
        first_day=row["first_day"],
        last_day=row["last_day"],
        days=span.days,
        monthly_run_rate_usd=span.monthly(cost) or Decimal(0),
    )

    def by(dim: str) -> pl.DataFrame:
        return (
            frame.filter(pl.col("dim") == dim)
            .select(pl.col("grp").alias(dim), *qdash.USAGE_COLUMNS)
            .sort(["cost_usd", dim], descending=[True, False])
        )

    by_day_model = (
        frame.filter(pl.col("dim") == "day_model")
        .select("day", "model", "requests", "cost_usd", "unpriced_requests")
        .sort("day", "model")
    )
    return qdash.Overview(kpis, by_day_model, by("workload"), by("model"), sessions, by("project"))


def data_tables(
    conn: duckdb.DuckDBPyConnection,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The Data page's tables that count requests: `dashboard.sources`, `dashboard.source_files`
    and `dashboard.unpriced`, with one check of the rollup for the three."""
    if not rollup.usable(conn, "UTC"):
        return qdash.sources(conn), qdash.source_files(conn), qdash.unpriced(conn)
    return (
        run(conn, "dash_sources_rollup"),
        run(conn, "dash_source_files_rollup"),
        run(conn, "dash_unpriced_hours"),
    )
