"""The Overview's and the Data page's numbers from the coarse rollups (queries/coarse_rollup.py).

Each function gives what its namesake in `queries.dashboard` gives, from tables whose size does
not follow the number of requests, and falls back to that namesake when the rollup is not usable
(`rollup.usable`: being refreshed by an ingest, or a time zone with a part-hour offset).
"""

from __future__ import annotations

import duckdb
import polars as pl

from switchcost.queries import dashboard as qdash
from switchcost.queries import rollup
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
    return qdash.split_overview(frame, f, sessions)


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
