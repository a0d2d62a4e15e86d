"""One ingest of a tree holding every layout the real-log issue names: the summary accounts for
every line, and the bill is the sum of hand-worked parts.

Rates (per million tokens, Anthropic's pricing page): Claude Sonnet 4.5 input $3, output $15,
5-minute cache write $3.75, cache read $0.30; Claude Haiku 4.5 input $1, output $5.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db
from tests.cc_lines import assistant, user
from tests.test_cc_real_layouts import old_layout

FIXTURES = Path(__file__).parent / "fixtures"
SONNET = "claude-sonnet-4-5-20250929"


def message(msg_id: str, model: str, usage: dict[str, object]) -> dict[str, object]:
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": "end_turn",
        "usage": usage,
    }


def build(root: Path) -> None:
    cc = root / "claude" / "projects" / "-w-acme"
    cc.mkdir(parents=True)
    first = json.loads(user(ts="2026-11-02T09:59:58.000Z"))
    first["message"]["content"] = "pasted file " + "x" * 100_000  # uuid lies past 4 KB
    error = json.loads(assistant("msg_e", None, model="<synthetic>", inp=0, out=0))
    error["isApiErrorMessage"] = True
    (cc / "s1.jsonl").write_text(
        "\n".join(
            [
                json.dumps(first, separators=(",", ":")),
                assistant("msg_1", "r1", out=8, ts="2026-11-02T10:00:00.000Z"),
                assistant("msg_1", "r1", out=412, ts="2026-11-02T10:00:04.000Z"),
                old_layout("msg_a", type_=None, inp=1_000, out=2_000, lump=10_000, read=100_000),
                json.dumps(error),
            ]
        )
        + "\n"
    )
    app = root / "app"
    app.mkdir()
    shutil.copy(FIXTURES / "messages" / "bare_stream.jsonl", app / "bare.jsonl")
    compaction = {
        "ts": "2026-11-02T10:00:00Z",
        "request_id": "req_c1",
        "tags": {"workload": "agent"},
        "response": message(
            "msg_c1",
            SONNET,
            {
                "input_tokens": 23_000,
                "output_tokens": 1_000,
                "iterations": [
                    {
                        "type": "compaction",
                        "input_tokens": 180_000,
                        "output_tokens": 3_500,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                    {
                        "type": "message",
                        "input_tokens": 23_000,
                        "output_tokens": 1_000,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                ],
            },
        ),
    }
    api_error = {
        "ts": "2026-11-02T10:01:00Z",
        "request_id": "req_err",
        "error": {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    }
    (app / "agent.jsonl").write_text(
        "\n".join(
            [
                json.dumps(compaction),
                json.dumps(compaction),  # logged twice: one duplicate
                json.dumps(api_error),
                '{"ts": "2026-11-02T10:02:00Z", "response": {"type": "message", "usage": ',
            ]
        )
        + "\n"
    )
    tail = {
        "ts": "2026-11-02T10:03:00Z",
        "request_id": "req_t",
        "response": message(
            "msg_t", "claude-haiku-4-5-20251001", {"input_tokens": 1_000, "output_tokens": 100}
        ),
    }
    (app / "tail.jsonl").write_text(json.dumps(tail))  # no newline: the writer stopped here
    old = time.time() - 2 * 3600
    os.utime(app / "tail.jsonl", (old, old))
    spans = root / "otel"
    spans.mkdir()
    shutil.copy(FIXTURES / "otel" / "cache_ttl_spans.jsonl", spans / "spans.jsonl")


def test_the_summary_accounts_for_every_line_and_the_bill_adds_up(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    build(root)
    lines = sum(
        f.read_bytes().count(b"\n") + (not f.read_bytes().endswith(b"\n"))
        for f in root.rglob("*")
        if f.is_file()
    )
    report = ingest_paths([root], db_path=tmp_path / "x.duckdb")
    assert report.skipped_files == []
    # the OTel fixture's second line is a span whose split is not a number
    assert sorted((Path(m.path).name, m.line) for m in report.malformed) == [
        ("agent.jsonl", 4),
        ("spans.jsonl", 2),
    ]
    # Claude Code: 3 response lines (two blocks of msg_1, msg_a), 1 prompt, 1 API error;
    # bare.jsonl: 14 event lines; agent.jsonl: 2 response lines, 1 error, 1 malformed;
    # tail.jsonl: 1; spans.jsonl: 1 line of five spans, 1 malformed.
    assert (report.response_lines, report.other_lines, report.error_records) == (21, 1, 2)
    assert report.response_lines + report.other_lines + report.error_records + 2 == lines
    # rows: msg_1, msg_a, 2 bare streams, the compaction call and its compaction entry,
    # msg_t, 5 spans; the second copy of the compaction call is a duplicate
    assert (report.new_requests, report.duplicates) == (12, 2)
    with db.connect(tmp_path / "x.duckdb", read_only=True) as conn:
        total = conn.execute("SELECT sum(cost_usd) FROM priced_requests").fetchall()[0][0]
    parts = [
        Decimal("0.00621"),  # msg_1: 10 x $3 + 412 x $15
        Decimal("0.1005"),  # msg_a: 1,000 x $3 + 2,000 x $15 + 10,000 x $3.75 + 100,000 x $0.30
        Decimal("0.01575"),  # msg_bare1: 2,000 x $3 + 1,000 x $3.75 + 5,000 x $0.30 + 300 x $15
        Decimal("0.00125"),  # msg_bare2 (Haiku): 500 x $1 + 150 x $5
        Decimal("0.084"),  # msg_c1: 23,000 x $3 + 1,000 x $15
        Decimal("0.5925"),  # its compaction: 180,000 x $3 + 3,500 x $15, on top
        Decimal("0.0015"),  # msg_t (Haiku): 1,000 x $1 + 100 x $5
        # the five spans of the OTel fixture (tests/test_otel_cache_ttl.py works each out)
        Decimal("0.0711") + Decimal("0.02025") + Decimal("0.00783"),
        Decimal("0.0138") + Decimal("0.0123"),
    ]
    assert total == sum(parts)
