"""A forced --format that finds nothing billable in a non-empty file says so, naming the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cc_lines import assistant, user


def sc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def nothing_line(path: Path) -> str:
    return (
        f"{path}: read as claude-code, but nothing billable was found in it "
        "(no request and no malformed line): is it in another format?"
    )


def test_forced_format_with_nothing_billable_names_the_file_and_fails(tmp_path: Path) -> None:
    # Messages API responses: valid JSON objects, but no Claude Code assistant line.
    app_log = tmp_path / "app.jsonl"
    response = {"id": "msg_1", "type": "message", "model": "claude-haiku-4-5", "usage": {}}
    app_log.write_text(json.dumps(response) + "\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    run = sc("ingest", str(app_log), "--db", str(db), "--format", "claude-code")
    assert run.returncode == 1  # as "nothing readable": the only file gave nothing
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        nothing_line(app_log),
        "1 files read (0 unchanged, 0 skipped), 0 new requests, 0 duplicates skipped,"
        " 0 malformed lines, 0 unpriced requests",
        "1 lines read: 1 other (prompts, tool results, events, blank)",
    ]


def test_forced_format_names_only_the_quiet_file(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(assistant("m1", "r1") + "\n", encoding="utf-8")
    quiet = tmp_path / "quiet.jsonl"
    quiet.write_text(user("only a prompt, no reply yet") + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    run = sc("ingest", str(tmp_path), "--db", str(db), "--format", "claude-code")
    assert run.returncode == 0, run.stderr  # something was read
    assert nothing_line(quiet) in run.stderr
    assert "good.jsonl: read as" not in run.stderr
    assert "bad.jsonl: read as" not in run.stderr  # its malformed line is named instead
    assert f"{bad}:1:" in run.stderr
    assert "1 new requests" in run.stderr
    # Later runs: the good file is up to date, nothing is said about it.
    again = sc("ingest", str(tmp_path), "--db", str(db), "--format", "claude-code")
    assert again.returncode == 0, again.stderr
    assert "nothing billable" not in again.stderr


def test_auto_detection_does_not_warn_about_a_transcript_without_replies(tmp_path: Path) -> None:
    quiet = tmp_path / "quiet.jsonl"
    quiet.write_text(user("hello") + "\n", encoding="utf-8")
    run = sc("ingest", str(quiet), "--db", str(tmp_path / "db.duckdb"))
    assert run.returncode == 0, run.stderr
    assert "nothing billable" not in run.stderr
    assert "1 files read" in run.stderr
