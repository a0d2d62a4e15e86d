"""A valid record of every format switchcost reads, and where its fields sit.

Each `Spec` builds record `i` (unique ids, seeded token counts) with the `Usage` it bills, and
names the paths of the fields the bad-line kinds aim at: a required token count, the model, the
timestamp, the usage container and a free-text tag.  Layouts follow tests/cc_lines.py,
tests/test_sources_readers.py and bench/synth/."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests import cc_lines
from tests.fuzz.rates import HAIKU, SONNET, Usage

Obj = dict[str, Any]
Path_ = tuple[str | int, ...]
DELETE = object()  # set_path(..., DELETE) removes the key
DAY = 1795000000  # 2026-11-18, epoch seconds


@dataclass(frozen=True)
class Spec:
    """One format: its reader name, file name, record builder and field paths."""

    name: str
    file: str
    make: Callable[[int, random.Random], tuple[Obj, Usage]]
    count: Path_  # a required output-token count
    model: Path_ | None
    ts: Path_ | None
    usage: Path_ | None  # the object holding the counts (a wrong container type goes here)
    tag: Path_  # a free-text field the reader stores or ignores (a long string goes here)
    skip: Callable[[int], Obj] | None = None  # a valid record that is never billed


def set_path(obj: Obj, path: Path_, value: Any) -> Obj:
    """A deep copy of `obj` with `path` set to `value` (or removed, for DELETE)."""
    out = copy.deepcopy(obj)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _tokens(rng: random.Random, model: str, cache: bool) -> Usage:
    return Usage(
        model,
        inp=rng.randint(1, 5000),
        w5=rng.randint(0, 3000) if cache else 0,
        w1=rng.randint(0, 2000) if cache else 0,
        read=rng.randint(0, 20000) if cache else 0,
        out=rng.randint(1, 2000),
    )


def _model(rng: random.Random) -> str:
    return rng.choice((HAIKU, SONNET))


def _iso(i: int) -> str:
    return f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:07.000Z"


def _msg_usage(u: Usage) -> Obj:
    return {
        "input_tokens": u.inp,
        "cache_creation_input_tokens": u.w5 + u.w1,
        "cache_read_input_tokens": u.read,
        "cache_creation": {"ephemeral_5m_input_tokens": u.w5, "ephemeral_1h_input_tokens": u.w1},
        "output_tokens": u.out,
        "service_tier": "standard",
    }


def _message(i: int, u: Usage, tag: str = "msg") -> Obj:
    return {
        "id": f"msg_{tag}{i:07d}",
        "type": "message",
        "role": "assistant",
        "model": u.model,
        "content": [{"type": "text", "text": "x"}],
        "stop_reason": "end_turn",
        "usage": _msg_usage(u),
    }


def claude_code(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=True)
    line = cc_lines.assistant(
        f"msg_cc{i:07d}", f"req_cc{i:07d}", model=u.model, ts=_iso(i), inp=u.inp, w5=u.w5,
        w1=u.w1, read=u.read, out=u.out, gitBranch="main",
    )  # fmt: skip
    obj: Obj = json.loads(line)
    return obj, u


def _cc_user(i: int) -> Obj:
    obj: Obj = json.loads(cc_lines.user(f"question {i}", ts=_iso(i)))
    obj["uuid"] = f"u-user-{i}"
    return obj


def messages_wrapped(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=True)
    wrapper = {
        "ts": _iso(i),
        "request_id": f"req_w{i:07d}",
        "latency_ms": 1200,
        "ttft_ms": 300,
        "tags": {"workload": f"w{i % 5}", "note": "n"},
        "response": _message(i, u, "w"),
    }
    return wrapper, u


def messages_bare(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=True)
    msg = _message(i, u, "b")
    msg["container"] = None
    return msg, u


def litellm(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=False)
    return {
        "id": f"chatcmpl-{i:07d}",
        "call_type": "acompletion",
        "status": "success",
        "startTime": DAY + i,
        "endTime": DAY + i + 2.5,
        "completionStartTime": DAY + i + 0.4,
        "model": f"anthropic/{u.model}",
        "prompt_tokens": u.inp,
        "completion_tokens": u.out,
        "metadata": {"spend_logs_metadata": {"workload": "digest"}},
    }, u


def helicone(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=False)
    return {
        "request_id": f"h-{i:07d}",
        "request_created_at": _iso(i),
        "request_model": u.model,
        "provider": "ANTHROPIC",
        "response_status": 200,
        "delay_ms": 900,
        "time_to_first_token": None,
        "prompt_tokens": u.inp,
        "prompt_cache_write_tokens": 0,
        "prompt_cache_read_tokens": 0,
        "completion_tokens": u.out,
        "total_tokens": u.inp + u.out,
        "request_properties": {"Helicone-Property-Workload": "bot"},
    }, u


def bedrock(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=False)
    return {  # a global. profile: list price (no regional premium)
        "schemaType": "ModelInvocationLog",
        "timestamp": _iso(i),
        "requestId": f"r-{i:07d}",
        "operation": "InvokeModel",
        "modelId": f"global.anthropic.{u.model}-v1:0",
        "input": {"inputTokenCount": u.inp},
        "output": {"outputTokenCount": u.out},
        "requestMetadata": {"workload": "summaries"},
    }, u


def vertex(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=False)
    u = Usage(u.model, inp=u.inp, read=rng.randint(0, 9000), out=u.out)
    name = u.model.replace("-2025", "@2025")
    return {  # the global location: list price
        "logging_time": _iso(i),
        "request_id": 100000 + i,
        "model": f"projects/p/locations/global/publishers/anthropic/models/{name}",
        "full_response": {  # no model of its own: the row's `model` is the one
            "id": f"msg_v{i:07d}",
            "type": "message",
            "usage": {
                "input_tokens": u.inp,
                "output_tokens": u.out,
                "cache_read_input_tokens": u.read,
            },
        },
        "metadata": {"request_latency": "1500", "labels": {"workload": "rag"}},
    }, u


def otel(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=False)
    attrs = [
        {"key": "gen_ai.provider.name", "value": {"stringValue": "anthropic"}},
        {"key": "gen_ai.request.model", "value": {"stringValue": u.model}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(u.inp)}},
        {"key": "gen_ai.usage.output_tokens", "value": {"intValue": str(u.out)}},
        {"key": "workload", "value": {"stringValue": "spans"}},
    ]
    span = {
        "traceId": f"t{i:07d}",
        "spanId": f"s{i:07d}",
        "startTimeUnixNano": str((DAY + i) * 10**9),
        "endTimeUnixNano": str((DAY + i) * 10**9 + 1_500_000_000),
        "attributes": attrs,
    }
    scope = {"scope": {"name": "fuzz"}, "spans": [span]}
    return {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [scope]}]}, u


_SPAN: Path_ = ("resourceSpans", 0, "scopeSpans", 0, "spans", 0)


def batch_results(i: int, rng: random.Random) -> tuple[Obj, Usage]:
    u = _tokens(rng, _model(rng), cache=True)
    msg = _message(i, u, "bt")
    del msg["usage"]["service_tier"]  # none given: a batch result is billed at the batch tier
    return {"custom_id": f"doc-{i}", "result": {"type": "succeeded", "message": msg}}, Usage(
        u.model, u.inp, u.w5, u.w1, u.read, u.out, batch=True
    )


_MSG_USAGE: Path_ = ("response", "usage")
SPECS: tuple[Spec, ...] = (
    Spec(
        "claude-code",
        "projects/-w/s1.jsonl",
        claude_code,
        ("message", "usage", "output_tokens"),
        ("message", "model"),
        ("timestamp",),
        ("message", "usage"),
        ("gitBranch",),
        _cc_user,
    ),
    Spec(
        "messages",
        "app_wrapped.jsonl",
        messages_wrapped,
        (*_MSG_USAGE, "output_tokens"),
        ("response", "model"),
        ("ts",),
        _MSG_USAGE,
        ("tags", "note"),
    ),
    Spec(
        "messages",
        "app_bare.jsonl",
        messages_bare,
        ("usage", "output_tokens"),
        ("model",),
        None,
        ("usage",),
        ("container",),
    ),
    Spec(
        "litellm",
        "spend.jsonl",
        litellm,
        ("completion_tokens",),
        ("model",),
        ("startTime",),
        None,
        ("metadata", "spend_logs_metadata", "workload"),
    ),
    Spec(
        "helicone",
        "helicone.jsonl",
        helicone,
        ("completion_tokens",),
        ("request_model",),
        ("request_created_at",),
        None,
        ("request_properties", "Helicone-Property-Workload"),
    ),
    Spec(
        "bedrock",
        "bedrock.jsonl",
        bedrock,
        ("output", "outputTokenCount"),
        ("modelId",),
        ("timestamp",),
        ("output",),
        ("requestMetadata", "workload"),
    ),
    Spec(
        "vertex",
        "vertex.jsonl",
        vertex,
        ("full_response", "usage", "output_tokens"),
        ("model",),
        ("logging_time",),
        ("full_response", "usage"),
        ("metadata", "labels", "workload"),
    ),
    Spec(
        "otel",
        "spans.jsonl",
        otel,
        (*_SPAN, "attributes", 3, "value", "intValue"),
        (*_SPAN, "attributes", 1, "value", "stringValue"),
        (*_SPAN, "startTimeUnixNano"),
        (*_SPAN, "attributes"),
        (*_SPAN, "attributes", 4, "value", "stringValue"),
    ),
    Spec(
        "batch-results",
        "msgbatch_01FUZZ_results.jsonl",
        batch_results,
        ("result", "message", "usage", "output_tokens"),
        ("result", "message", "model"),
        None,
        ("result", "message", "usage"),
        ("custom_id",),
    ),
)
