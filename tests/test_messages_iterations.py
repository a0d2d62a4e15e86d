"""`usage.iterations`: compaction billed on top, advisors at their own model, a fallback-served
response billed per entry; each billed entry its own row (long context per iteration)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db

SONNET = "claude-sonnet-4-5-20250929"


def entry(kind: str, inp: int, out: int, model: str | None = None, **more: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": kind,
        "input_tokens": inp,
        "output_tokens": out,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        **more,
    }
    if model:
        item["model"] = model
    return item


def response(
    msg_id: str, inp: int, out: int, iterations: list[dict[str, Any]], model: str = SONNET
) -> dict[str, Any]:
    return {
        "ts": "2026-11-03T08:00:00Z",
        "request_id": f"req_{msg_id}",
        "latency_ms": 5000,
        "tags": {"workload": "agent"},
        "response": {
            "id": msg_id,
            "type": "message",
            "model": model,
            "stop_reason": "end_turn",
            "usage": {"input_tokens": inp, "output_tokens": out, "iterations": iterations},
        },
    }


def ingest(tmp_path: Path, db_path: Path, records: list[dict[str, Any]]) -> None:
    log = tmp_path / "app.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = ingest_paths([log], db_path=db_path)
    assert report.malformed == []


def rows(db_path: Path) -> list[tuple[Any, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(
            "SELECT request_key, model, latency_ms, cost_usd FROM priced_requests ORDER BY 1"
        ).fetchall()


def test_compaction_is_billed_on_top(tmp_path: Path, db_path: Path) -> None:
    # The documented example: top level 23,000 in / 1,000 out (= the one message entry), plus a
    # compaction entry of 180,000 in / 3,500 out, all Sonnet 4.5.
    its = [entry("compaction", 180_000, 3_500), entry("message", 23_000, 1_000)]
    ingest(tmp_path, db_path, [response("msg_c", 23_000, 1_000, its)])
    # main: 23,000 x $3 + 1,000 x $15 = 69,000 + 15,000 = 84,000 -> $0.084
    # compaction: 180,000 x $3 + 3,500 x $15 = 540,000 + 52,500 = 592,500 -> $0.5925
    #   (its prompt, 180,000, is under the 200,000 threshold); the message entry adds nothing
    assert rows(db_path) == [
        ("msg:msg_c", SONNET, 5000.0, Decimal("0.084")),
        ("msg:msg_c#compaction-0", SONNET, None, Decimal("0.5925")),
    ]


def test_a_compaction_over_the_long_context_threshold_alone(tmp_path: Path, db_path: Path) -> None:
    its = [entry("compaction", 210_000, 2_000), entry("message", 5_000, 500)]
    ingest(tmp_path, db_path, [response("msg_l", 5_000, 500, its)])
    # main (prompt 5,000): 5,000 x $3 + 500 x $15 = 15,000 + 7,500 = 22,500 -> $0.0225
    # compaction (prompt 210,000 > 200,000): long-context rates, 210,000 x $6 + 2,000 x $22.50
    #   = 1,260,000 + 45,000 = 1,305,000 -> $1.305
    assert rows(db_path) == [
        ("msg:msg_l", SONNET, 5000.0, Decimal("0.0225")),
        ("msg:msg_l#compaction-0", SONNET, None, Decimal("1.305")),
    ]


def test_a_1h_cache_split_inside_an_iteration(tmp_path: Path, db_path: Path) -> None:
    split = {"ephemeral_5m_input_tokens": 4_000, "ephemeral_1h_input_tokens": 6_000}
    compaction = entry(
        "compaction", 1_000, 100, cache_creation_input_tokens=10_000, cache_creation=split
    )
    ingest(tmp_path, db_path, [response("msg_h", 10, 1, [compaction])])
    # main: 10 x $3 + 1 x $15 = 45 -> $0.000045
    # compaction: 1,000 x $3 + 4,000 x $3.75 + 6,000 x $6 (1h) + 100 x $15
    #   = 3,000 + 15,000 + 36,000 + 1,500 = 55,500 -> $0.0555
    assert rows(db_path) == [
        ("msg:msg_h", SONNET, 5000.0, Decimal("0.000045")),
        ("msg:msg_h#compaction-0", SONNET, None, Decimal("0.0555")),
    ]


def advisor_log() -> dict[str, Any]:
    its = [
        entry("message", 10_000, 2_000, model=SONNET),  # the executor: the response's model
        entry(
            "advisor_message", 4_000, 800, model="claude-opus-4-5", cache_read_input_tokens=1_000
        ),
    ]
    return response("msg_a", 10_000, 2_000, its)


def test_an_advisor_is_billed_at_its_own_model(tmp_path: Path, db_path: Path) -> None:
    ingest(tmp_path, db_path, [advisor_log()])
    # main (Sonnet 4.5): 10,000 x $3 + 2,000 x $15 = 30,000 + 30,000 = 60,000 -> $0.06
    # advisor (Opus 4.5: $5 in, $25 out, $0.50 cache read): 4,000 x 5 + 800 x 25 + 1,000 x 0.5
    #   = 20,000 + 20,000 + 500 = 40,500 -> $0.0405
    assert rows(db_path) == [
        ("msg:msg_a", SONNET, 5000.0, Decimal("0.06")),
        ("msg:msg_a#advisor_message-1", "claude-opus-4-5", None, Decimal("0.0405")),
    ]


def test_a_fallback_served_response_is_billed_per_entry(tmp_path: Path, db_path: Path) -> None:
    its = [
        entry("message", 2_000, 0, model="claude-opus-4-5"),  # the declined hop
        entry("fallback_message", 2_000, 500, model=SONNET),  # served the response
    ]
    # The top level (4,000 in / 500 out) is not billed: the entries are.
    ingest(tmp_path, db_path, [response("msg_f", 4_000, 500, its, model="claude-opus-4-5")])
    # main = the fallback entry at Sonnet 4.5: 2,000 x $3 + 500 x $15 = 13,500 -> $0.0135
    # declined hop at Opus 4.5: 2,000 x $5 = 10,000 -> $0.01
    assert rows(db_path) == [
        ("msg:msg_f", SONNET, 5000.0, Decimal("0.0135")),
        ("msg:msg_f#message-0", "claude-opus-4-5", None, Decimal("0.01")),
    ]


def test_stream_iterations_come_from_the_last_delta(tmp_path: Path, db_path: Path) -> None:
    start = {
        "id": "msg_s",
        "type": "message",
        "model": SONNET,
        "stop_reason": None,
        "usage": {"input_tokens": 10_000, "output_tokens": 1},
    }
    early = [entry("advisor_message", 1, 1, model="claude-opus-4-5")]
    final = advisor_log()["response"]["usage"]["iterations"]
    events = [
        {"type": "message_start", "message": start},
        {"type": "message_delta", "usage": {"output_tokens": 5, "iterations": early}},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 2_000, "iterations": final},
        },
        {"type": "message_stop"},
    ]
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    ingest_paths([log], db_path=db_path)
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute("SELECT request_key, cost_usd FROM priced_requests ORDER BY 1")
        # As the advisor test: $0.06 and $0.0405 (the last delta's iterations, not the first)
        assert got.fetchall() == [
            ("msg:msg_s", Decimal("0.06")),
            ("msg:msg_s#advisor_message-1", Decimal("0.0405")),
        ]


def test_batch_results_bill_iterations_at_the_batch_tier(tmp_path: Path, db_path: Path) -> None:
    message = advisor_log()["response"]
    line = {"custom_id": "item-1", "result": {"type": "succeeded", "message": message}}
    log = tmp_path / "msgbatch_01abc.jsonl"
    log.write_text(json.dumps(line) + "\n", encoding="utf-8")
    ingest_paths([log], db_path=db_path)
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute("SELECT request_key, model, cost_usd FROM priced_requests ORDER BY 1")
        # Half of the advisor test's: $0.06 / 2 = $0.03 and $0.0405 / 2 = $0.02025
        assert got.fetchall() == [
            ("msg:msg_a", SONNET, Decimal("0.03")),
            ("msg:msg_a#advisor_message-1", "claude-opus-4-5", Decimal("0.02025")),
        ]


def test_report_by_model_shows_the_advisor(tmp_path: Path, db_path: Path) -> None:
    ingest(tmp_path, db_path, [advisor_log()])
    args = ["report", "--by", "model", "--db", str(db_path), "--format", "json"]
    proc = subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=True,
    )
    got = {r["model"]: Decimal(str(r["cost_usd"])) for r in json.loads(proc.stdout)["rows"]}
    # As the advisor test: the executor's $0.06 under Sonnet 4.5, the advisor's $0.0405 under
    # Opus 4.5
    assert got == {"claude-sonnet-4-5": Decimal("0.06"), "claude-opus-4-5": Decimal("0.0405")}


def test_the_instrumented_log_keeps_iterations(tmp_path: Path, db_path: Path) -> None:
    """instrument.py logs the SDK response with `to_dict`: the iterations survive, and the
    logged line bills as the advisor test."""
    from anthropic.types.beta import BetaMessage

    from switchcost.ingest.instrument import _Call, _Log

    body = advisor_log()["response"]
    message = BetaMessage.model_validate({**body, "role": "assistant", "content": []})
    log = tmp_path / "calls.jsonl"
    call = _Call(_Log(log, {"workload": "agent"}, False), {"model": SONNET}, stream=False)
    call.got_message(message)
    call.finish()
    record = json.loads(log.read_text(encoding="utf-8"))
    assert [i["type"] for i in record["response"]["usage"]["iterations"]] == [
        "message",
        "advisor_message",
    ]
    ingest_paths([log], db_path=db_path)
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute("SELECT request_key, cost_usd FROM priced_requests ORDER BY 1")
        # $0.06 and $0.0405, as the advisor test
        assert got.fetchall() == [
            ("msg:msg_a", Decimal("0.06")),
            ("msg:msg_a#advisor_message-1", Decimal("0.0405")),
        ]


def test_beta_calls_through_the_instrumented_client_bill_their_iterations(
    tmp_path: Path, db_path: Path
) -> None:
    """A real `client.beta.messages.create` over HTTP (a local fake API) answering with a
    compaction iteration: the instrumented client logs it, and it bills on top."""
    import anthropic

    from switchcost.ingest.instrument import instrument
    from tests.sources_fakeapi import Reply, fake_api

    body = {
        "id": "msg_beta1",
        "type": "message",
        "role": "assistant",
        "model": SONNET,
        "content": [{"type": "text", "text": "summary done"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 23_000,
            "output_tokens": 1_000,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
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
    }
    log = tmp_path / "calls.jsonl"
    with fake_api() as api:
        api.routes["/v1/messages"] = lambda q, h, b: Reply(200, body)
        raw = anthropic.Anthropic(api_key="sk-ant-test", base_url=api.url, max_retries=0)
        client = instrument(raw, log, tags={"workload": "agent"})
        client.beta.messages.create(
            model=SONNET,
            max_tokens=100,
            messages=[{"role": "user", "content": "go on"}],
            betas=["compact-2026-01-12"],
        )
        assert api.calls("/v1/messages")[0].headers["anthropic-beta"] == "compact-2026-01-12"
    assert "summary done" not in log.read_text(encoding="utf-8")  # no text without opting in
    ingest_paths([log], db_path=db_path)
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute("SELECT request_key, cost_usd FROM priced_requests ORDER BY 1")
        # 23,000 x $3 + 1,000 x $15 = $0.084; the compaction on top: 180,000 x $3 + 3,500 x $15
        assert got.fetchall() == [
            ("msg:msg_beta1", Decimal("0.084")),
            ("msg:msg_beta1#compaction-0", Decimal("0.5925")),
        ]
