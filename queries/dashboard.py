"""Typed wrappers over the queries only the dashboard needs (Overview headline, Data page).

Money stays `Decimal`; derived numbers (run-rate, cache hit rate) are computed here rather than in
the page, so the CLI or a test can check them without a browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from switchcost.queries import rollup, run_rate
from switchcost.queries.filters import Filters
from switchcost.queries.reports import query_params
from switchcost.queries.run_sql import rows, run

TOKEN_TYPES = (
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
)


@dataclass(frozen=True)
class Kpis:
    """The Overview's headline: what the filtered window cost and how well caching worked."""

    requests: int
    unpriced_requests: int
    cost_usd: Decimal
    tokens: dict[str, int]
    cache_savings_usd: Decimal
    first_day: dt.date | None
    last_day: dt.date | None
    days: int
    monthly_run_rate_usd: Decimal

    @property
    def cache_hit_rate(self) -> Decimal | None:
        """Share of prompt tokens served from the cache (None when there were no prompts)."""
        prompt = sum(self.tokens[t] for t in TOKEN_TYPES if t != "output_tokens")
        if prompt == 0:
            return None
        return Decimal(self.tokens["cache_read_tokens"]) / Decimal(prompt)


def _kpis(row: dict[str, Any], filters: Filters) -> Kpis:
    span = run_rate.window(filters, row["first_day"], row["last_day"])
    cost = Decimal(row["cost_usd"])
    return Kpis(
        requests=int(row["requests"]),
        unpriced_requests=int(row["unpriced_requests"]),
        cost_usd=cost,
        tokens={t: int(row[t]) for t in TOKEN_TYPES},
        cache_savings_usd=Decimal(row["cache_savings_usd"]),
        first_day=row["first_day"],
        last_day=row["last_day"],
        days=span.days,
        monthly_run_rate_usd=span.monthly(cost) or Decimal(0),
    )


USAGE_COLUMNS = (
    "requests",
    *TOKEN_TYPES,
    "cost_usd",
    "unpriced_requests",
)


@dataclass(frozen=True)
class Overview:
    """The Overview page's numbers: headline figures, spend per day and model, and `usage_by`
    per workload, model, session and project."""

    kpis: Kpis
    by_day_model: pl.DataFrame
    by_workload: pl.DataFrame
    by_model: pl.DataFrame
    by_session: pl.DataFrame
    by_project: pl.DataFrame


def overview(conn: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> Overview:
    """All of the Overview from one query (grouping sets), split here: one scan, not six."""
    filters = filters or Filters()
    frame = run(conn, "dash_overview", **query_params(conn, filters))
    return split_overview(frame, filters)


def split_overview(
    frame: pl.DataFrame, filters: Filters, sessions: pl.DataFrame | None = None
) -> Overview:
    """The Overview from the rows of dash_overview (or dash_overview_hours: the same columns):
    `sessions` when given (the coarse rollup's top sessions), else the frame's session rows."""
    total = frame.filter(pl.col("dim") == "total")
    if total.height:
        row = total.row(0, named=True)
    else:
        zero = {c: 0 for c in (*USAGE_COLUMNS, "cache_savings_usd")}
        row = {**zero, "first_day": None, "last_day": None}
    k = _kpis(row, filters)

    def by(dim: str) -> pl.DataFrame:
        return (
            frame.filter(pl.col("dim") == dim)
            .select(pl.col("grp").alias(dim), *USAGE_COLUMNS)
            .sort(["cost_usd", dim], descending=[True, False])
        )

    by_day_model = (
        frame.filter(pl.col("dim") == "day_model")
        .select("day", "model", "requests", "cost_usd", "unpriced_requests")
        .sort("day", "model")
    )
    if sessions is None:
        sessions = by("session")
    return Overview(k, by_day_model, by("workload"), by("model"), sessions, by("project"))


def choices(conn: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Values offered by the workload, model and source filters, most requests first."""
    out: dict[str, list[str]] = {"workload": [], "model": [], "source": []}
    for kind, value, _count in rows(conn, "dash_choices", rollup=rollup.usable(conn, "UTC")):
        out[str(kind)].append(str(value))
    return out


def date_bounds(
    conn: duckdb.DuckDBPyConnection, tz: str = "UTC"
) -> tuple[dt.date | None, dt.date | None]:
    """First and last local day with data (None, None for an empty database)."""
    first, last, _requests = data_span(conn, tz)
    return first, last


def data_span(
    conn: duckdb.DuckDBPyConnection, tz: str = "UTC"
) -> tuple[dt.date | None, dt.date | None, int]:
    """First and last local day with data, and how many requests are stored."""
    first, last, requests = rows(conn, "dash_date_bounds", tz=tz)[0]
    return first, last, int(requests)


def last_ingest(conn: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The newest ingest run (run_id, started_at, finished_at, ...), or None before the first."""
    frame = run(conn, "dash_last_ingest")
    return frame.row(0, named=True) if frame.height else None


def ingest_runs(conn: duckdb.DuckDBPyConnection, limit: int = 20) -> pl.DataFrame:
    """Recent ingest runs, newest first."""
    return run(conn, "dash_ingest_runs", limit=limit)


def source_files(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every file ever ingested, with how many requests it contributed."""
    return run(conn, "dash_source_files")


def sources(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Requests, files and time span per reader."""
    return run(conn, "dash_sources")


def malformed(conn: duckdb.DuckDBPyConnection, limit: int = 1000) -> tuple[int, pl.DataFrame]:
    """(total malformed lines, the first `limit` of them by path and line)."""
    total = int(rows(conn, "dash_malformed_count")[0][0])
    return total, run(conn, "dash_malformed", limit=limit)


def unpriced(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Logged model names with requests that have no price in force."""
    return run(conn, "dash_unpriced", rollup=rollup.usable(conn, "UTC"))


def price_table(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The price rows in force on this connection (shipped file plus the user's overrides)."""
    return run(conn, "dash_price_table")
