"""Typed wrappers over the report queries: the CLI and the dashboard call these, never SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, get_args

import duckdb
import polars as pl

from queries.loader import run

Dimension = Literal["day", "week", "month", "model", "workload", "project", "session", "source"]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
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


@dataclass(frozen=True)
class Filters:
    """The filters every report and dashboard page shares."""

    since: dt.date | None = None
    until: dt.date | None = None
    tz: str = "UTC"
    workloads: tuple[str, ...] | None = None
    models: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    subagent: bool | None = None

    def params(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "tz": self.tz,
            "workloads": list(self.workloads) if self.workloads is not None else None,
            "models": list(self.models) if self.models is not None else None,
            "sources": list(self.sources) if self.sources is not None else None,
            "subagent": self.subagent,
        }


def usage_by(
    conn: duckdb.DuckDBPyConnection, by: str, filters: Filters | None = None
) -> pl.DataFrame:
    """Requests, tokens by type and exact cost per `by` group (column named after `by`)."""
    if by not in DIMENSIONS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(DIMENSIONS)}")
    frame = run(conn, "usage_by", by=by, **(filters or Filters()).params())
    return frame.rename({"grp": by})


def totals(frame: pl.DataFrame) -> dict[str, Any]:
    """Column sums of a usage frame; money summed as Decimal, so exact."""
    out: dict[str, Any] = {}
    for col in SUM_COLUMNS:
        values = frame[col].to_list() if col in frame.columns else []
        if col == "cost_usd":
            out[col] = sum((Decimal(v) for v in values), Decimal(0))
        else:
            out[col] = int(sum(values))
    return out
