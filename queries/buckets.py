"""Typed wrappers over the aggregate-report queries (Anthropic's own usage and cost numbers)."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from switchcost.queries.dimensions import BUCKET_DIMENSIONS as BUCKET_DIMENSIONS
from switchcost.queries.dimensions import BucketDimension as BucketDimension
from switchcost.queries.errors import UserError
from switchcost.queries.run_sql import run

# The API's group field for each dimension that needs one (time and model are in every grouping).
_API_FIELD = {
    "workspace": "workspace_id",
    "api_key": "api_key_id",
    "service_tier": "service_tier",
    "context_window": "context_window",
    "speed": "speed",
    "inference_geo": "inference_geo",
}
BUCKET_COLUMNS = (
    "requests",
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
    "web_search_requests",
    "reported_cost_usd",
)
RECONCILE_COLUMNS = (
    "day",
    "model",
    "logged_requests",
    "unpriced_requests",
    "computed_usd",
    "reported_usd",
    "gap_usd",
)


def bucket_report(
    conn: duckdb.DuckDBPyConnection,
    by: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pl.DataFrame:
    """Anthropic-reported tokens and cost per `by` group (column named after `by`)."""
    if by not in BUCKET_DIMENSIONS:
        raise UserError(f"cannot group by {by!r}; choose one of {', '.join(BUCKET_DIMENSIONS)}")
    frame = run(conn, "bucket_report", by=by, dim=_API_FIELD.get(by), since=since, until=until)
    return frame.rename({"grp": by})


def reconcile(
    conn: duckdb.DuckDBPyConnection, since: dt.date | None = None, until: dt.date | None = None
) -> pl.DataFrame:
    """Per UTC day and model: cost from request logs, cost Anthropic reports, and the gap."""
    return run(conn, "reconcile", since=since, until=until)
