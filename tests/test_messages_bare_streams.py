"""Raw SDK stream events logged one per line with no wrapper (`event.to_json()` per event)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from switchcost.ingest import discover
from switchcost.ingest.load import ingest_paths
from switchcost.ingest.readers import detect
from switchcost.queries import db

FIXTURES = Path(__file__).parent / "fixtures" / "messages"


def fetch(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(sql).fetchall()


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def test_bare_events_are_detected(tmp_path: Path) -> None:
    log = copy("bare_stream.jsonl", tmp_path)
    assert detect(log, discover.read_head(log)) == "messages"


def test_bare_streams_price_their_final_cumulative_usage(tmp_path: Path, db_path: Path) -> None:
    log = copy("bare_stream.jsonl", tmp_path)
    report = ingest_paths([log], db_path=db_path)
    assert report.malformed == []
    assert report.skipped_files == []
    assert report.new_requests == 2
    got = fetch(
        db_path,
        "SELECT message_id, source_line, input_tokens, cache_write_5m, cache_read, output_tokens,"
        " cost_usd FROM priced_requests ORDER BY message_id",
    )
    # msg_bare1 (Sonnet 4.5): 2,000 x $3 + 1,000 x $3.75 (5m write) + 5,000 x $0.30
    #   + 300 x $15 (the delta's output, not the start's 1) = 6,000 + 3,750 + 1,500 + 4,500
    #   = 15,750 per MTok -> $0.01575
    # msg_bare2 (Haiku 4.5): input 500 from message_start (the deltas omit it), output 150 from
    #   the LAST delta (120 then 150: cumulative, never added): 500 x $1 + 150 x $5 = 1,250
    #   -> $0.00125
    assert got == [
        ("msg_bare1", 1, 2000, 1000, 5000, 300, Decimal("0.01575")),
        ("msg_bare2", 8, 500, 0, 0, 150, Decimal("0.00125")),
    ]


def test_interleaved_bare_streams_end_the_open_one(tmp_path: Path, db_path: Path) -> None:
    """A bare message_start while another bare stream is open: the open one is billed with
    what it had (its start's usage); later events go to the newer stream; events after its
    stop belong to no open stream and are ignored."""
    log = copy("bare_interleaved.jsonl", tmp_path)
    report = ingest_paths([log], db_path=db_path)
    assert (report.new_requests, report.malformed) == (2, [])
    got = fetch(
        db_path,
        "SELECT message_id, input_tokens, output_tokens, cost_usd FROM priced_requests"
        " ORDER BY message_id",
    )
    # msg_A (Haiku 4.5): 1,000 x $1 + 1 x $5 = 1,005 -> $0.001005
    # msg_B: 3,000 x $1 + 400 x $5 = 5,000 -> $0.005 (the 999 after its stop is nobody's)
    assert got == [
        ("msg_A", 1000, 1, Decimal("0.001005")),
        ("msg_B", 3000, 400, Decimal("0.005")),
    ]


def test_an_open_bare_stream_waits_for_the_next_run(tmp_path: Path, db_path: Path) -> None:
    lines = (FIXTURES / "bare_stream.jsonl").read_text(encoding="utf-8").splitlines()
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")  # start .. first delta
    first = ingest_paths([log], db_path=db_path)
    assert (first.new_requests, first.malformed) == (0, [])
    with log.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines[4:7]) + "\n")
    second = ingest_paths([log], db_path=db_path)
    assert (second.new_requests, second.malformed) == (1, [])
    # As msg_bare1 above: $0.01575
    assert fetch(db_path, "SELECT output_tokens, cost_usd FROM priced_requests") == [
        (300, Decimal("0.01575"))
    ]


def test_bare_and_wrapped_streams_in_one_file(tmp_path: Path, db_path: Path) -> None:
    bare = (FIXTURES / "bare_stream.jsonl").read_text(encoding="utf-8").splitlines()[:7]
    start = {
        "id": "msg_w",
        "type": "message",
        "model": "claude-haiku-4-5-20251001",
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    wrapped = [
        {
            "ts": "2026-11-03T09:00:00Z",
            "request_id": "r",
            "event": {"type": "message_start", "message": start},
        },
        {
            "ts": "2026-11-03T09:00:01Z",
            "request_id": "r",
            "event": {"type": "message_delta", "usage": {"output_tokens": 20}},
        },
        {"ts": "2026-11-03T09:00:02Z", "request_id": "r", "event": {"type": "message_stop"}},
    ]
    # The wrapped stream's events sit between the bare stream's: keyed by request id, they
    # never join the bare stream.
    lines = bare[:3] + [json.dumps(w) for w in wrapped] + bare[3:]
    log = tmp_path / "mixed.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_paths([log], db_path=db_path)
    assert (report.new_requests, report.malformed) == (2, [])
    # msg_w (Haiku 4.5): 10 x $1 + 20 x $5 = 110 -> $0.00011; msg_bare1 as above: $0.01575
    assert fetch(
        db_path, "SELECT message_id, latency_ms, cost_usd FROM priced_requests ORDER BY 1"
    ) == [("msg_bare1", None, Decimal("0.01575")), ("msg_w", 2000.0, Decimal("0.00011"))]
