"""Migration 0005 (replay tables) upgrades a database at version 4 and keeps its rows."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

from switchcost.queries import db as qdb


def test_upgrade_from_version_4(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    folder = resources.files("queries") / "migrations"
    for name in sorted(e.name for e in folder.iterdir() if e.name.endswith(".sql")):
        version = int(name.split("_", 1)[0])
        if version > 4:
            continue
        conn.execute((folder / name).read_text(encoding="utf-8"))
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    conn.execute(
        "INSERT INTO requests (request_key, source, source_file, source_line, ts, model,"
        " input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens, run_id)"
        " VALUES ('msg:a', 'messages', 'f', 1, '2026-11-20', 'claude-sonnet-4-5',"
        " 10, 0, 0, 0, 5, 1)"
    )
    conn.close()
    with qdb.connect(path) as conn:
        assert qdb.schema_version(conn) >= 5
        assert conn.execute("SELECT count(*) FROM requests").fetchone() == (1,)
        for table in ("replay_runs", "replay_samples", "replay_verdicts"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
