"""Migrations: a database at each earlier schema version, with rows, upgrades and keeps them.

For every numbered migration N in queries/migrations/ (found at collection time, so a new one is
covered without editing this file), a database is built at version N-1 by running only the
migrations before N (the same `db.migrate` the writer runs), a row is put in every table it has,
and the real writer (`db.connect`) upgrades it.  Every earlier row must still be there, every
migration must be recorded in `schema_migrations`, and the upgraded schema must equal a new
database's.  A few migrations also get a check of what they mean for the rows they find.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from switchcost.queries import db
from tests.rows import insert, request

MIGRATIONS = db._migrations()
VERSIONS = [v for v, _, _ in MIGRATIONS]
T0 = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


def build_at(path: Path, version: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database file at `version`: only the migrations up to it, run by `db.migrate`."""
    with monkeypatch.context() as m:
        m.setattr(db, "_migrations", lambda: [x for x in MIGRATIONS if x[0] <= version])
        conn = duckdb.connect(str(path))
        try:
            db.migrate(conn)
            assert db.schema_version(conn) == version
        finally:
            conn.close()


def columns(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, str, Any]]]:
    """table -> [(column, type, nullable, default)] of the database's own (not temp) tables."""
    got = conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = 'main'"
        "   AND table_name IN (SELECT table_name FROM information_schema.tables"
        "                      WHERE table_type = 'BASE TABLE'"
        "                        AND table_catalog = current_database())"
        " ORDER BY table_name, ordinal_position"
    ).fetchall()
    out: dict[str, list[tuple[str, str, str, Any]]] = {}
    for table, col, kind, nullable, default in got:
        out.setdefault(table, []).append((col, kind, nullable, default))
    return out


def sample_value(kind: str, i: int) -> Any:
    """A value of a DuckDB column type (1 for integers: CHECK (id = 1) holds)."""
    if kind in ("BIGINT", "INTEGER", "SMALLINT", "HUGEINT", "UBIGINT"):
        return 1
    if kind == "BOOLEAN":
        return True
    if kind == "DOUBLE" or kind == "FLOAT":
        return 1.5 + i
    if kind.startswith("DECIMAL"):
        return Decimal("1.25") + i
    if kind.startswith("TIMESTAMP"):
        return T0 + dt.timedelta(hours=i)
    if kind == "DATE":
        return T0.date()
    if kind == "JSON":
        return '{"k": 1}'
    if kind == "VARCHAR":
        return f"v{i}"
    raise AssertionError(f"no sample value for column type {kind}: extend sample_value()")


