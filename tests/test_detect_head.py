"""Format detection reads whole lines: a long first line does not hide a Claude Code session."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from switchcost.ingest.head import LINE_KEEP, as_head, read_head
from switchcost.ingest.readers import detect
from tests.cc_lines import assistant


def sc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def long_user_line(size: int, session: str = "s-long") -> str:
    """A user line as Claude Code writes it: envelope, then `message`, then `uuid` (the key that
    detection needs comes after the long content)."""
    return json.dumps(
        {
            "parentUuid": None,
            "isSidechain": False,
            "userType": "external",
            "cwd": "/w",
            "sessionId": session,
            "version": "2.1.290",
            "gitBranch": "",
            "type": "user",
            "message": {"role": "user", "content": "p" * size},
            "uuid": "u-first",
            "timestamp": "2026-11-02T09:59:00.000Z",
        },
        separators=(",", ":"),
    )


def test_a_long_line_is_read_whole_but_kept_small(tmp_path: Path) -> None:
    log = tmp_path / "s.jsonl"
    log.write_text(long_user_line(1_000_000) + "\n\n" + assistant("m1", "r1") + "\n")
    head = read_head(log)
    assert len(head.lines) == 2  # the blank line is not one of them
    first = head.lines[0]
    assert first.size > 1_000_000
    assert len(first.first) == LINE_KEEP
    assert len(first.last) == LINE_KEEP
    assert first.has('"uuid"')
    assert first.has('"sessionId"')
    assert first.text.endswith('"timestamp":"2026-11-02T09:59:00.000Z"}')
    assert first.ended
    assert head.lines[1].whole
    assert head.lines[1].text == assistant("m1", "r1")
    # The old 4 KiB head held no `uuid`; plain bytes of that head are still not enough.
    assert detect(log, log.read_bytes()[:4096]) is None
    assert detect(log, head) == "claude-code"


def test_plain_bytes_still_work_as_a_head(tmp_path: Path) -> None:
    head = as_head(b"\n" + assistant("m1", "r1").encode() + b"\n")
    assert [ln.text for ln in head.lines] == [assistant("m1", "r1")]
    assert detect(tmp_path / "x.jsonl", head) == "claude-code"


def test_earlier_layout_under_projects_is_claude_code(tmp_path: Path) -> None:
    """Claude Code 1.0.x: no `uuid` on some lines; under projects/, `sessionId` is enough."""
    line = json.dumps({"sessionId": "s", "message": {"role": "assistant", "usage": {}}})
    inside = tmp_path / "projects" / "-w" / "s.jsonl"
    inside.parent.mkdir(parents=True)
    inside.write_text(line + "\n")
    outside = tmp_path / "elsewhere" / "s.jsonl"
    outside.parent.mkdir()
    outside.write_text(line + "\n")
    assert detect(inside, read_head(inside)) == "claude-code"
    assert detect(outside, read_head(outside)) != "claude-code"


def test_long_first_line_is_detected_ingested_and_billed(tmp_path: Path) -> None:
    root = tmp_path / "claude" / "projects" / "-w-alpha"
    root.mkdir(parents=True)
    (root / "s-long.jsonl").write_text(
        long_user_line(100_000)
        + "\n"
        + assistant("m1", "r1", session="s-long", inp=1200, w5=2000, w1=1000, read=10000, out=500)
        + "\n",
        encoding="utf-8",
    )
    junk = root / "notes.jsonl"
    junk.write_text('{"hello": "world"}\n', encoding="utf-8")
    db = tmp_path / "db.duckdb"
    run = sc("ingest", str(tmp_path / "claude"), "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "1 new requests" in run.stderr
    # The junk file is named, with why it was skipped.
    assert (
        f"{junk}: skipped, not a recognised log format: it sits under a projects/ folder like a"
        " Claude Code transcript, but its only line has no sessionId"
    ) in run.stderr
    assert "1 skipped" in run.stderr
    rep = sc("report", "--by", "model", "--db", str(db), "--format", "csv")
    assert rep.returncode == 0, rep.stderr
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(rep.stdout))}
    # Sonnet 4.5 per MTok: 1,200 in x $3 + 2,000 5m-writes x $3.75 + 1,000 1h-writes x $6
    # + 10,000 cache reads x $0.30 + 500 out x $15 = 3,600 + 7,500 + 6,000 + 3,000 + 7,500
    # = 27,600 $/MTok-token -> $0.0276
    row = rows["claude-sonnet-4-5"]
    assert row["requests"] == "1"
    assert Decimal(row["cost_usd"]) == Decimal("0.0276")
