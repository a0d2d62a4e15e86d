"""`switchcost replay --mode live` against the fake API: counts, estimate, cap, retries, resume
and the json grader recovering the fake small model's known error share and length factor."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from switchcost.queries import db as qdb
from switchcost.queries.measured import evidence, store
from tests.replay_fakeapi import (
    SMALL,
    fields,
    original_usage,
    replay_api,
    small_counted,
    small_output_tokens,
)
from tests.replay_setup import API_KEY, cli, ingest, record, write_log

N = 100


@pytest.fixture
def captured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    log = write_log(tmp_path / "calls.jsonl", [record(n, "extract") for n in range(N)])
    db = tmp_path / "s.duckdb"
    ingest(log, db)
    return db


def _replay(db: Path, url: str, *extra: str) -> tuple[int, str]:
    result = cli(
        "replay", "--to", SMALL, "--mode", "live", "--grader", "json", "--sample", "50",
        "--db", str(db), "--base-url", url, *extra,
    )  # fmt: skip
    return result.exit_code, result.output


def _samples(db: Path) -> list[dict[str, object]]:
    with qdb.connect(db, read_only=True) as conn:
        (run,) = store.runs(conn)
        return store.samples(conn, run["run_id"])


def _haiku_cost(numbers: list[int]) -> Decimal:
    # Haiku 4.5 list rates: $1 per MTok in, $5 per MTok out.
    tokens_in = sum(small_counted(n) for n in numbers)
    tokens_out = sum(small_output_tokens(n) for n in numbers)
    return (Decimal(tokens_in) * 1 + Decimal(tokens_out) * 5) / 1_000_000


def _numbers(samples: list[dict[str, object]]) -> list[int]:
    return [int(str(s["request_key"]).removeprefix("msg:msg_orig_")) for s in samples]


def test_live_replay_recovers_known_shares(captured: Path) -> None:
    with replay_api() as (api, state):
        state.fail_first = {1, 2, 3}
        state.overload_first = {4}
        code, out = _replay(captured, api.url, "--yes", "--max-usd", "1")
        assert code == 0, out
        sent = [s for s in api.calls("/v1/messages") if s.body.get("stream")]
        counted = api.calls("/v1/messages/count_tokens")
    samples = _samples(captured)
    numbers = _numbers(samples)
    assert len(samples) == 50
    assert len(set(numbers)) == 50
    assert all(s["status"] == "answered" for s in samples)
    # Every sample counted once, answered once (plus one retry per flaky record sampled).
    assert len(counted) == 50
    flaky = len({1, 2, 3, 4} & set(numbers))
    assert len(sent) == 50 + flaky
    assert all(s.body["model"] == SMALL for s in sent)
    # Spend from real usage at Haiku's rates (hand formula in _haiku_cost).
    with qdb.connect(captured, read_only=True) as conn:
        (run,) = store.runs(conn)
        assert store.spent(conn, run["run_id"]) == _haiku_cost(numbers)
        (ev,) = evidence.load(conn).values()
    # The fake small model gets qty wrong for n % 5 == 0: those fail, the rest pass.
    assert ev.passed == sum(1 for n in numbers if n % 5)
    lo, hi = ev.pass_rate_ci
    assert lo <= 0.8 <= hi  # the known 20% failure share is inside the Wilson interval
    # Output ratio: the population's ratio of sums over all N records is in the interval.
    truth = sum(small_output_tokens(n) for n in range(N)) / sum(
        original_usage(n)["output_tokens"] for n in range(N)
    )
    ci = ev.output_ratio_ci()
    assert ci is not None
    assert ci[0] <= truth <= ci[1]
    assert 1.2 < truth < 1.8
    # Tokenizer factor: exactly the counted over the original input tokens of the sample.
    want = sum(small_counted(n) for n in numbers) / sum(
        original_usage(n)["input_tokens"] for n in numbers
    )
    assert ev.tokenizer_factor == pytest.approx(want)
    assert ev.latency_p50_ms is not None
    assert ev.ttft_p50_ms is not None
    assert "of 50 answers as good" in out


def test_estimate_over_cap_sends_nothing(captured: Path) -> None:
    with replay_api() as (api, _state):
        code, out = _replay(captured, api.url, "--yes", "--max-usd", "0.0001")
        assert code == 1
        assert "over --max-usd" in out
        assert "nothing was sent" in out
        assert (
            "frame: captured requests with a completed usage row, 2026-11-20 .. 2026-11-20" in out
        )
        assert "extract 100" in out
        assert api.calls("/v1/messages") == []  # counting is free; nothing paid was sent


def test_not_interactive_without_yes_refuses(captured: Path) -> None:
    with replay_api() as (api, _state):
        code, out = _replay(captured, api.url)
        assert code == 1
        assert "add --yes" in out
        assert api.calls("/v1/messages") == []


def test_stops_at_cap_mid_run_and_resumes_without_paying_twice(captured: Path) -> None:
    # The small model answers longer than the estimate assumes (the original's length), so a
    # cap a little over the estimate is reached before the end... with the estimate allowed:
    # first the estimate is read from a refused run.
    with replay_api() as (api, _state):
        code, out = _replay(captured, api.url, "--yes", "--max-usd", "0.0001")
        estimate = Decimal(out.split("= $")[1].split(";")[0])
        cap = estimate * Decimal("1.05")
        code, out = _replay(captured, api.url, "--yes", "--max-usd", str(cap))
        assert code == 3, out
        assert "stopped at the cap" in out
        first = _samples(captured)
        answered = [s for s in first if s["status"] == "answered"]
        assert 0 < len(answered) < 50
        paid = sum(Decimal(str(s["cost_usd"])) for s in answered)
        assert paid <= cap
        calls_before = len(api.calls("/v1/messages"))
        code, out = _replay(captured, api.url, "--yes", "--max-usd", "1")
        assert code == 0, out
        resent = api.calls("/v1/messages")[calls_before:]
        # Only the samples not answered before were sent, each once.
        assert len(resent) == 50 - len(answered)
        keys_before = {f"record {n} as JSON" for n in _numbers(answered)}
        assert not any(k in str(s.body["messages"]) for s in resent for k in keys_before)
    final = _samples(captured)
    assert all(s["status"] == "answered" for s in final)
    # Nothing answered in the first run changed cost in the second.
    again = {s["request_key"]: s["cost_usd"] for s in final}
    assert all(again[s["request_key"]] == s["cost_usd"] for s in answered)


def test_refused_parameter_is_dropped_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    log = write_log(tmp_path / "c.jsonl", [record(n, "extract", top_k=5) for n in range(6)])
    db = tmp_path / "s.duckdb"
    ingest(log, db)
    with replay_api() as (api, _state):
        code, out = _replay(db, api.url, "--yes")
        assert code == 0, out
    samples = _samples(db)
    assert {s["dropped_params"] for s in samples} == {"top_k"}
    assert fields(0)["qty"] == 0  # sanity of the fixture the json grader relies on
