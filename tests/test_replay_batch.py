"""Batch replays: submit through Message Batches, `replay status`, `replay collect` (twice is
harmless), batch prices; and the judge and command graders."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from switchcost.ingest.capture import store_path
from switchcost.queries import db as qdb
from switchcost.queries.measured import evidence, store
from tests.replay_fakeapi import SMALL, replay_api, small_counted, small_output_tokens
from tests.replay_setup import API_KEY, cli, ingest, record, write_log

N = 30


@pytest.fixture
def captured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    log = write_log(tmp_path / "calls.jsonl", [record(n, "extract") for n in range(N)])
    db = tmp_path / "s.duckdb"
    ingest(log, db)
    return db


def _run(db: Path) -> dict[str, object]:
    with qdb.connect(db, read_only=True) as conn:
        (run,) = store.runs(conn)
        return run


def test_batch_submit_status_collect_twice(captured: Path) -> None:
    db = str(captured)
    with replay_api() as (api, state):
        base = ["--db", db, "--base-url", api.url]
        out = cli("replay", "--to", SMALL, "--grader", "json", "--yes", "--sample", "20", *base)
        assert out.exit_code == 0, out.output
        assert "submitted batch msgbatch_fake1" in out.output
        assert api.calls("/v1/messages") == []  # nothing sent one by one
        (batch,) = state.batches.values()
        assert len(batch) == 20
        assert {r["params"]["model"] for r in batch} == {SMALL}
        # The same command again while the batch is out submits nothing new.
        again = cli("replay", "--to", SMALL, "--grader", "json", "--yes", "--sample", "20", *base)
        assert again.exit_code == 0
        assert len(state.batches) == 1
        status = cli("replay", "status", *base)
        assert "in_progress" in status.stdout
        early = cli("replay", "collect", *base)
        assert early.exit_code == 0
        assert "in_progress" in early.output
        state.batch_ready = True
        done = cli("replay", "collect", *base)
        assert done.exit_code == 0, done.output
        assert "20 new answers stored" in done.output
        run = _run(captured)
        with qdb.connect(captured, read_only=True) as conn:
            samples = store.samples(conn, str(run["run_id"]))
            spent = store.spent(conn, str(run["run_id"]))
            first_verdicts = store.verdicts(conn, str(run["run_id"]))
        numbers = [int(str(s["request_key"]).removeprefix("msg:msg_orig_")) for s in samples]
        # Batch at half of Haiku 4.5's $1/$5 per MTok.
        tokens_in = sum(small_counted(n) for n in numbers)
        tokens_out = sum(small_output_tokens(n) for n in numbers)
        assert spent == (Decimal(tokens_in) + 5 * Decimal(tokens_out)) / 1_000_000 / 2
        assert len(first_verdicts) == 20
        assert sum(1 for v in first_verdicts if not v["passed"]) == sum(
            1 for n in numbers if n % 5 == 0
        )
        twice = cli("replay", "collect", *base)
        assert twice.exit_code == 0
        assert "0 new answers stored" in twice.output
        with qdb.connect(captured, read_only=True) as conn:
            assert store.spent(conn, str(run["run_id"])) == spent
            assert len(store.verdicts(conn, str(run["run_id"]))) == 20
        assert api.calls("/v1/messages") == []
        assert len(api.calls("/v1/messages/batches")) == 1


def test_judge_grader_both_orders(captured: Path) -> None:
    with replay_api() as (api, _state):
        out = cli(
            "replay", "--to", SMALL, "--mode", "live", "--grader", "judge", "--yes",
            "--sample", "10", "--max-usd", "1", "--db", str(captured), "--base-url", api.url,
        )  # fmt: skip
        assert out.exit_code == 0, out.output
        judged = [
            s
            for s in api.calls("/v1/messages")
            if "compare two answers" in str(s.body.get("system"))
        ]
    run = _run(captured)
    with qdb.connect(captured, read_only=True) as conn:
        samples = store.samples(conn, str(run["run_id"]))
        verdicts = store.verdicts(conn, str(run["run_id"]))
        (ev,) = evidence.load(conn).values()
    numbers = [int(str(s["request_key"]).removeprefix("msg:msg_orig_")) for s in samples]
    assert len(judged) == 2 * len(samples)  # both orders per sample
    # Each pair: the original first once, the target first once.
    firsts = [s.body["messages"][0]["content"].split("<answer_A>\n")[1][:40] for s in judged]
    assert len(set(firsts)) >= len(samples)
    assert ev.passed == sum(1 for n in numbers if n % 5)
    assert all(v["grader"] == "judge" for v in verdicts)
    assert all(Decimal(v["cost_usd"]) > 0 for v in verdicts)  # the judge's cost counts
    failed = [v for v in verdicts if not v["passed"]]
    assert all(v["detail"] == "orders: original first → A, target first → B" for v in failed)
    # The judge's words are kept in the capture store only, never in the database.
    import sqlite3

    with sqlite3.connect(store_path(captured)) as conn:
        reasons = conn.execute("SELECT count(*) FROM reasons").fetchone()
    assert reasons == (len(samples),)


def test_command_grader(captured: Path, tmp_path: Path) -> None:
    script = tmp_path / "grade.py"
    script.write_text(
        "import json, sys\n"
        "d = json.load(sys.stdin)\n"
        "ok = json.loads(d['target'])['qty'] == json.loads(d['original'])['qty']\n"
        "print('pass' if ok else 'fail')\n",
        encoding="utf-8",
    )
    with replay_api() as (api, _state):
        out = cli(
            "replay", "--to", SMALL, "--mode", "live", "--grader",
            f"command:{sys.executable} {script}", "--yes", "--sample", "10",
            "--db", str(captured), "--base-url", api.url,
        )  # fmt: skip
        assert out.exit_code == 0, out.output
    with qdb.connect(captured, read_only=True) as conn:
        (ev,) = evidence.load(conn).values()
        run = _run(captured)
        numbers = [
            int(str(s["request_key"]).removeprefix("msg:msg_orig_"))
            for s in store.samples(conn, str(run["run_id"]))
        ]
    assert ev.passed == sum(1 for n in numbers if n % 5)


def test_command_grader_that_prints_nonsense_is_an_error(captured: Path) -> None:
    with replay_api() as (api, _state):
        out = cli(
            "replay", "--to", SMALL, "--mode", "live", "--grader", "command:echo maybe",
            "--yes", "--sample", "3", "--db", str(captured), "--base-url", api.url,
        )  # fmt: skip
    assert out.exit_code == 1
    assert "must print pass or fail" in out.output


def test_batch_refused_parameter_is_dropped_on_the_next_submission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    log = write_log(tmp_path / "c.jsonl", [record(n, "extract", top_k=5) for n in range(4)])
    db = tmp_path / "s.duckdb"
    ingest(log, db)
    with replay_api() as (api, state):
        args = ["replay", "--to", SMALL, "--grader", "json", "--yes"]
        base = ["--db", str(db), "--base-url", api.url]
        assert cli(*args, *base).exit_code == 0
        state.batch_ready = True
        assert "0 new answers stored" in cli("replay", "collect", *base).output
        with qdb.connect(db, read_only=True) as conn:
            (run,) = store.runs(conn)
            first = store.samples(conn, str(run["run_id"]))
        assert {(s["status"], s["dropped_params"]) for s in first} == {("pending", "top_k")}
        # The same command again sends them without top_k, and they are answered.
        assert cli(*args, *base).exit_code == 0
        second = state.batches["msgbatch_fake2"]
        assert not any("top_k" in r["params"] for r in second)
        assert "4 new answers stored" in cli("replay", "collect", *base).output
        with qdb.connect(db, read_only=True) as conn:
            final = store.samples(conn, str(run["run_id"]))
        assert {(s["status"], s["dropped_params"]) for s in final} == {("answered", "top_k")}
