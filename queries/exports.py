"""The CSV summaries `switchcost export` writes: what a spreadsheet user asks for first."""

from __future__ import annotations

import duckdb
import polars as pl

from queries.loader import run
from queries.reports import Filters, usage_by


def all_exports(conn: duckdb.DuckDBPyConnection, tz: str = "UTC") -> dict[str, pl.DataFrame]:
    """File stem -> frame; money columns stay exact Decimals until written."""
    filters = Filters(tz=tz)
    return {
        "spend_by_day_model": run(conn, "spend_by_day_model", tz=tz),
        "spend_by_workload": usage_by(conn, "workload", filters),
        "spend_by_model": usage_by(conn, "model", filters),
        "requests_priced": run(conn, "requests_priced", tz=tz),
    }
