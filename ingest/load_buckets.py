"""Store aggregate buckets (Usage & Cost API pages, Console CSV rows) in one transaction.

Fetched buckets replace what was stored for the same report, grouping and time window (a
re-fetched day can lose a group as well as change one), and the fetch bookkeeping records
which daily buckets are final.  Console CSV rows replace the rows the same file gave before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from switchcost.ingest.buckets import BucketResult, cost_table, usage_table
from switchcost.queries import db

if TYPE_CHECKING:
    import pyarrow as pa

FINAL_AFTER = dt.timedelta(days=1)
_TABLES = {"usage": "usage_buckets", "cost": "cost_buckets"}


@dataclass
class FetchedReport:
    """All rows of one report (usage or cost) for one grouping over [start, end)."""

    kind: str  # usage | cost
    source: str  # usage-api | cost-api | usage-report | cost-report
    grouping: str
    start: dt.datetime
    end: dt.datetime
    rows: list[dict[str, Any]] = field(default_factory=list)
    data_refreshed_at: dt.datetime | None = None
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class StoreSummary:
    usage_rows: int = 0
    cost_rows: int = 0
    buckets: int = 0
    final_buckets: int = 0


def _insert(conn: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    if data.num_rows == 0:
        return
    conn.register("staged_buckets", data)
    try:
        cols = ", ".join(data.schema.names)
        conn.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM staged_buckets "
            "ON CONFLICT DO UPDATE SET "
            + ", ".join(
                f"{c} = excluded.{c}"
                for c in data.schema.names
                if c
                not in ("source", "grouping", "origin", "bucket_start", "bucket_end", "group_key")
            )
        )
    finally:
        conn.unregister("staged_buckets")


def days(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The UTC day starts in [start, end)."""
    out = []
    day = start
    while day < end:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


def is_final(bucket_end: dt.datetime, refreshed: dt.datetime) -> bool:
    """A bucket is final once the data was refreshed a full day after it ended."""
    return refreshed >= bucket_end + FINAL_AFTER


def store_reports(db_path: Path | None, reports: list[FetchedReport]) -> StoreSummary:
    """Replace each report's window with its rows and record the fetch, all in one transaction."""
    summary = StoreSummary()
    conn = db.connect(db_path)
    try:
        with db.transaction(conn):
            for rep in reports:
                table = _TABLES[rep.kind]
                conn.execute(
                    f"DELETE FROM {table} WHERE source = $s AND grouping = $g AND origin = 'api'"
                    " AND bucket_start >= $a AND bucket_start < $b",
                    {"s": rep.source, "g": rep.grouping, "a": rep.start, "b": rep.end},
                )
                data = usage_table(rep.rows) if rep.kind == "usage" else cost_table(rep.rows)
                _insert(conn, table, data)
                if rep.kind == "usage":
                    summary.usage_rows += len(rep.rows)
                else:
                    summary.cost_rows += len(rep.rows)
                refreshed = rep.data_refreshed_at or rep.fetched_at
                marks = [
                    (
                        rep.source,
                        rep.grouping,
                        day,
                        day + dt.timedelta(days=1),
                        rep.fetched_at,
                        rep.data_refreshed_at,
                        is_final(day + dt.timedelta(days=1), refreshed),
                    )
                    for day in days(rep.start, rep.end)
                ]
                if marks:
                    conn.executemany(
                        "INSERT OR REPLACE INTO bucket_fetches VALUES (?, ?, ?, ?, ?, ?, ?)", marks
                    )
                summary.buckets += len(marks)
                summary.final_buckets += sum(1 for m in marks if m[-1])
    finally:
        conn.close()
    return summary


def first_open_day(
    db_path: Path | None, source: str, grouping: str, since: dt.datetime, until: dt.datetime
) -> dt.datetime | None:
    """The first day in [since, until) not yet fetched as final; None when all are final."""
    conn = db.connect(db_path)
    try:
        final = {
            r[0]
            for r in conn.execute(
                "SELECT bucket_start FROM bucket_fetches WHERE source = $s AND grouping = $g"
                " AND final AND bucket_start >= $a AND bucket_start < $b",
                {"s": source, "g": grouping, "a": since, "b": until},
            ).fetchall()
        }
    finally:
        conn.close()
    for day in days(since, until):
        if day not in final:
            return day
    return None


def merge_file_buckets(conn: duckdb.DuckDBPyConnection, result: BucketResult) -> tuple[int, int]:
    """Inside the ingest transaction: each file's rows replace the ones it gave before."""
    for origin in result.origins:
        for table in _TABLES.values():
            conn.execute(f"DELETE FROM {table} WHERE origin = $o", {"o": origin})
    _insert(conn, "usage_buckets", usage_table(result.usage))
    _insert(conn, "cost_buckets", cost_table(result.cost))
    return len(result.usage), len(result.cost)
