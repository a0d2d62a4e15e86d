"""The request rollup (`request_groups`): what makes reports and the dashboard fast at scale.

Pricing a million requests one by one (an ASOF join and a time-zone conversion per row) takes
seconds; the same answers come from a few hundred thousand hourly groups, because cost is linear
in tokens once the rates are known and every per-request threshold (long context, context
window, minimum cacheable length, max output) is kept exact by the band columns.  The loader
calls `refresh` inside each ingest transaction; readers ask `usable` and otherwise take the exact
raw path.
"""

from __future__ import annotations

import json

import duckdb

from switchcost.queries import coarse_rollup
from switchcost.queries.hour_slices import hour_slices
from switchcost.queries.run_sql import rows


def boundaries(conn: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """The threshold boundaries of this connection's price tables (prompt, cached, output);
    computed once per set of price tables (the dashboard's connection keeps them)."""
    from switchcost.queries import macro_registry

    memo = macro_registry.memo(conn)
    if memo is not None and "rollup_bounds" in memo:
        found: dict[str, list[int]] = memo["rollup_bounds"]
        return {k: list(v) for k, v in found.items()}
    prompt, cached, output = rows(conn, "rollup_bounds")[0]
    bounds = {"prompt": list(prompt), "cached": list(cached), "output": list(output)}
    if memo is not None:
        memo["rollup_bounds"] = {k: list(v) for k, v in bounds.items()}
    return bounds


def _key(bounds: dict[str, list[int]]) -> str:
    return json.dumps(bounds, sort_keys=True, separators=(",", ":"))


def track_updates(conn: duckdb.DuckDBPyConnection) -> None:
    """Start a run's empty `rollup_touched`: the loader adds the hour each update moves a
    request out of, so `refresh` recomputes that hour too."""
    conn.execute("CREATE OR REPLACE TEMP TABLE rollup_touched (ts TIMESTAMPTZ)")


#: Levels of latency_blocks: level k covers 8^(k-1) UTC days (migration 0006).
BLOCK_LEVELS = 7
#: A rebuild is done this many requests at a time, so the writer's small memory pool holds each
#: step's groups whatever the database's size (10M requests: 500,000 at a time ran out of the
#: 64 MB pool, 150,000 at a time rebuilt in about 2 minutes on a loaded 2-core machine).
SLICE_REQUESTS = 150_000


def refresh(conn: duckdb.DuckDBPyConnection, run_id: int) -> str:
    """Bring the rollup and its latency histograms up to date after run `run_id`; call inside
    the run's transaction.

    Adds the run's requests to the groups of their UTC hours when the run only inserted;
    recomputes the hours it touched when it also updated stored requests; rebuilds everything
    (in slices of about SLICE_REQUESTS requests) when the rollup is empty but requests are not,
    was built with other boundaries, or was built before the histograms existed.  Returns
    what it did: 'full', 'hours', 'added' or 'none'.
    """
    bounds = boundaries(conn)
    key = _key(bounds)
    meta = conn.execute("SELECT boundaries, hist_requests FROM rollup_meta").fetchall()
    empty = not conn.execute("SELECT 1 FROM request_groups LIMIT 1").fetchall()
    have_requests = bool(conn.execute("SELECT 1 FROM requests LIMIT 1").fetchall())
    full = (not meta or meta[0][0] != key or meta[0][1] is None) or (empty and have_requests)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_touched (ts TIMESTAMPTZ)")
    add = False
    if full:
        for table in ("request_groups", "latency_hours", "latency_blocks"):
            conn.execute(f"DELETE FROM {table}")
        for hours in _slices(conn):
            conn.execute(
                "CREATE OR REPLACE TEMP TABLE rollup_hours AS"
                " SELECT unnest($hours::TIMESTAMPTZ[]) AS hour",
                {"hours": hours},
            )
            _hours(conn, run_id, bounds, add=False)
    else:
        rows(conn, "rollup_hours", "write", run=run_id)
        if not conn.execute("SELECT 1 FROM rollup_hours LIMIT 1").fetchall():
            return "none"
        # Only new requests in this run (no update moved or changed a stored one): their sums
        # add to the groups of their hours, which is far cheaper than re-reading those hours.
        add = not conn.execute("SELECT 1 FROM rollup_touched LIMIT 1").fetchall()
        _hours(conn, run_id, bounds, add=add)
    coarse_rollup.refresh(conn, run_id, "full" if full else ("added" if add else "hours"))
    rows(conn, "rollup_meta", "write", boundaries=key)
    return "full" if full else ("added" if add else "hours")


def _slices(conn: duckdb.DuckDBPyConnection) -> list[list[object]]:
    """The UTC hours that hold requests, in consecutive runs of about SLICE_REQUESTS requests
    each, covering every stored request.  Hours, not a calendar range: one request dated in
    the year 5138 (a valid span time) adds one hour, not three thousand years of them."""
    counted = conn.execute(
        "SELECT to_timestamp(epoch_us(ts) // 3600000000 * 3600) AS hour, count(*) FROM requests"
        " GROUP BY hour ORDER BY hour"
    ).fetchall()
    return hour_slices(counted, SLICE_REQUESTS)


def _hours(
    conn: duckdb.DuckDBPyConnection, run_id: int, bounds: dict[str, list[int]], *, add: bool
) -> None:
    """Recompute (or, with `add`, fold run `run_id` into) the groups and histograms of the
    hours in rollup_hours, then every latency block that holds one of them.

    With `add` the run's own histogram counts are added to the stored hours and to the blocks
    of every level (a block is the sum of its hours): the blocks below are never re-read, which
    made most of a small appending run's time (7 levels, up to 8^6 days each).  Otherwise the
    hours are recomputed from their requests and each touched block from the level below."""
    rows(conn, "rollup_keep", "write", add=add)
    rows(conn, "rollup_delete", "write", full=False)
    rows(conn, "rollup_insert", "write", full=False, add=add, run=run_id, **bounds)
    rows(conn, "hist_delta", "write", add=add, run=run_id)
    if add:
        rows(conn, "hist_fold_hours", "write")
        rows(conn, "hist_fold_blocks", "write", levels=BLOCK_LEVELS)
        return
    rows(conn, "hist_delete", "write")
    rows(conn, "hist_insert", "write")
    for level in range(1, BLOCK_LEVELS + 1):
        span = 8 ** (level - 1)
        rows(conn, "hist_blocks_delete", "write", level=level, span=span)
        rows(conn, "hist_blocks_insert", "write", level=level, span=span)


def usable(conn: duckdb.DuckDBPyConnection, tz: str) -> bool:
    """True when request_groups gives exactly what requests would for calendar days in `tz`."""
    return status(conn, tz)[0]


def status(conn: duckdb.DuckDBPyConnection, tz: str) -> tuple[bool, bool]:
    """(rollup usable, latency histograms usable) for calendar days in `tz`: the histograms
    also need to cover every stored request (a rollup from before migration 0006 does not)."""
    stored, covered, hist, total, whole_hours = rows(conn, "rollup_status", tz=tz)[0]
    if stored is None or covered != total or not whole_hours:
        return False, False
    ok = bool(stored == _key(boundaries(conn)))
    return ok, ok and hist == total
