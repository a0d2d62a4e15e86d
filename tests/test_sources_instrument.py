"""The instrumented client against a fake /v1/messages on 127.0.0.1, then `switchcost ingest`.

Sync and async, streamed and not: each call appends one record, without prompt or response
text; the log is ingested by the `messages` reader and its cost checked by hand.
"""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import anthropic
import pytest
from click.testing import CliRunner

from switchcost.app.cli import app
from switchcost.ingest.instrument import instrument
from switchcost.queries import db as qdb
from tests.sources_fakeapi import FakeAPI, Reply, error, fake_api

SECRET = "the secret prompt text"
ANSWER = "the private answer text"


def _message(msg_id: str, inp: int, out: int, read: int = 0, w1h: int = 0) -> dict[str, Any]:
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5-20251001",
        "content": [{"type": "text", "text": ANSWER}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": inp,
            "output_tokens": out,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": w1h,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": w1h},
            "service_tier": "standard",
        },
    }


def _sse(msg_id: str) -> bytes:
    start = _message(msg_id, 2000, 1) | {"content": [], "stop_reason": None}
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": ANSWER},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        # cumulative usage: the final output count is 300, not 1 + 300
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 300},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {k}\ndata: {json.dumps(v)}\n\n" for k, v in events).encode()


def _routes(api: FakeAPI) -> None:
    count = {"n": 0}

    def messages(query: dict[str, list[str]], headers: dict[str, str], body: Any) -> Reply:
        count["n"] += 1
        n = count["n"]
        if body.get("max_tokens") == 13:
            return error(400, "invalid_request_error", "bad request")
        if body.get("stream"):
            time.sleep(0.01)
            return Reply(body=_sse(f"msg_stream_{n}"), content_type="text/event-stream")
        return Reply(body=_message(f"msg_plain_{n}", 1000, 100, read=5000, w1h=2000))

    api.routes["/v1/messages"] = messages


def _ask(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-haiku-4-5",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": SECRET}],
        **extra,
    }


def _run_all(api: FakeAPI, log: Path) -> None:
    client = instrument(
        anthropic.Anthropic(api_key="sk-test", base_url=api.url), log, tags={"workload": "triage"}
    )
    made = client.messages.create(**_ask())
    assert made.content[0].type == "text"  # the caller still gets the full answer
    for _ in client.messages.create(**_ask(stream=True)):
        pass
    with client.with_tags(workload="digest").messages.stream(**_ask()) as stream:
        assert stream.get_final_text() == ANSWER
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(**_ask(max_tokens=13))

    async def async_calls() -> None:
        aclient = instrument(
            anthropic.AsyncAnthropic(api_key="sk-test", base_url=api.url),
            log,
            tags={"workload": "async"},
        )
        await aclient.messages.create(**_ask())
        events = await aclient.messages.create(**_ask(stream=True))
        async for _ in events:
            pass
        async with aclient.messages.stream(**_ask()) as astream:
            await astream.get_final_message()

    asyncio.run(async_calls())


def test_every_call_logged_once_without_text_and_ingested_at_the_right_cost(
    tmp_path: Path, db_path: Path
) -> None:
    log = tmp_path / "calls.jsonl"
    with fake_api() as api:
        _routes(api)
        _run_all(api, log)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 7  # 3 sync + 1 failed + 3 async
    text = log.read_text()
    assert SECRET not in text
    assert ANSWER not in text
    ok = [r for r in records if "response" in r]
    assert len(ok) == 6
    assert next(r for r in records if "error" in r)["error"]["status"] == 400
    assert all(r["request_id"].startswith("req_fake_") and r["latency_ms"] > 0 for r in ok)
    streamed = [r for r in ok if r["stream"]]
    assert len(streamed) == 4
    assert all(r["ttft_ms"] is not None and r["ttft_ms"] <= r["latency_ms"] for r in streamed)
    assert all(r["response"]["usage"]["output_tokens"] == 300 for r in streamed)
    assert {r["tags"]["workload"] for r in ok} == {"triage", "digest", "async"}
    assert all(r["request"] == {"model": "claude-haiku-4-5", "max_tokens": 512} for r in ok)

    result = CliRunner().invoke(app, ["ingest", str(log), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    with qdb.connect(db_path, read_only=True) as conn:
        rows = conn.execute(
            "SELECT stream_kind, count(*), sum(cost_usd) FROM (SELECT CASE WHEN message_id LIKE"
            " 'msg_stream%' THEN 'stream' ELSE 'plain' END AS stream_kind, cost_usd"
            " FROM priced_requests) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    # Haiku 4.5 plain call: 1000 x $1 + 5000 x $0.10 + 2000 x $2 (1h write) + 100 x $5
    #   = 1000 + 500 + 4000 + 500 = 6000 / 1e6 = $0.006; two plain calls = $0.012.
    # Streamed: 2000 x $1 + 300 x $5 = 3500 / 1e6 = $0.0035; four streams = $0.014.
    assert rows == [("plain", 2, Decimal("0.012")), ("stream", 4, Decimal("0.014"))]


def test_include_text_is_opt_in(tmp_path: Path) -> None:
    log = tmp_path / "with_text.jsonl"
    with fake_api() as api:
        _routes(api)
        client = instrument(
            anthropic.Anthropic(api_key="sk-test", base_url=api.url), log, include_text=True
        )
        client.messages.create(**_ask())
    record = json.loads(log.read_text())
    assert record["request"]["messages"][0]["content"] == SECRET
    assert record["response"]["content"][0]["text"] == ANSWER
