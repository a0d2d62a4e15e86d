"""Capture is opt-in and private: instrument(capture=True) → `ingest --capture` → a 0600 store
beside the database; nothing without the flags; `capture purge`; the API key never written."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import anthropic
import pytest

from switchcost.ingest.capture import captured_keys, get_captures, store_path
from switchcost.ingest.instrument import instrument
from tests.replay_fakeapi import BIG, SMALL, original_answer, prompt, replay_api
from tests.replay_setup import API_KEY, cli, ingest, record, write_log


def _calls(log: Path, url: str, capture: bool) -> None:
    client = instrument(
        anthropic.Anthropic(api_key=API_KEY, base_url=url, max_retries=0),
        log,
        tags={"workload": "extract"},
        capture=capture,
    )
    for n in (1, 2):
        client.messages.create(
            model=BIG,
            max_tokens=100,
            system="You extract records.",
            messages=[{"role": "user", "content": prompt(n)}],
            stop_sequences=["END"],
            extra_body={"temperature": 0},
            extra_headers={"x-secret-header": "do-not-log"},
        )
    with client.messages.stream(
        model=BIG, max_tokens=100, messages=[{"role": "user", "content": prompt(3)}]
    ) as stream:
        stream.get_final_message()


def test_instrument_capture_then_ingest_capture(tmp_path: Path) -> None:
    log, db = tmp_path / "calls.jsonl", tmp_path / "s.duckdb"
    with replay_api() as (api, _state):
        _calls(log, api.url, capture=True)
    text = log.read_text(encoding="utf-8")
    assert "do-not-log" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    first = lines[0]
    assert first["request"]["system"] == "You extract records."
    assert first["request"]["temperature"] == 0
    assert first["request"]["stop_sequences"] == ["END"]
    assert "extra_headers" not in first["request"]
    assert first["response"]["content"][0]["text"] == original_answer(1)
    out = ingest(log, db)
    assert "captured 3 new request bodies" in out.output
    path = store_path(db)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = sorted(k for k, _, _ in captured_keys(db))
    assert keys == sorted(f"msg:{r['response']['id']}" for r in lines)
    got = get_captures(db, keys)
    assert got[f"msg:{first['response']['id']}"].request["messages"][0]["content"] == prompt(1)
    assert {c.workload for c in got.values()} == {"extract"}
    # Ingesting again captures nothing new and bills nothing twice.
    again = ingest(log, db)
    assert "captured 0 new request bodies" in again.output


def test_nothing_captured_without_the_flags(tmp_path: Path) -> None:
    log, db = tmp_path / "calls.jsonl", tmp_path / "s.duckdb"
    with replay_api() as (api, _state):
        _calls(log, api.url, capture=False)
    assert prompt(1) not in log.read_text(encoding="utf-8")
    ingest(log, db, capture=True)
    assert captured_keys(db) == []  # a log without bodies gives none
    log2 = write_log(tmp_path / "bodies.jsonl", [record(n, "extract") for n in range(3)])
    ingest(log2, db, capture=False)
    assert not store_path(db).exists() or captured_keys(db) == []


def test_purge(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    log = write_log(
        tmp_path / "c.jsonl",
        [record(n, "a", day=10) for n in range(3)]
        + [record(n, "b", day=20) for n in range(3, 6)]
        + [record(n, "a", day=25) for n in range(6, 9)],
    )
    ingest(log, db)
    assert len(captured_keys(db)) == 9
    out = cli("capture", "purge", "--workload", "b", "--db", str(db))
    assert "purged 3 captured calls" in out.output
    out = cli("capture", "purge", "--before", "2026-11-15", "--db", str(db))
    assert "purged 3 captured calls" in out.output
    assert sorted(k for k, _, _ in captured_keys(db)) == [
        f"msg:msg_orig_{n:04d}" for n in (6, 7, 8)
    ]
    cli("capture", "purge", "--db", str(db))
    assert captured_keys(db) == []
    # Deleted text does not linger in the file's free pages.
    assert prompt(7).encode() not in store_path(db).read_bytes()
    # The usage rows stay: purge deletes bodies only.
    report = cli("report", "--by", "workload", "--format", "csv", "--db", str(db))
    assert report.exit_code == 0
    assert "a," in report.stdout


def test_api_key_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    log, db = tmp_path / "calls.jsonl", tmp_path / "s.duckdb"
    outputs = []
    with replay_api() as (api, state):
        _calls(log, api.url, capture=True)
        write_log(tmp_path / "more.jsonl", [record(n, "extract") for n in range(10, 40)])
        outputs.append(ingest(log, db).output)
        outputs.append(ingest(tmp_path / "more.jsonl", db).output)
        base = ["--db", str(db), "--base-url", api.url, "--yes", "--grader", "json"]
        outputs.append(cli("replay", "--to", SMALL, "--mode", "live", *base).output)
        outputs.append(cli("replay", "--to", SMALL, "--sample", "5", *base).output)
        state.batch_ready = True
        outputs.append(cli("replay", "collect", "--db", str(db), "--base-url", api.url).output)
        outputs.append(cli("project", "--to", SMALL, "--measured", "--db", str(db)).output)
        outputs.append(cli("replay", "status", "--db", str(db), "--base-url", api.url).output)
        carried = [any(API_KEY in v for v in s.headers.values()) for s in api.seen]
    assert carried
    assert all(carried)  # the key was sent with every call...
    secret = API_KEY.encode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path  # ...and written nowhere
    assert not any(API_KEY in o for o in outputs)
