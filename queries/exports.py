"""The CSV summaries `switchcost export` writes: what a spreadsheet user asks for first."""

from __future__ import annotations

import duckdb
import polars as pl

from switchcost.queries.filters import Filters
from switchcost.queries.reports import usage_by
from switchcost.queries.run_sql import run


def all_exports(conn: duckdb.DuckDBPyConnection, tz: str = "UTC") -> dict[str, pl.DataFrame]:
    """File stem -> frame; money columns stay exact Decimals until written."""
    filters = Filters(tz=tz)
    return {
        "spend_by_day_model": run(conn, "spend_by_day_model", tz=tz),
        "spend_by_workload": usage_by(conn, "workload", filters),
        "spend_by_model": usage_by(conn, "model", filters),
        "requests_priced": run(conn, "requests_priced", tz=tz),
        "projection_recommended_haiku_4_5": _projection(conn, filters),
    }


def _projection(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """The default `switchcost project` answer (recommended scenario, Haiku 4.5) as rows."""
    from switchcost.queries.projection import builtin_scenario, project

    return project(conn, builtin_scenario("recommended", ("claude-haiku-4-5",)), filters).rows
