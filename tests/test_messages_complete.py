"""A call logged both as a stream's start alone and as the finished stream: the completed copy is
kept, even when the start reports more tokens (a compaction stream's start counts more cache
reads than its end), whichever file is read first and whether in one run or two."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db

MODEL = "claude-sonnet-4-5-20250929"
START_USAGE = {"input_tokens": 100, "cache_read_input_tokens": 150_000, "output_tokens": 1}
FINAL_USAGE = {
    "input_tokens": 100,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 20_000,
    "output_tokens": 2_000,
}
# The finished stream (Sonnet 4.5): 100 x $3 + 20,000 x $0.30 + 2,000 x $15
#   = 300 + 6,000 + 30,000 = 36,300 per MTok -> $0.0363
FINISHED_USD = Decimal("0.0363")


def _start_message() -> dict[str, Any]:
    return {
        "id": "msg_c",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [],
        "stop_reason": None,
        "usage": dict(START_USAGE),
    }


def _finished(path: Path) -> Path:
    events = [
        {"type": "message_start", "message": _start_message()},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "."}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": FINAL_USAGE},
        {"type": "message_stop"},
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def _start_only(path: Path, layout: str) -> Path:
    if layout == "bare":  # a bare message_start that never went on: billed once quiet
        record: dict[str, Any] = {"type": "message_start", "message": _start_message()}
    else:  # a wrapped record of the start's Message (stop_reason null), as a cut stream leaves
        record = {"ts": "2026-11-03T09:00:00Z", "request_id": "r", "response": _start_message()}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    old = time.time() - 7200
    os.utime(path, (old, old))
    return path


def _stored(db_path: Path) -> list[tuple[Any, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(
            "SELECT request_key, cache_read, output_tokens, complete, cost_usd FROM priced_requests"
        ).fetchall()


@pytest.mark.parametrize("layout", ["bare", "wrapped"])
@pytest.mark.parametrize("start_first", [True, False])
@pytest.mark.parametrize("two_runs", [False, True])
def test_the_finished_copy_wins(
    tmp_path: Path, db_path: Path, layout: str, start_first: bool, two_runs: bool
) -> None:
    # File names set the reading order (files are read in path order).
    start = _start_only(tmp_path / ("a.jsonl" if start_first else "b.jsonl"), layout)
    done = _finished(tmp_path / ("b.jsonl" if start_first else "a.jsonl"))
    first, second = (start, done) if start_first else (done, start)
    if two_runs:
        ingest_paths([first], db_path=db_path)
        report = ingest_paths([first, second], db_path=db_path)
    else:
        report = ingest_paths([first, second], db_path=db_path)
    assert report.malformed == []
    assert _stored(db_path) == [("msg:msg_c", 20_000, 2_000, True, FINISHED_USD)]


def test_between_incomplete_copies_the_fullest_wins(tmp_path: Path, db_path: Path) -> None:
    small = _start_only(tmp_path / "a.jsonl", "wrapped")
    big = tmp_path / "b.jsonl"
    message = _start_message()
    message["usage"]["output_tokens"] = 50
    big.write_text(json.dumps({"response": message}) + "\n", encoding="utf-8")
    ingest_paths([small, big], db_path=db_path)
    # 100 x $3 + 150,000 x $0.30 + 50 x $15 = 300 + 45,000 + 750 = 46,050 -> $0.04605
    assert _stored(db_path) == [("msg:msg_c", 150_000, 50, False, Decimal("0.04605"))]


def test_a_version_3_database_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    for version, name, sql in db._migrations():
        if version <= 3:
            conn.execute(sql)
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]
            )
    conn.execute(
        "INSERT INTO requests (request_key, source, source_file, source_line, ts, model,"
        " input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens, run_id)"
        " VALUES ('msg:old', 'messages', 'f', 1, TIMESTAMPTZ '2026-11-03 09:00:00+00',"
        " 'claude-haiku-4-5-20251001', 1000, 0, 0, 0, 100, 1)"
    )
    conn.close()
    with db.connect(path) as conn:  # the writer migrates
        assert db.schema_version(conn) == db.latest_version() >= 4
        got = conn.execute("SELECT request_key, complete, cost_usd FROM priced_requests").fetchall()
    # Haiku 4.5: 1,000 x $1 + 100 x $5 = 1,500 -> $0.0015
    assert got == [("msg:old", True, Decimal("0.0015"))]


def test_repeats_and_error_records_are_counted(tmp_path: Path, db_path: Path) -> None:
    """A response logged twice in one file is one request and one duplicate; an API error
    record is counted for the summary line, not billed."""
    done = {"ts": "2026-11-03T09:00:00Z", "request_id": "r", "response": _start_message()}
    done["response"]["stop_reason"] = "end_turn"
    error = {"ts": "2026-11-03T09:00:01Z", "error": {"type": "overloaded_error"}}
    log = tmp_path / "app.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in (done, done, error)), encoding="utf-8")
    report = ingest_paths([log], db_path=db_path)
    assert (report.new_requests, report.duplicates, report.error_records) == (1, 1, 1)
    assert report.error_records_note == ", 1 API error records skipped"
    assert ingest_paths([log], db_path=db_path).error_records_note == ""  # nothing new
