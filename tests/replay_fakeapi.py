"""A fake Anthropic API for the replay tests, on tests/sources_fakeapi.py's real HTTP server.

It plays three models deterministically, from the record number N in the prompt ("record N"):
- BIG (the original, claude-sonnet-4-5) answers the record's fields as JSON;
- SMALL (claude-haiku-4-5) answers the same, except every record with N % 5 == 0 gets `qty`
  wrong (a known 20% of answers fail the json grader), and its output is longer by a known
  factor: 1.2 × the original's tokens for odd N, 1.8 × for even N; count_tokens on it is
  1.1 × the original's input tokens (integer division);
- the judge (BIG, called with the judge's system prompt) prefers the answer whose `qty` is
  right, and says tie when both are.
Routes: /v1/messages (streamed or not), /v1/messages/count_tokens, /v1/messages/batches
(create), /v1/messages/batches/<id> (retrieve: in_progress until `batch_ready` is set) and
/results.  `fail_first` makes the first call for those records a 429 (or 529 for N in
`overload_first`); SMALL refuses `top_k` with a 400 naming it.  Not a test module itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.sources_fakeapi import FakeAPI, Reply, error, fake_api

BIG = "claude-sonnet-4-5"
SMALL = "claude-haiku-4-5"
_RECORD = re.compile(r"record (\d+)")


def fields(n: int) -> dict[str, Any]:
    return {"id": n, "name": f"item-{n}", "qty": n % 7, "ok": n % 2 == 0}


def prompt(n: int) -> str:
    f = fields(n)
    pad = " pad" * (60 * (n % 4))  # prompt sizes vary
    return f"Extract record {n} as JSON: id={f['id']} name={f['name']} qty={f['qty']}{pad}"


def original_answer(n: int) -> str:
    return json.dumps(fields(n))


def original_usage(n: int) -> dict[str, int]:
    return {"input_tokens": len(prompt(n)) // 4, "output_tokens": len(original_answer(n)) // 2}


def small_answer(n: int) -> str:
    f = fields(n)
    if n % 5 == 0:
        f["qty"] = f["qty"] + 100
    return json.dumps(f)


def small_output_tokens(n: int) -> int:
    base = original_usage(n)["output_tokens"]
    return base * 12 // 10 if n % 2 else base * 18 // 10


def small_counted(n: int) -> int:
    return original_usage(n)["input_tokens"] * 11 // 10


@dataclass
class State:
    attempts: dict[int, int] = field(default_factory=dict)
    fail_first: set[int] = field(default_factory=set)
    overload_first: set[int] = field(default_factory=set)
    batch_ready: bool = False
    batches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _record_of(body: dict[str, Any]) -> int:
    text = json.dumps(body.get("messages"))
    found = _RECORD.search(text)
    return int(found.group(1)) if found else -1


def _judge(body: dict[str, Any]) -> str:
    text = body["messages"][0]["content"]
    n = _record_of(body)
    want = fields(n)["qty"]

    def right(tag: str) -> bool:
        part = text.split(f"<answer_{tag}>\n", 1)[1].split(f"\n</answer_{tag}>", 1)[0]
        try:
            return bool(json.loads(part).get("qty") == want)
        except ValueError:
            return False

    a, b = right("A"), right("B")
    better = "tie" if a == b else ("A" if a else "B")
    return json.dumps({"better": better, "reason": f"qty check for record {n}"})


def answer(body: dict[str, Any], tier: str = "standard") -> dict[str, Any]:
    """The Message a model gives for a request body."""
    model = body["model"]
    n = _record_of(body)
    if "compare two answers" in str(body.get("system", "")):
        text, out, inp = _judge(body), 40, len(body["messages"][0]["content"]) // 4
    elif model == SMALL:
        text, out, inp = small_answer(n), small_output_tokens(n), small_counted(n)
    else:
        text = original_answer(n)
        out, inp = original_usage(n)["output_tokens"], original_usage(n)["input_tokens"]
    return {
        "id": f"msg_{model[:12]}_{n}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": inp, "output_tokens": out, "service_tier": tier},
    }


def _sse(message: dict[str, Any]) -> bytes:
    start = {**message, "content": [], "usage": {**message["usage"], "output_tokens": 1}}
    text = message["content"][0]["text"]
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
                "delta": {"type": "text_delta", "text": text},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": message["usage"]["output_tokens"]},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {k}\ndata: {json.dumps(v)}\n\n" for k, v in events).encode()


def _batch(batch_id: str, ready: bool, count: int, url: str) -> dict[str, Any]:
    return {
        "id": batch_id,
        "type": "message_batch",
        "processing_status": "ended" if ready else "in_progress",
        "request_counts": {
            "processing": 0 if ready else count,
            "succeeded": count if ready else 0,
            "errored": 0,
            "canceled": 0,
            "expired": 0,
        },
        "created_at": "2026-12-01T00:00:00Z",
        "expires_at": "2026-12-02T00:00:00Z",
        "ended_at": "2026-12-01T01:00:00Z" if ready else None,
        "archived_at": None,
        "cancel_initiated_at": None,
        "results_url": f"{url}/v1/messages/batches/{batch_id}/results" if ready else None,
    }


def _result(params: dict[str, Any]) -> dict[str, Any]:
    if params["model"] == SMALL and "top_k" in params:
        err = {"type": "invalid_request_error", "message": "top_k: not supported on this model"}
        return {"type": "errored", "error": {"type": "error", "error": err}}
    return {"type": "succeeded", "message": answer(params, "batch")}


def install(api: FakeAPI, state: State) -> None:
    def messages(_q: Any, _h: Any, body: Any) -> Reply:
        n = _record_of(body)
        tries = state.attempts[n] = state.attempts.get(n, 0) + 1
        if "compare two answers" not in str(body.get("system", "")):
            if n in state.fail_first and tries == 1:
                return error(429, "rate_limit_error", "slow down")
            if n in state.overload_first and tries == 1:
                return error(529, "overloaded_error", "overloaded")
            if body["model"] == SMALL and "top_k" in body:
                return error(400, "invalid_request_error", "top_k: not supported on this model")
        message = answer(body)
        if body.get("stream"):
            return Reply(200, _sse(message), content_type="text/event-stream")
        return Reply(200, message)

    def count(_q: Any, _h: Any, body: Any) -> Reply:
        n = _record_of(body)
        tokens = small_counted(n) if body["model"] == SMALL else original_usage(n)["input_tokens"]
        return Reply(200, {"input_tokens": tokens})

    def create(_q: Any, _h: Any, body: Any) -> Reply:
        batch_id = f"msgbatch_fake{len(state.batches) + 1}"
        state.batches[batch_id] = body["requests"]

        def retrieve(_q: Any, _h: Any, _b: Any) -> Reply:
            return Reply(200, _batch(batch_id, state.batch_ready, len(body["requests"]), api.url))

        def results(_q: Any, _h: Any, _b: Any) -> Reply:
            lines = [
                json.dumps({"custom_id": r["custom_id"], "result": _result(r["params"])})
                for r in state.batches[batch_id]
            ]
            return Reply(200, ("\n".join(lines) + "\n").encode(), content_type="application/binary")

        api.routes[f"/v1/messages/batches/{batch_id}"] = retrieve
        api.routes[f"/v1/messages/batches/{batch_id}/results"] = results
        return Reply(200, _batch(batch_id, False, len(body["requests"]), api.url))

    api.routes["/v1/messages"] = messages
    api.routes["/v1/messages/count_tokens"] = count
    api.routes["/v1/messages/batches"] = create


@contextmanager
def replay_api() -> Iterator[tuple[FakeAPI, State]]:
    state = State()
    with fake_api() as api:
        install(api, state)
        yield api, state