def fill(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """One row in every table but schema_migrations; returns every table's rows."""
    kept: dict[str, list[tuple[Any, ...]]] = {}
    for table, cols in columns(conn).items():
        if table == "schema_migrations":
            continue
        values = [sample_value(kind, i) for i, (_, kind, _, _) in enumerate(cols)]
        names = ", ".join(c for c, _, _, _ in cols)
        marks = ", ".join("?" for _ in cols)
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    for table, cols in columns(conn).items():
        if table == "schema_migrations":
            continue  # checked on its own: the upgrade adds its records
        names = ", ".join(c for c, _, _, _ in cols)
        kept[table] = conn.execute(f"SELECT {names} FROM {table} ORDER BY ALL").fetchall()
    return kept


def created_by(sql: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(tables created, (table, column) pairs added) by a migration's SQL."""
    tables = set(re.findall(r"CREATE TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)", sql, re.IGNORECASE))
    added = set(
        re.findall(
            r"ALTER TABLE\s+(\w+)\s+ADD COLUMN\s+(?:IF NOT EXISTS\s+)?(\w+)", sql, re.IGNORECASE
        )
    )
    return tables, added


def test_migrations_are_numbered_one_to_latest() -> None:
    assert list(range(1, len(VERSIONS) + 1)) == VERSIONS
    assert db.latest_version() == VERSIONS[-1]


def test_a_new_file_gets_every_migration_recorded(db_path: Path) -> None:
    with db.connect(db_path) as conn:
        recorded = conn.execute(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        ).fetchall()
    assert recorded == [(v, name) for v, name, _ in MIGRATIONS]


@pytest.mark.parametrize("version", VERSIONS, ids=[name for _, name, _ in MIGRATIONS])
def test_upgrade_across_each_migration_keeps_rows(
    version: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old.duckdb"
    build_at(old, version - 1, monkeypatch)
    with duckdb.connect(str(old)) as conn:
        before_schema = columns(conn)
        before = fill(conn)
    with db.connect(old) as conn:  # the writer upgrades the file
        after_schema = columns(conn)
        recorded = conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        # every earlier row is still there, in its earlier columns
        for table, rows in before.items():
            names = ", ".join(c for c, _, _, _ in before_schema[table])
            assert conn.execute(f"SELECT {names} FROM {table} ORDER BY ALL").fetchall() == rows
    assert [r[0] for r in recorded] == VERSIONS
    # what migration N creates is there now
    sql = next(s for v, _, s in MIGRATIONS if v == version)
    tables, added = created_by(sql)
    assert tables or added, f"migration {version} creates nothing this test can see"
    for table in tables:
        assert table in after_schema, table
        assert table not in before_schema, table
    for table, col in added:
        assert col in [c for c, _, _, _ in after_schema[table]], (table, col)
        assert col not in [c for c, _, _, _ in before_schema.get(table, [])], (table, col)
    # and the upgraded schema is exactly a new database's
    with db.connect(tmp_path / "new.duckdb") as conn:
        assert after_schema == columns(conn)


# --- what particular migrations mean for the rows they find --------------------------------------


def test_0004_requests_stored_before_are_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v3.duckdb"
    build_at(path, 3, monkeypatch)
    with duckdb.connect(str(path)) as conn:
        insert(conn, request(request_key="a"), request(request_key="b"))
    with db.connect(path) as conn:
        got = conn.execute("SELECT request_key, complete FROM requests ORDER BY 1").fetchall()
    assert got == [("a", True), ("b", True)]  # the migration's stated rule for earlier rows


def test_requests_from_the_first_schema_are_priced_after_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version-1 file (no rollup, no buckets) with two requests: after the upgrade the priced
    view and the reports give the hand-worked bill, rollup or not."""
    path = tmp_path / "v1.duckdb"
    build_at(path, 1, monkeypatch)
    with duckdb.connect(str(path)) as conn:
        insert(
            conn,
            # Sonnet 4.5: 1,000 in x $3 + 100 out x $15 = 3,000 + 1,500 = 4,500 -> $0.0045
            request(request_key="s", ts=T0, input_tokens=1000, output_tokens=100),
            # Haiku 4.5: 2,000 in x $1 + 1,000 reads x $0.10 + 10 out x $5 = 2,150 -> $0.00215
            request(
                request_key="h",
                ts=T0,
                model="claude-haiku-4-5-20251001",
                input_tokens=2000,
                cache_read=1000,
                output_tokens=10,
            ),
        )
    from switchcost.queries.reports import usage_rows

    with db.connect(path) as conn:
        costs = dict(conn.execute("SELECT request_key, cost_usd FROM priced_requests").fetchall())
        by_model = {r["model"]: r for r in usage_rows(conn, "model")}
    assert {k: Decimal(v) for k, v in costs.items()} == {
        "s": Decimal("0.0045"),
        "h": Decimal("0.00215"),
    }
    assert sum(Decimal(r["cost_usd"]) for r in by_model.values()) == Decimal("0.00665")
    assert sum(r["requests"] for r in by_model.values()) == 2


def test_0007_coarse_rollups_are_summed_from_the_rollup_and_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version-6 file with two request groups of one hour that differ only by session and
    cached band, and three requests in two files: after the upgrade usage_hours holds one
    group (their sums), session_hours two, and file_requests the per-file counts."""
    path = tmp_path / "v6.duckdb"
    build_at(path, 6, monkeypatch)
    group = (
        "INSERT INTO request_groups VALUES ($hour, 'claude-haiku-4-5', 'anthropic', NULL,"
        " 'messages', 'p', 'w', $session, false, 'standard', NULL, NULL, false, 0, $cached, 0,"
        " $n, $tokens, 0, 0, 0, 7, 0)"
    )
    with duckdb.connect(str(path)) as conn:
        conn.execute(group, {"hour": T0, "session": "s1", "cached": 0, "n": 2, "tokens": 100})
        conn.execute(group, {"hour": T0, "session": "s2", "cached": 1024, "n": 1, "tokens": 40})
        insert(
            conn,
            request(request_key="a", ts=T0, source_file="x.jsonl"),
            request(request_key="b", ts=T0 + dt.timedelta(hours=2), source_file="x.jsonl"),
            request(request_key="c", ts=T0, source_file="y.jsonl", source="claude-code"),
        )
    with db.connect(path) as conn:
        usage = conn.execute(
            "SELECT hour, requests, input_tokens, output_tokens FROM usage_hours"
        ).fetchall()
        sessions = conn.execute(
            "SELECT session_id, requests, input_tokens FROM session_hours ORDER BY 1"
        ).fetchall()
        files = conn.execute(
            "SELECT source_file, source, requests, first_ts, last_ts FROM file_requests ORDER BY 1"
        ).fetchall()
    assert usage == [(T0, 3, 140, 14)]
    assert sessions == [("s1", 2, 100), ("s2", 1, 40)]
    assert files == [
        ("x.jsonl", "messages", 2, T0, T0 + dt.timedelta(hours=2)),
        ("y.jsonl", "claude-code", 1, T0, T0),
    ]
