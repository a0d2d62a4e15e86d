"""A last line without a newline: left while the file may still be written, read once it has
been quiet for an hour, never doubled or lost by a later append."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchcost.ingest.load import ingest_paths
from switchcost.ingest.summary import IngestReport
from switchcost.ingest.tasks import QUIET_SECONDS
from switchcost.queries import db
from tests.cc_lines import assistant

# Sonnet 4.5: 1,000 input x $3/MTok + 1,000 output x $15/MTok = $0.003 + $0.015 = $0.018
EACH = Decimal("0.018")


def line(n: int) -> str:
    return assistant(f"m{n}", f"r{n}", inp=1000, out=1000, session="s")


def age(path: Path, seconds: float = QUIET_SECONDS + 60) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def run(path: Path, db_path: Path, **kw: Any) -> IngestReport:
    return ingest_paths([path], db_path=db_path, **kw)


def stored(db_path: Path) -> list[tuple[Any, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(
            "SELECT message_id, source_line, cost_usd FROM priced_requests ORDER BY message_id"
        ).fetchall()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    folder = tmp_path / "projects" / "-w"
    folder.mkdir(parents=True)
    return folder / "s.jsonl"


def test_old_unterminated_line_is_read_once_and_appends_stay_exact(
    log: Path, db_path: Path
) -> None:
    log.write_text(line(1) + "\n" + line(2), encoding="utf-8")  # no newline after m2
    first = run(log, db_path)
    assert first.new_requests == 1  # m2 may still be being written: left for later
    assert [r[0] for r in stored(db_path)] == ["m1"]
    again = run(log, db_path)  # still fresh: still waiting, nothing doubled
    assert (again.new_requests, again.duplicates) == (0, 0)

    age(log)
    quiet = run(log, db_path)
    assert (quiet.new_requests, quiet.duplicates, quiet.malformed) == (1, 0, [])
    assert stored(db_path) == [("m1", 1, EACH), ("m2", 2, EACH)]

    nothing = run(log, db_path)  # nothing new: nothing read
    assert (nothing.new_requests, nothing.duplicates, nothing.files_read) == (0, 0, 0)

    # The writer goes on: a newline first (closing m2's line), then a whole line.
    with log.open("a", encoding="utf-8") as fh:
        fh.write("\n" + line(3) + "\n")
    more = run(log, db_path)
    assert (more.new_requests, more.duplicates, more.malformed) == (1, 0, [])
    assert stored(db_path) == [("m1", 1, EACH), ("m2", 2, EACH), ("m3", 3, EACH)]

    # Another unterminated line, read when quiet; then a writer that appends without a
    # newline first: the new record is read on its own, the old one is not read again.
    with log.open("a", encoding="utf-8") as fh:
        fh.write(line(4))
    age(log)
    assert run(log, db_path).new_requests == 1
    with log.open("a", encoding="utf-8") as fh:
        fh.write(line(5) + "\n")
    last = run(log, db_path)
    assert (last.new_requests, last.duplicates, last.malformed) == (1, 0, [])
    rows = stored(db_path)
    assert [r[0] for r in rows] == ["m1", "m2", "m3", "m4", "m5"]
    # Five requests at $0.018 each = $0.090
    assert sum(r[2] for r in rows) == Decimal("0.090")


def test_old_unterminated_line_that_does_not_parse_is_named_once(log: Path, db_path: Path) -> None:
    log.write_text(line(1) + "\n" + line(2)[:60], encoding="utf-8")  # cut mid-record
    age(log)
    first = run(log, db_path)
    assert first.new_requests == 1
    assert [(m.path, m.line) for m in first.malformed] == [(str(log), 2)]
    second = run(log, db_path)
    assert (second.new_requests, second.malformed, second.files_read) == (0, [], 0)
    assert [r[0] for r in stored(db_path)] == ["m1"]


def test_a_file_that_is_one_unterminated_line(log: Path, db_path: Path) -> None:
    log.write_text(line(1), encoding="utf-8")
    assert run(log, db_path).new_requests == 0  # not a single whole line yet
    age(log)
    assert run(log, db_path).new_requests == 1
    with log.open("a", encoding="utf-8") as fh:
        fh.write("\n" + line(2) + "\n")
    more = run(log, db_path)
    assert (more.new_requests, more.duplicates) == (1, 0)
    assert stored(db_path) == [("m1", 1, EACH), ("m2", 2, EACH)]


def test_messages_log_with_an_unterminated_last_line(tmp_path: Path, db_path: Path) -> None:
    """The same rule for a JSON-lines reader that reads line by line (Messages API logs)."""

    def response(n: int) -> str:
        # Sonnet 4.5: 2,000 in x $3 + 100 out x $15 per MTok = $0.006 + $0.0015 = $0.0075
        msg = {
            "id": f"msg_{n}",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [],
            "usage": {"input_tokens": 2000, "output_tokens": 100},
        }
        return json.dumps({"ts": "2026-11-03T08:00:00Z", "request_id": f"req_{n}", "response": msg})

    log = tmp_path / "app.jsonl"
    log.write_text(response(1) + "\n" + response(2), encoding="utf-8")
    assert run(log, db_path).new_requests == 1
    age(log)
    assert run(log, db_path).new_requests == 1
    with log.open("a", encoding="utf-8") as fh:
        fh.write("\n" + response(3) + "\n")
    more = run(log, db_path)
    assert (more.new_requests, more.duplicates, more.malformed) == (1, 0, [])
    rows = stored(db_path)
    assert [(r[0], r[1]) for r in rows] == [("msg_1", 1), ("msg_2", 2), ("msg_3", 3)]
    assert sum(r[2] for r in rows) == Decimal("0.0225")  # 3 x $0.0075
