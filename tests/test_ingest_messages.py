"""Application logs of Messages API calls: wrappers, bare messages, streams, errors, repeats."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db


def message(
    msg_id: str,
    *,
    model: str = "claude-sonnet-4-5-20250929",
    inp: int = 100,
    out: int = 10,
    w5: int = 0,
    w1: int = 0,
    read: int = 0,
    **usage: Any,
) -> dict[str, Any]:
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "..."}],
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": inp,
            "output_tokens": out,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": w5 + w1,
            "cache_creation": {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1},
            **usage,
        },
    }


def wrapped(
    msg: dict[str, Any],
    *,
    req: str,
    tags: dict[str, str],
    ts: str = "2026-11-03T08:00:00Z",
    latency: float | None = 1200,
    ttft: float | None = 300,
) -> dict[str, Any]:
    return {
        "ts": ts,
        "request_id": req,
        "latency_ms": latency,
        "ttft_ms": ttft,
        "stream": False,
        "tags": tags,
        "request": {"model": msg["model"], "max_tokens": 1024},
        "response": msg,
    }


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def fetch(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_wrappers_bare_errors_and_repeats(tmp_path: Path, db_path: Path) -> None:
    log = write(
        tmp_path / "app.jsonl",
        [
            wrapped(
                message("msg_a", inp=1000, out=100),
                req="req_a",
                tags={"feature": "triage", "app": "bot"},
            ),
            wrapped(message("msg_a", inp=1000, out=100), req="req_a", tags={"feature": "triage"}),
            message("msg_b", model="claude-haiku-4-5-20251001", inp=2000, out=200),
            {
                "ts": "2026-11-03T08:01:00Z",
                "request_id": "req_e",
                "tags": {"workload": "x"},
                "error": {"type": "error", "error": {"type": "overloaded_error"}},
            },
            wrapped(
                message("msg_c", inp=10, out=1, service_tier="batch"),
                req="req_c",
                tags={"workload": "extract", "feature": "ignored"},
                latency=None,
                ttft=None,
            ),
        ],
    )
    report = ingest_paths([log], db_path=db_path)
    assert (report.new_requests, report.error_records, len(report.malformed)) == (3, 1, 0)
    got = fetch(
        db_path,
        "SELECT message_id, workload, latency_ms, cost_usd FROM priced_requests"
        " ORDER BY message_id",
    )
    # msg_a: 1,000 x $3 + 100 x $15 = 4,500 -> $0.0045; msg_b (Haiku): 2,000 + 1,000 -> $0.003;
    # msg_c batch: (10 x 3 + 1 x 15) x 0.5 = 22.5 -> $0.0000225
    assert got == [
        ("msg_a", "triage", 1200.0, Decimal("0.0045")),
        ("msg_b", None, None, Decimal("0.003")),
        ("msg_c", "extract", None, Decimal("0.0000225")),
    ]


def test_stream_usage_is_cumulative_not_added(tmp_path: Path, db_path: Path) -> None:
    start = message("msg_s", inp=38, out=1, w5=2048, read=11800)
    events = [
        {
            "ts": "2026-11-03T09:00:00.000Z",
            "request_id": "req_s",
            "tags": {"workload": "chat"},
            "event": {"type": "message_start", "message": start},
        },
        {
            "ts": "2026-11-03T09:00:00.400Z",
            "request_id": "req_s",
            "event": {"type": "content_block_delta", "index": 0, "delta": {"text": "hi"}},
        },
        {
            "ts": "2026-11-03T09:00:01.000Z",
            "request_id": "req_s",
            "event": {"type": "message_delta", "usage": {"output_tokens": 150}},
        },
        {
            "ts": "2026-11-03T09:00:02.000Z",
            "request_id": "req_s",
            "event": {"type": "message_delta", "usage": {"input_tokens": 38, "output_tokens": 311}},
        },
        {
            "ts": "2026-11-03T09:00:02.100Z",
            "request_id": "req_s",
            "event": {"type": "message_stop"},
        },
    ]
    ingest_paths([write(tmp_path / "events.jsonl", events)], db_path=db_path)
    got = fetch(
        db_path,
        "SELECT input_tokens, cache_write_5m, cache_read, output_tokens,"
        " ttft_ms, latency_ms, workload FROM requests",
    )
    assert got == [(38, 2048, 11800, 311, 400.0, 2100.0, "chat")]


def test_unfinished_stream_is_left_for_the_next_run(tmp_path: Path, db_path: Path) -> None:
    start = {
        "ts": "2026-11-03T09:00:00Z",
        "request_id": "r1",
        "event": {"type": "message_start", "message": message("msg_u", out=1)},
    }
    log = write(tmp_path / "events.jsonl", [start])
    first = ingest_paths([log], db_path=db_path)
    assert first.new_requests == 0
    with log.open("a", encoding="utf-8") as fh:
        for event in (
            {"type": "message_delta", "usage": {"output_tokens": 99}},
            {"type": "message_stop"},
        ):
            fh.write(
                json.dumps({"ts": "2026-11-03T09:00:03Z", "request_id": "r1", "event": event})
                + "\n"
            )
    second = ingest_paths([log], db_path=db_path)
    assert second.new_requests == 1
    assert fetch(db_path, "SELECT output_tokens FROM requests") == [(99,)]


def test_stale_unfinished_stream_is_billed_with_what_was_seen(
    tmp_path: Path, db_path: Path
) -> None:
    log = write(
        tmp_path / "events.jsonl",
        [
            {
                "ts": "2026-11-03T09:00:00Z",
                "request_id": "r1",
                "event": {"type": "message_start", "message": message("msg_u", out=1)},
            }
        ],
    )
    old = time.time() - 7200
    os.utime(log, (old, old))
    assert ingest_paths([log], db_path=db_path).new_requests == 1


def test_bad_records_are_reported_with_their_line(tmp_path: Path, db_path: Path) -> None:
    bad_usage = message("msg_x")
    bad_usage["usage"]["output_tokens"] = -5
    no_output = message("msg_y")
    del no_output["usage"]["output_tokens"]
    log = tmp_path / "app.jsonl"
    log.write_text(
        "\n".join(
            [
                json.dumps(message("msg_ok")),
                '{"id": "msg_trunc", "type": "mess',
                json.dumps(bad_usage),
                json.dumps({"hello": "world"}),
                json.dumps(no_output),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = ingest_paths([log], db_path=db_path, fmt="messages")
    assert [(m.line, m.reason.split(" ")[0]) for m in report.malformed] == [
        (2, "not"),
        (3, "usage.output_tokens"),
        (4, "no"),
        (5, "usage"),
    ]
    assert report.new_requests == 1


def test_workload_rule_is_configurable(tmp_path: Path, db_path: Path) -> None:
    from switchcost.ingest.records import ReadOptions

    log = write(
        tmp_path / "app.jsonl",
        [wrapped(message("msg_a"), req="r", tags={"team": "growth", "feature": "triage"})],
    )
    ingest_paths([log], db_path=db_path, options=ReadOptions(workload_tags=("team", "feature")))
    assert fetch(db_path, "SELECT workload FROM requests") == [("growth",)]


def test_a_partly_read_file_leaves_no_stamp(tmp_path: Path, db_path: Path) -> None:
    # An unfinished stream waits for time, not bytes: a run must look at it again even when
    # the file has not changed, so no stamp may let the next run skip the database.
    from switchcost.ingest import stamp

    start = {
        "ts": "2026-11-03T09:00:00Z",
        "request_id": "r1",
        "event": {"type": "message_start", "message": message("msg_u", out=1)},
    }
    log = write(tmp_path / "events.jsonl", [start])
    done = write(tmp_path / "done.jsonl", [{"response": message("msg_d")}])
    ingest_paths([done], db_path=db_path)
    assert stamp.location(db_path).exists()
    ingest_paths([log, done], db_path=db_path)
    assert not stamp.location(db_path).exists()


def test_rows_flushed_in_batches_stop_at_an_open_stream(tmp_path: Path, monkeypatch: Any) -> None:
    """The reader turns its rows into Arrow a few at a time; across those batches nothing after
    a stream still being written is kept (the next read resumes at the stream's start), and a
    call logged twice comes out twice, for the loader to keep one."""
    from switchcost.ingest.readers import messages as reader
    from switchcost.ingest.records import ReadOptions
    from switchcost.ingest.tasks import FileTask

    tags = {"feature": "chat"}
    records = [
        wrapped(message("msg_a", out=11), req="r-a", tags=tags),
        wrapped(message("msg_b", out=20), req="r-b", tags=tags),
        wrapped(message("msg_a", out=99), req="r-a2", tags=tags),  # the same call again
        wrapped(message("msg_c", out=30), req="r-c", tags=tags),
        wrapped(message("msg_d", out=40), req="r-d", tags=tags),
        {
            "ts": "2026-11-03T09:00:00Z",
            "request_id": "r-open",
            "event": {"type": "message_start", "message": message("msg_open", out=1)},
        },
        wrapped(message("msg_e", out=50), req="r-e", tags=tags),  # after the open stream
    ]
    log = write(tmp_path / "app.jsonl", records)
    size = log.stat().st_size
    task = FileTask(log, 0, size, 0, size, log.stat().st_mtime)
    monkeypatch.setattr(reader, "FLUSH_ROWS", 2)
    result = reader.read([task], ReadOptions())
    table: Any = result.table
    assert table.column("message_id").to_pylist() == ["msg_a", "msg_b", "msg_a", "msg_c", "msg_d"]
    assert table.column("source_line").to_pylist() == [1, 2, 3, 4, 5]
    assert result.resume[str(log)][1] == 5  # line 6 opens the stream: the next read starts there


def test_a_large_log_is_read_in_ranges_with_the_same_result(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A log larger than the reader's range is read and merged range by range; streams open at
    a cut are read again from their start in the next range, so the stored requests equal those
    of one read of the whole file (and a call logged twice is stored once, its fullest copy)."""
    import random

    from switchcost.ingest.readers import messages as reader

    rng = random.Random(5)
    lines: list[dict[str, Any]] = []
    open_streams: list[str] = []
    partial: set[str] = set()
    for i in range(400):
        if rng.random() < 0.3:  # start a stream; its events interleave with later records
            rid = f"s{i}"
            open_streams.append(rid)
            start = message(f"msg_s{i}", inp=100 + i, out=1)
            lines.append(
                {
                    "ts": "2026-11-03T09:00:00Z",
                    "request_id": rid,
                    "event": {"type": "message_start", "message": start},
                }
            )
        elif open_streams and rng.random() < 0.5:
            # A first cumulative count now, the final one and the stop later: a range cut in
            # between must not bill the first.
            rid = rng.choice(open_streams)
            kind = "final" if rid in partial else "first"
            tokens = 7 + i if kind == "final" else 5
            event = {"type": "message_delta", "usage": {"output_tokens": tokens}}
            lines.append({"ts": "2026-11-03T09:00:02Z", "request_id": rid, "event": event})
            if kind == "final":
                open_streams.remove(rid)
                stop = {"type": "message_stop"}
                lines.append({"ts": "2026-11-03T09:00:03Z", "request_id": rid, "event": stop})
            partial.add(rid)
        else:
            j = rng.randrange(i + 1)  # now and then the same call again
            lines.append(
                wrapped(
                    message(f"msg_w{j}", inp=j, out=j % 7), req=f"r{j}", tags={"feature": "chat"}
                )
            )
    for rid in open_streams:
        for event in (
            {"type": "message_delta", "usage": {"output_tokens": 3}},
            {"type": "message_stop"},
        ):
            lines.append({"ts": "2026-11-03T09:00:09Z", "request_id": rid, "event": event})
    log = write(tmp_path / "app.jsonl", lines)
    query = (
        "SELECT request_key, source_line, input_tokens, output_tokens FROM requests"
        " ORDER BY request_key"
    )
    whole = ingest_paths([log], db_path=tmp_path / "whole.duckdb")
    monkeypatch.setattr(reader, "RANGE_BYTES", 2000)  # about 4 lines a range
    ranged = ingest_paths([log], db_path=tmp_path / "ranged.duckdb")
    assert log.stat().st_size > 50 * 2000
    assert fetch(tmp_path / "ranged.duckdb", query) == fetch(tmp_path / "whole.duckdb", query)
    assert (ranged.new_requests, ranged.files_read) == (whole.new_requests, 1)
    calls = {m["id"] for r in lines for m in [r.get("response") or {}] if m}
    calls |= {r["event"]["message"]["id"] for r in lines if "message" in r.get("event", {})}
    assert whole.new_requests == len(calls)


def test_counts_beyond_a_bigint_are_malformed_not_a_crash(tmp_path: Path, db_path: Path) -> None:
    """A token count no BIGINT holds is a bad line with its reason; the lines around it load."""
    tags = {"feature": "chat"}
    log = write(
        tmp_path / "app.jsonl",
        [
            wrapped(message("msg_ok1", out=5), req="r1", tags=tags),
            wrapped(message("msg_big", out=2**63), req="r2", tags=tags),
            wrapped(message("msg_huge", out=2**70), req="r3", tags=tags),
            wrapped(message("msg_ok2", out=7), req="r4", tags=tags),
        ],
    )
    report = ingest_paths([log], db_path=db_path)
    assert report.new_requests == 2
    reasons = {m.line: m.reason for m in report.malformed}
    assert reasons[2] == f"usage.output_tokens is too large: {2**63}"
    assert reasons[3].startswith("usage.output_tokens is not a non-negative integer")  # a float
    assert fetch(db_path, "SELECT message_id FROM requests ORDER BY 1") == [
        ("msg_ok1",),
        ("msg_ok2",),
    ]
