"""Typed wrappers over the report queries: the CLI and the dashboard call these, never SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from switchcost.queries import rollup
from switchcost.queries.dimensions import DIMENSIONS as DIMENSIONS
from switchcost.queries.dimensions import Dimension as Dimension
from switchcost.queries.errors import UserError
from switchcost.queries.filters import Filters
from switchcost.queries.run_sql import records, run

if TYPE_CHECKING:  # imported lazily: `switchcost report` prints rows without Polars
    import duckdb
    import polars as pl

SUM_COLUMNS = (
    "requests",
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
    "cost_usd",
    "unpriced_requests",
)


def query_params(conn: duckdb.DuckDBPyConnection, filters: Filters | None) -> dict[str, Any]:
    """The filters as bound parameters, plus `rollup`: whether the rollup is exact for them."""
    f = filters or Filters()
    return {**f.params(), "rollup": rollup.usable(conn, f.tz)}


def _check(by: str) -> None:
    if by not in DIMENSIONS:
        raise UserError(f"cannot group by {by!r}; choose one of {', '.join(DIMENSIONS)}")


def usage_by(
    conn: duckdb.DuckDBPyConnection, by: str, filters: Filters | None = None
) -> pl.DataFrame:
    """Requests, tokens by type and exact cost per `by` group (column named after `by`)."""
    _check(by)
    frame = run(conn, "usage_by", by=by, **query_params(conn, filters))
    return frame.rename({"grp": by})


def usage_rows(
    conn: duckdb.DuckDBPyConnection, by: str, filters: Filters | None = None
) -> list[dict[str, Any]]:
    """`usage_by` as plain rows, for the CLI: printing them needs neither Polars nor pyarrow."""
    _check(by)
    found = records(conn, "usage_by", by=by, **query_params(conn, filters))
    return [{(by if k == "grp" else k): v for k, v in row.items()} for row in found]


def row_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Column sums of usage rows; money summed as Decimal, so exact."""
    out: dict[str, Any] = {}
    for col in SUM_COLUMNS:
        values = [row[col] for row in rows if col in row]
        if col == "cost_usd":
            out[col] = sum((Decimal(v) for v in values), Decimal(0))
        else:
            out[col] = int(sum(values))
    return out


def totals(frame: pl.DataFrame) -> dict[str, Any]:
    """Column sums of a usage frame; money summed as Decimal, so exact."""
    return row_totals(frame.to_dicts())
