"""The coarse rollups (migration 0007): usage_hours, session_hours and file_requests.

request_groups keeps every attribute a report may group by, the session included, so its size
follows the number of requests.  The Overview (but for its top sessions), the Data page and the
sidebar's unpriced models need neither the session nor the cached and output bands (a current
price depends on the prompt alone: long context), so they read usage_hours, whose groups are
bounded by hours x models x workloads x projects; the top sessions read session_hours (no project,
no cached or output band); the Data page's per-file counts read file_requests.

`refresh` keeps them in step with request_groups: `queries.rollup.refresh` calls it in the same
transaction, after the groups of the touched hours are recomputed, so they are exactly as usable
as request_groups (`rollup.usable`).
"""

from __future__ import annotations

from typing import Literal

import duckdb

from switchcost.queries.hour_slices import hour_slices
from switchcost.queries.run_sql import rows

Mode = Literal["full", "added", "hours"]
#: A rebuild sums request_groups this many groups at a time, so the writer's small pool holds
#: each step whatever the database's size.
SLICE_GROUPS = 100_000
TABLES = ("usage_hours", "session_hours")


def refresh(conn: duckdb.DuckDBPyConnection, run_id: int, mode: Mode) -> None:
    """Bring the coarse rollups up to date with request_groups after run `run_id`.

    `mode` is what the rollup refresh did: 'full' (rebuilt every hour: so are these), 'hours'
    (recomputed the hours in rollup_hours: so are these, and every file is recounted, since an
    updated request may have left a file the run did not read) or 'added' (folded the run's new
    requests into the hours in rollup_hours: those hours, and the run's files, are recounted).
    """
    if mode == "full":
        rows(conn, "coarse_hours", "write", hours=[])  # the delete names it
        for table in TABLES:
            rows(conn, f"{table}_delete", "write", all=True)
        slices = _slices(conn)
    else:
        slices = [[h for (h,) in conn.execute("SELECT hour FROM rollup_hours").fetchall()]]
    for hours in slices:
        rows(conn, "coarse_hours", "write", hours=hours)
        for table in TABLES:
            rows(conn, f"{table}_delete", "write", all=False)  # a rebuild has none left
            rows(conn, f"{table}_insert", "write")
    every_file = mode != "added"
    rows(conn, "file_requests_delete", "write", all=every_file, run=run_id)
    rows(conn, "file_requests_insert", "write", all=every_file, run=run_id)


def _slices(conn: duckdb.DuckDBPyConnection) -> list[list[object]]:
    """Every hour of request_groups, in consecutive runs of about SLICE_GROUPS groups."""
    counted = conn.execute(
        "SELECT hour, count(*) FROM request_groups GROUP BY hour ORDER BY hour"
    ).fetchall()
    return hour_slices(counted, SLICE_GROUPS)
