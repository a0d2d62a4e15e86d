"""queries.db.reading: the dashboard's page loads hold the file only while they run."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from switchcost.queries import db
from tests.rows import insert, request

WRITER = """
import duckdb, sys
try:
    duckdb.connect(sys.argv[1]).close()
except duckdb.IOException as err:
    print("locked" if "lock" in str(err).lower() else err)
else:
    print("opened")
"""

MYSTERY_PRICES = """
[[models]]
id = "claude-mystery-1"
[[models.prices]]
effective_from = 2026-01-01
input = {rate}
output = 5
cache_write_5m = 1.25
cache_write_1h = 2
cache_read = 0.1
source = "test"
"""


def _writer_can_open(path: Path) -> str:
    run = subprocess.run(
        [sys.executable, "-c", WRITER, str(path)], capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def _cost(conn: object, key: str) -> object:
    return conn.execute(  # type: ignore[attr-defined]
        "SELECT cost_usd FROM priced_requests WHERE request_key = $k", {"k": key}
    ).fetchall()[0][0]


def test_the_file_is_held_only_inside_the_with(db_path: Path) -> None:
    with db.connect(db_path) as conn:
        insert(conn, request(request_key="a", input_tokens=100_000))
    with db.reading(db_path) as conn:
        # Sonnet 4.5, hand-worked: 100K input tokens x $3 per MTok (below the 200K tier).
        assert _cost(conn, "a") == Decimal("0.3")
        assert _writer_can_open(db_path) == "locked"
    assert _writer_can_open(db_path) == "opened"
    # A write between loads is seen by the next load.
    with db.connect(db_path) as conn:
        insert(conn, request(request_key="b", output_tokens=100_000))
    with db.reading(db_path) as conn:
        assert _cost(conn, "b") == Decimal("1.5")  # 100K output x $15 per MTok
        assert conn.execute("SELECT count(*) FROM requests").fetchall()[0][0] == 2


def test_a_changed_price_file_is_used_by_the_next_load(db_path: Path, tmp_path: Path) -> None:
    with db.connect(db_path) as conn:
        insert(conn, request(request_key="m", model="claude-mystery-1", input_tokens=100_000))
    prices = tmp_path / "prices.toml"
    with db.reading(db_path) as conn:
        assert _cost(conn, "m") is None  # unpriced, never $0
    prices.write_text(MYSTERY_PRICES.format(rate=1), encoding="utf-8")
    with db.reading(db_path, prices=prices) as conn:
        assert _cost(conn, "m") == Decimal("0.1")  # 100K x $1 per MTok
    prices.write_text(MYSTERY_PRICES.format(rate="1.5"), encoding="utf-8")
    with db.reading(db_path, prices=prices) as conn:
        assert _cost(conn, "m") == Decimal("0.15")  # 100K x $1.50 per MTok


def test_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(db.DatabaseError, match="switchcost ingest"), db.reading(tmp_path / "no"):
        pass


def test_a_load_left_attached_does_not_break_the_next(db_path: Path) -> None:
    with db.connect(db_path) as conn:
        insert(conn, request(request_key="a", input_tokens=100_000))
    with db.reading(db_path) as conn:
        pass
    # As if a load had died between ATTACH and DETACH.
    conn.execute("ATTACH $p AS reading (READ_ONLY)", {"p": str(db_path)})
    with db.reading(db_path) as again:
        assert _cost(again, "a") == Decimal("0.3")
    assert _writer_can_open(db_path) == "opened"


def _pool_bytes(conn: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's memory_limit in bytes (it prints e.g. '61.0 MiB')."""
    text = conn.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    number, unit = text.split()
    return int(float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[unit])


def test_the_writer_keeps_a_small_buffer_pool_and_readers_a_larger_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest writes each block once, so its pool only caches what it wrote: small."""
    monkeypatch.delenv("SWITCHCOST_MEMORY", raising=False)
    path = tmp_path / "t.duckdb"
    with db.connect(path) as conn:
        writer = _pool_bytes(conn)
    with db.connect(path, read_only=True) as conn:
        reader = _pool_bytes(conn)
    assert writer <= 64 * 10**6 < 200 * 10**6 <= reader
    monkeypatch.setenv("SWITCHCOST_MEMORY", "1GB")
    with db.connect(path) as conn:
        assert _pool_bytes(conn) > 900 * 10**6
