"""Claude Code transcripts as real versions write them: earlier layouts, bad values, a
byte-order mark, API errors, timing from the transcript's timestamps, giant lines.

Dollars are worked by hand from Anthropic's published rates for Claude Sonnet 4.5 (per million
tokens: input $3, output $15, 5-minute cache write $3.75, 1-hour write $6, cache read $0.30).
"""

from __future__ import annotations

import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db
from tests.cc_lines import assistant, user

SONNET = "claude-sonnet-4-5-20250929"


def tree(root: Path, session: str = "s1") -> Path:
    folder = root / "projects" / "-w-acme"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{session}.jsonl"


def priced(db_path: Path) -> list[tuple[Any, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(
            "SELECT message_id, cost_usd, latency_ms, ttft_ms FROM priced_requests"
            " ORDER BY message_id"
        ).fetchall()


def old_layout(msg_id: str, *, type_: str | None, inp: int, out: int, lump: int, read: int) -> str:
    """A Claude Code 1.0-style response line: no cache_creation split, `costUSD`, and a
    top-level `type` that is absent or not "assistant"."""
    line: dict[str, Any] = {
        "parentUuid": "p1",
        "isSidechain": False,
        "userType": "external",
        "cwd": "/w",
        "sessionId": "s1",
        "version": "1.0.30",
        "costUSD": 0.0123,
        "message": {
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "model": SONNET,
            "content": [{"type": "text", "text": "done"}],
            "usage": {
                "input_tokens": inp,
                "output_tokens": out,
                "cache_creation_input_tokens": lump,
                "cache_read_input_tokens": read,
            },
        },
        "requestId": f"req_{msg_id}",
        "uuid": f"u-{msg_id}",
        "timestamp": "2026-11-02T10:00:00.000Z",
    }
    if type_ is not None:
        line["type"] = type_
    return json.dumps(line, separators=(",", ":"))


def test_earlier_layouts_without_type_assistant_are_billed(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    f.write_text(
        "\n".join(
            [
                user(),
                old_layout("msg_a", type_=None, inp=1_000, out=2_000, lump=10_000, read=100_000),
                old_layout("msg_b", type_="response", inp=500, out=100, lump=0, read=0),
            ]
        )
        + "\n"
    )
    report = ingest_paths([tmp_path], db_path=db_path, fmt="claude-code")
    assert report.new_requests == 2
    assert report.malformed == []
    # msg_a: 1,000 x $3 + 2,000 x $15 + 10,000 x $3.75 (a lump: the 5-minute rate)
    #        + 100,000 x $0.30 = $0.003 + $0.03 + $0.0375 + $0.03 = $0.1005
    # msg_b: 500 x $3 + 100 x $15 = $0.0015 + $0.0015 = $0.003
    assert [(m, c) for m, c, _, _ in priced(db_path)] == [
        ("msg_a", Decimal("0.1005")),
        ("msg_b", Decimal("0.003")),
    ]


@pytest.mark.parametrize(
    ("usage_patch", "model", "reason"),
    [
        ({"input_tokens": -5000}, SONNET, "usage.input_tokens is negative: -5000"),
        ({"input_tokens": "12"}, SONNET, 'usage.input_tokens is not a whole number: "12"'),
        ({"output_tokens": 1.5}, SONNET, "usage.output_tokens is not a whole number: 1.5"),
        ({"cache_read_input_tokens": True}, SONNET, "cache_read_input_tokens is not a whole"),
        ({"output_tokens": 2**64}, SONNET, "usage.output_tokens is too large"),
        ({}, None, "message.model is missing, null or not a string"),
        ({}, "", "message.model is missing, null or not a string"),
        ({}, 42, "message.model is missing, null or not a string"),
    ],
)
def test_bad_values_are_named_and_not_billed(
    tmp_path: Path, db_path: Path, usage_patch: dict[str, Any], model: Any, reason: str
) -> None:
    bad = json.loads(assistant("msg_bad", "req_bad"))
    bad["message"]["usage"].update(usage_patch)
    bad["message"]["model"] = model
    f = tree(tmp_path)
    lines = [user(), assistant("msg_1", "r1", inp=100, out=10), json.dumps(bad)]
    lines.append(assistant("msg_2", "r2", inp=200, out=20))
    f.write_text("\n".join(lines) + "\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 2
    assert [(m.line, reason in m.reason) for m in report.malformed] == [(3, True)]
    # msg_1: 100 x $3 + 10 x $15 = $0.00045; msg_2: 200 x $3 + 20 x $15 = $0.0009
    assert [(m, c) for m, c, _, _ in priced(db_path)] == [
        ("msg_1", Decimal("0.00045")),
        ("msg_2", Decimal("0.0009")),
    ]


def test_a_line_that_is_a_json_array_is_reported(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    wrapped = "[" + assistant("msg_x", "rx") + "]"
    f.write_text("\n".join([user(), wrapped, '["just", "a", "list"]', assistant("m1", "r1")]))
    f.write_text(f.read_text() + "\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 1
    assert [m.line for m in report.malformed] == [2, 3]


def test_a_byte_order_mark_does_not_lose_the_first_record(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    body = "\n".join([assistant("msg_1", "r1", inp=100, out=10), user()]) + "\n"
    f.write_bytes(b"\xef\xbb\xbf" + body.encode())
    report = ingest_paths([tmp_path], db_path=db_path, fmt="claude-code")
    assert report.malformed == []
    assert [(m, c) for m, c, _, _ in priced(db_path)] == [("msg_1", Decimal("0.00045"))]


def test_api_error_lines_are_counted_not_billed(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    error = json.loads(assistant("msg_e", None, model="<synthetic>", inp=0, out=0))
    error["isApiErrorMessage"] = True
    f.write_text("\n".join([user(), json.dumps(error), assistant("msg_1", "r1")]) + "\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert (report.new_requests, report.error_records, report.malformed) == (1, 1, [])


def test_timing_is_derived_from_the_transcript(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    tool_result = json.loads(user(ts="2026-11-02T10:00:10.000Z"))
    tool_result["message"]["content"] = [{"type": "tool_result", "content": "ok"}]
    f.write_text(
        "\n".join(
            [
                user(ts="2026-11-02T10:00:00.000Z"),
                # two content blocks: the first at +2.0 s, the last at +5.5 s
                assistant("msg_1", "r1", out=5, ts="2026-11-02T10:00:02.000Z"),
                assistant("msg_1", "r1", out=300, ts="2026-11-02T10:00:05.500Z"),
                json.dumps(tool_result),
                # one block, 1.25 s after the tool result that prompted it
                assistant("msg_2", "r2", out=40, ts="2026-11-02T10:00:11.250Z"),
                # follows another response directly: no prompting line of its own
                assistant("msg_3", "r3", out=40, ts="2026-11-02T10:00:20.000Z"),
                user(ts="2026-11-02T10:01:00.000Z"),
                # over an hour after its prompt: not a response time
                assistant("msg_4", "r4", out=40, ts="2026-11-02T11:02:00.000Z"),
            ]
        )
        + "\n"
    )
    ingest_paths([tmp_path], db_path=db_path)
    assert [(m, lat, ttft) for m, _, lat, ttft in priced(db_path)] == [
        ("msg_1", 5500.0, 2000.0),
        ("msg_2", 1250.0, 1250.0),
        ("msg_3", None, None),
        ("msg_4", None, None),
    ]


def test_timing_survives_a_response_read_across_two_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchcost.ingest.readers import claude_code, claude_code_ranges

    f = tree(tmp_path / "logs")
    lines = [user(ts="2026-11-02T10:00:00.000Z")]
    lines += [
        assistant("msg_1", "r1", out=o, ts=f"2026-11-02T10:00:0{i}.000Z")
        for i, o in enumerate((5, 5, 5, 5, 300), 1)
    ]
    f.write_text("\n".join(lines) + "\n")
    whole = tmp_path / "whole.duckdb"
    ingest_paths([tmp_path / "logs"], db_path=whole)
    monkeypatch.setattr(claude_code, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(claude_code_ranges, "PIECE_BYTES", 450)  # about a line a piece
    monkeypatch.setattr(claude_code_ranges, "RANGE_BATCH_BYTES", 900)  # two lines a batch
    pieces = tmp_path / "pieces.duckdb"
    ingest_paths([tmp_path / "logs"], db_path=pieces)
    # 300 output tokens x $15 + 10 input x $3 = $0.00453; first block +1 s, last +5 s
    assert priced(whole) == priced(pieces) == [("msg_1", Decimal("0.00453"), 5000.0, 1000.0)]


def test_giant_lines_are_read_with_their_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchcost.ingest.readers import claude_code, claude_code_ranges

    monkeypatch.setattr(claude_code, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(claude_code_ranges, "GIANT_LINE", 2_000)
    monkeypatch.setattr(claude_code_ranges, "PIECE_BYTES", 2_000)
    monkeypatch.setattr(claude_code_ranges, "RANGE_BATCH_BYTES", 4_000)
    f = tree(tmp_path)
    big_user = json.loads(user(ts="2026-11-02T10:00:00.000Z"))
    big_user["message"]["content"] = "x" * 9_000  # a pasted file
    big_reply = json.loads(assistant("msg_1", "r1", out=700, ts="2026-11-02T10:00:03.000Z"))
    big_reply["message"]["content"] = [{"type": "text", "text": "y" * 12_000}]
    broken = assistant("msg_b", "rb")[:-1] + "z" * 5_000  # long and not JSON
    f.write_text(
        "\n".join([json.dumps(big_user), json.dumps(big_reply), broken, assistant("m2", "r2")])
        + "\n"
    )
    report = ingest_paths([tmp_path], db_path=tmp_path / "x.duckdb")
    assert report.new_requests == 2
    assert [m.line for m in report.malformed] == [3]
    # msg_1: 10 x $3 + 700 x $15 = $0.01053, 3 s after its prompt
    # m2: 10 x $3 + 100 x $15 = $0.00153
    assert priced(tmp_path / "x.duckdb") == [
        ("m2", Decimal("0.00153"), None, None),
        ("msg_1", Decimal("0.01053"), 3000.0, 3000.0),
    ]


def test_no_copy_of_the_transcripts_is_left_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchcost.ingest.readers import claude_code

    monkeypatch.setattr(claude_code, "WHOLE_FILE_BYTES", 0)  # everything read as ranges
    monkeypatch.chdir(tmp_path)
    f = tree(tmp_path / "logs")
    f.write_text("\n".join([user("a secret prompt"), assistant("m1", "r1")]) + "\n")
    before = set(os.listdir(tempfile.gettempdir()))
    ingest_paths([tmp_path / "logs"], db_path=tmp_path / "x.duckdb")
    after = set(os.listdir(tempfile.gettempdir()))
    assert {n for n in after - before if n.startswith("switchcost")} == set()
    assert not (tmp_path / ".tmp").exists()  # DuckDB's default spill folder


@pytest.mark.slow
def test_a_busy_day_and_a_50_mib_line_ingest_within_the_default_memory(tmp_path: Path) -> None:
    """70 MB appended to a session since the last run, plus one 50 MiB response line: the
    scheduled ingest that used to stop with "DuckDB ran out of memory" now reads it all."""
    f = tree(tmp_path)
    f.write_text("\n".join([user(), assistant("first", "r0", inp=10, out=100)]) + "\n")
    db_path = tmp_path / "x.duckdb"
    ingest_paths([tmp_path], db_path=db_path)
    prompt = json.loads(user())
    prompt["message"]["content"] = "q" * 3_000
    pair = json.dumps(prompt, separators=(",", ":")) + "\n"
    n = 0
    with f.open("a") as out:
        while out.tell() < 70 * 1024 * 1024:
            out.write(pair + assistant(f"m{n}", f"r{n}", inp=10, out=100) + "\n")
            n += 1
    giant = json.loads(assistant("giant", "rg", inp=10, out=700))
    giant["message"]["content"] = [{"type": "text", "text": "y" * (50 * 1024 * 1024)}]
    tree(tmp_path, "s2").write_text(user() + "\n" + json.dumps(giant) + "\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert (report.new_requests, report.malformed) == (n + 1, [])
    with db.connect(db_path, read_only=True) as conn:
        total = conn.execute("SELECT sum(cost_usd) FROM priced_requests").fetchall()[0][0]
    # each of the n + 1 small calls: 10 x $3 + 100 x $15 = $0.00153;
    # the giant one: 10 x $3 + 700 x $15 = $0.01053
    assert total == Decimal("0.00153") * (n + 1) + Decimal("0.01053")
