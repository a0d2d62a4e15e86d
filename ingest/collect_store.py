"""Store a batch of received request rows: one ingest run, one transaction, the loader's merge.

`switchcost collect` calls this from its writer thread.  The rows go through the same merge as
`switchcost ingest` (ingest.merge.merge: new keys inserted, repeats skipped, a fuller copy
wins), the rollup is refreshed and the run recorded in `ingest_runs`, all in one transaction:
when `store` returns the batch is committed, and only then does the receiver acknowledge it.
The database is opened for the batch only, so `report` and `ingest` can use it in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from switchcost.ingest.merge import merge
from switchcost.ingest.readers._common import Row
from switchcost.ingest.records import table_from_rows
from switchcost.queries import db, rollup
from switchcost.queries.run_sql import rows as sql_rows


@dataclass
class Stored:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    unpriced_models: dict[str, int] = field(default_factory=dict)


def store(rows: list[Row], db_path: Path | None, prices: Path | None, wait: float) -> Stored:
    """Commit `rows` as one ingest run (raises if the database cannot be written)."""
    out = Stored()
    if not rows:
        return out
    started = dt.datetime.now(dt.UTC)
    conn = db.connect(db_path, wait=wait, prices=prices)
    try:
        with db.transaction(conn):
            run_id = int(conn.execute("SELECT nextval('ingest_run_seq')").fetchall()[0][0])
            rollup.track_updates(conn)
            out.new, out.updated, out.duplicates = merge(conn, table_from_rows(rows), run_id)
            rollup.refresh(conn, run_id)
            if out.new or out.updated:
                for model, n in sql_rows(conn, "unpriced_in_run", folder="write", run=run_id):
                    out.unpriced_models[str(model)] = int(n)
            conn.execute(
                "INSERT INTO ingest_runs VALUES ($id, $s, current_timestamp, 0, $n, $d, 0, $u)",
                {
                    "id": run_id,
                    "s": started,
                    "n": out.new,
                    "d": out.duplicates,
                    "u": sum(out.unpriced_models.values()),
                },
            )
    finally:
        conn.close()
    return out
