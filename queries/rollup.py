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

from queries.loader import rows


def boundaries(conn: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """The threshold boundaries of this connection's price tables (prompt, cached, output);
    computed once per set of price tables (the dashboard's connection keeps them)."""
    from queries import pricing

    memo = pricing.memo(conn)
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


def refresh(conn: duckdb.DuckDBPyConnection, run_id: int) -> str:
    """Bring the rollup up to date after run `run_id`; call inside the run's transaction.

    Adds the run's requests to the groups of their UTC hours when the run only inserted;
    recomputes the hours it touched when it also updated stored requests; rebuilds everything
    when the rollup is empty but requests are not, or was built with other boundaries.  Returns
    what it did: 'full', 'hours', 'added' or 'none'.
    """
    bounds = boundaries(conn)
    key = _key(bounds)
    meta = conn.execute("SELECT boundaries FROM rollup_meta").fetchall()
    empty = not conn.execute("SELECT 1 FROM request_groups LIMIT 1").fetchall()
    have_requests = bool(conn.execute("SELECT 1 FROM requests LIMIT 1").fetchall())
    full = (not meta or meta[0][0] != key) or (empty and have_requests)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_touched (ts TIMESTAMPTZ)")
    if full:
        conn.execute("CREATE OR REPLACE TEMP TABLE rollup_hours (hour TIMESTAMPTZ)")
    else:
        rows(conn, "rollup_hours", "write", run=run_id)
        if not conn.execute("SELECT 1 FROM rollup_hours LIMIT 1").fetchall():
            return "none"
    # Only new requests in this run (no update moved or changed a stored one): their sums
    # add to the groups of their hours, which is far cheaper than re-reading those hours.
    add = not full and not conn.execute("SELECT 1 FROM rollup_touched LIMIT 1").fetchall()
    rows(conn, "rollup_keep", "write", add=add)
    rows(conn, "rollup_delete", "write", full=full)
    rows(conn, "rollup_insert", "write", full=full, add=add, run=run_id, **bounds)
    rows(conn, "rollup_meta", "write", boundaries=key)
    return "full" if full else ("added" if add else "hours")


def usable(conn: duckdb.DuckDBPyConnection, tz: str) -> bool:
    """True when request_groups gives exactly what requests would for calendar days in `tz`."""
    stored, covered, total, whole_hours = rows(conn, "rollup_status", tz=tz)[0]
    if stored is None or covered != total or not whole_hours:
        return False
    return bool(stored == _key(boundaries(conn)))
