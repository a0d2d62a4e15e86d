"""Merging a batch of records into `requests`: one rule for every source.

A key already stored is skipped unless the new copy is better (complete over a stream's start
alone, then more tokens, then the first by file and line); labels from the logs are capped
first.  Used by the ingest loader and by the OTLP collector.
"""

from __future__ import annotations

import contextlib

import duckdb

from switchcost.ingest.records import COLUMNS, Records

_TOTAL = (
    "({t}.input_tokens + {t}.cache_write_5m + {t}.cache_write_1h + {t}.cache_read"
    " + {t}.output_tokens)"
)


# Names taken from the logs (a workload tag, a custom id) are labels: past this length they are
# cut (a key keeps a hash of its whole text, so two long keys never merge), so a log that puts a
# document where a name belongs neither fills the database nor the writer's pool.
LABEL_CHARS = 256
_LABELS = ("workload", "project", "session_id", "agent_id", "model")


def cap_labels(conn: duckdb.DuckDBPyConnection) -> None:
    """Cut over-long labels in the staged rows (rare: one pass finds none in ordinary logs)."""
    long = " OR ".join(f"length({c}) > {LABEL_CHARS}" for c in ("request_key", *_LABELS))
    if not conn.execute(f"SELECT 1 FROM staged_raw WHERE {long} LIMIT 1").fetchall():
        return
    sets = ", ".join(
        f"{c} = CASE WHEN length({c}) > {LABEL_CHARS} THEN left({c}, {LABEL_CHARS}) || '…'"
        f" ELSE {c} END"
        for c in _LABELS
    )
    conn.execute(
        f"UPDATE staged_raw SET {sets}, request_key = CASE WHEN length(request_key) >"
        f" {LABEL_CHARS} THEN left(request_key, 128) || '#' || sha256(request_key)"
        " ELSE request_key END"
    )


def merge(conn: duckdb.DuckDBPyConnection, table: Records, run_id: int) -> tuple[int, int, int]:
    """Insert new keys, upgrade stored ones that now carry more tokens; (new, updated, dup).

    `table` may hold a key more than once (a request repeated across files, or chunks read
    separately): a completed copy wins over an incomplete one (a stream's start alone), then
    the fullest copy, and among equally full copies the first by (file, line),
    here and against the stored copy alike, so the winner never depends on which run read what.
    First, not last: files are read in path order and appended lines come after the stored
    ones, so a tie then never rewrites a stored row (a rewrite in a run's own rows is costly).
    """
    if table.num_rows == 0:
        return 0, 0, 0
    # Copied in once: a stream can be read only once, and the steps below read it four times.
    conn.register("staged_stream", table)
    try:
        conn.execute("CREATE OR REPLACE TEMP TABLE staged_raw AS SELECT * FROM staged_stream")
    except duckdb.Error:
        # An aborted transaction refuses the unregister too; its error would hide this one.
        with contextlib.suppress(duckdb.Error):
            conn.unregister("staged_stream")
        raise
    conn.unregister("staged_stream")
    # A reader that cannot tell a call's completeness may leave the column out: complete.
    conn.execute("ALTER TABLE staged_raw ADD COLUMN IF NOT EXISTS complete BOOLEAN DEFAULT true")
    cap_labels(conn)
    # Each key once, its fullest copy (a request repeated across files or chunks).  Few
    # keys repeat, so only their rows are ranked: a window over every row costs more
    # than the insert itself.
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE dup_keys AS SELECT request_key FROM staged_raw"
        " GROUP BY request_key HAVING count(*) > 1"
    )
    conn.execute(
        "CREATE OR REPLACE TEMP VIEW staged AS"
        " SELECT * FROM staged_raw ANTI JOIN dup_keys USING (request_key)"
        " UNION ALL SELECT * FROM (SELECT * FROM staged_raw SEMI JOIN dup_keys"
        " USING (request_key)) AS d QUALIFY row_number() OVER (PARTITION BY request_key"
        " ORDER BY complete DESC, " + _TOTAL.format(t="d") + " DESC, source_file, source_line)"
        " = 1"
    )
    # Keys already stored: a semi-join probes `requests` with the (smaller) staged keys.
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE hit AS SELECT r.request_key, r.ts AS old_ts,"
        + _TOTAL.format(t="r")
        + " AS old_total, r.complete AS old_complete, r.source_file AS old_file,"
        " r.source_line AS old_line"
        " FROM requests AS r SEMI JOIN staged_raw AS s USING (request_key)"
    )
    cols = ", ".join(COLUMNS)
    # DuckDB answers an INSERT or UPDATE with the number of rows it changed.
    new = conn.execute(
        f"INSERT INTO requests ({cols}, run_id) SELECT {cols}, $run FROM staged"
        " ANTI JOIN hit USING (request_key)",
        {"run": run_id},
    ).fetchall()[0][0]
    updated = 0
    if conn.execute("SELECT count(*) FROM hit").fetchall()[0][0]:
        # The keys first, from narrow columns, then whole rows for those keys only: joining
        # whole staged rows with every hit ran out of a 64 MB pool when most rows were repeats.
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE better_keys AS SELECT s.request_key, h.old_ts"
            " FROM (SELECT request_key, source_file, source_line, complete, "
            + _TOTAL.format(t="staged")
            + " AS total FROM staged) AS s JOIN hit AS h USING (request_key)"
            " WHERE (s.complete, s.total, h.old_file, h.old_line)"
            " > (h.old_complete, h.old_total, s.source_file, s.source_line)"
        )
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE better AS SELECT s.*, b.old_ts FROM staged AS s"
            " JOIN better_keys AS b USING (request_key)"
        )
        conn.execute("DROP TABLE better_keys")
        # The hours these requests were stored under, before the update moves them: the
        # rollup refresh recomputes those hours as well as the run's own.
        conn.execute("INSERT INTO rollup_touched SELECT old_ts FROM better")
        # Delete and insert rather than UPDATE: DuckDB updates column by column, and a
        # request's every column may change; a delete marks rows, an insert appends.
        conn.execute("DELETE FROM requests WHERE request_key IN (SELECT request_key FROM better)")
        updated = conn.execute(
            f"INSERT INTO requests ({cols}, run_id) SELECT {cols}, $run FROM better",
            {"run": run_id},
        ).fetchall()[0][0]
        conn.execute("DROP TABLE better")
    conn.execute("DROP VIEW staged")
    conn.execute("DROP TABLE hit")
    conn.execute("DROP TABLE dup_keys")
    conn.execute("DROP TABLE staged_raw")
    return int(new), int(updated), table.num_rows - int(new) - int(updated)
