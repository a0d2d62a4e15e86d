"""One bad line never aborts a run: the Messages API reader and every reader built on
`_common.read_json_lines` report it (file, line, reason) and keep the valid lines around it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db

NAN = float("nan")
INF = float("inf")
HAIKU = "claude-haiku-4-5-20251001"


def _messages(i: int) -> dict[str, Any]:
    return {
        "ts": "2026-11-03T08:00:00Z",
        "request_id": f"req_{i}",
        "latency_ms": 900,
        "ttft_ms": 200,
        "tags": {"workload": "triage"},
        "response": {
            "id": f"msg_{i}",
            "type": "message",
            "model": HAIKU,
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1000, "output_tokens": 100},
        },
    }


def _helicone(i: int) -> dict[str, Any]:
    return {
        "request_id": f"h-{i}",
        "request_created_at": "2026-11-03T08:00:00Z",
        "request_model": "claude-haiku-4-5",
        "provider": "ANTHROPIC",
        "response_status": 200,
        "delay_ms": 900,
        "time_to_first_token": 200,
        "prompt_tokens": 1000,
        "prompt_cache_write_tokens": 0,
        "prompt_cache_read_tokens": 0,
        "completion_tokens": 100,
        "total_tokens": 1100,
        "request_properties": {"Helicone-Property-Workload": "triage"},
    }


def _litellm(i: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{i}",
        "call_type": "acompletion",
        "status": "success",
        "startTime": 1795000000.0,
        "endTime": 1795000001.0,
        "completionStartTime": 1795000000.2,
        "model": HAIKU,
        "prompt_tokens": 1000,
        "completion_tokens": 100,
        "metadata": {"spend_logs_metadata": {"workload": "triage"}},
    }


def _bedrock(i: int) -> dict[str, Any]:
    return {
        "schemaType": "ModelInvocationLog",
        "timestamp": "2026-11-03T08:00:00Z",
        "requestId": f"r-{i}",
        "operation": "InvokeModel",
        "modelId": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "input": {"inputTokenCount": 1000},
        "output": {
            "outputTokenCount": 100,
            "outputBodyJson": {"type": "message", "metrics": {"latencyMs": 900}},
        },
        "requestMetadata": {"workload": "triage"},
    }


def _vertex(i: int) -> dict[str, Any]:
    return {
        "logging_time": "2026-11-03T08:00:00Z",
        "request_id": i,
        "model": "projects/p/locations/global/publishers/anthropic/models/"
        "claude-haiku-4-5@20251001",
        "full_response": {
            "id": f"msg_v{i}",
            "type": "message",
            "usage": {"input_tokens": 1000, "output_tokens": 100},
        },
        "metadata": {"request_latency": 900, "labels": {"workload": "triage"}},
    }


def _batch(i: int) -> dict[str, Any]:
    return {
        "custom_id": f"item-{i}",
        "result": {
            "type": "succeeded",
            "message": {
                "id": f"msg_b{i}",
                "type": "message",
                "model": HAIKU,
                "usage": {"input_tokens": 1000, "output_tokens": 100},
            },
        },
    }


# Where each kind of bad value goes in each layout (a path of keys), or None: not applicable.
READERS: dict[str, tuple[Callable[[int], dict[str, Any]], dict[str, tuple[str, ...] | None]]] = {
    "messages": (
        _messages,
        {
            "ts": ("ts",),
            "tag": ("tags", "workload"),
            "count": ("response", "usage", "output_tokens"),
            "latency": ("latency_ms",),
            "ttft": ("ttft_ms",),
        },
    ),
    "helicone": (
        _helicone,
        {
            "ts": ("request_created_at",),
            "tag": ("request_properties", "Helicone-Property-Workload"),
            "count": ("completion_tokens",),
            "latency": ("delay_ms",),
            "ttft": ("time_to_first_token",),
        },
    ),
    "litellm": (
        _litellm,
        {
            "ts": ("startTime",),
            "tag": ("metadata", "spend_logs_metadata", "workload"),
            "count": ("completion_tokens",),
            "latency": None,  # computed from two timestamps, never read as a number
            "ttft": None,
        },
    ),
    "bedrock": (
        _bedrock,
        {
            "ts": ("timestamp",),
            "tag": ("requestMetadata", "workload"),
            "count": ("output", "outputTokenCount"),
            "latency": ("output", "outputBodyJson", "metrics", "latencyMs"),
            "ttft": None,
        },
    ),
    "vertex": (
        _vertex,
        {
            "ts": ("logging_time",),
            "tag": ("metadata", "labels", "workload"),
            "count": ("full_response", "usage", "output_tokens"),
            "latency": ("metadata", "request_latency"),
            "ttft": None,
        },
    ),
    "batch-results": (
        _batch,
        {
            "ts": None,  # results carry no time
            "tag": ("custom_id",),  # stored in the tags
            "count": ("result", "message", "usage", "output_tokens"),
            "latency": None,
            "ttft": None,
        },
    ),
}

# kind -> (field it spoils, value, a word the reason must hold)
BAD: dict[str, tuple[str, Any, str]] = {
    "ts_huge": ("ts", 1e20, "calendar"),
    "ts_negative": ("ts", -1e20, "calendar"),
    "ts_nan": ("ts", NAN, "calendar"),
    "tag_surrogate": ("tag", "\ud800", "Unicode"),
    "count_nan": ("count", NAN, "integer"),
    "count_infinity": ("count", INF, "integer"),
    "latency_nan": ("latency", NAN, "finite"),
    "latency_infinity": ("latency", INF, "finite"),
    "ttft_nan": ("ttft", NAN, "finite"),
}

# Each reader's good line: 1,000 input + 100 output tokens of Haiku 4.5 ($1 / $5 per MTok):
# 1,000 x 1 + 100 x 5 = 1,500 per MTok -> $0.0015; batch results at half price: $0.00075.
GOOD_USD = {name: Decimal("0.0015") for name in READERS} | {"batch-results": Decimal("0.00075")}


def _cases() -> list[Any]:
    out = []
    for reader, (_, where) in READERS.items():
        for kind, (target, _, _) in BAD.items():
            if where[target] is not None:
                out.append(pytest.param(reader, kind, id=f"{reader}-{kind}"))
        out.append(pytest.param(reader, "deep", id=f"{reader}-deep"))
        if where["tag"] is not None and reader != "batch-results":  # custom_id: text only
            out.append(pytest.param(reader, "deep_tag", id=f"{reader}-deep_tag"))
    return out


def _spoil(record: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    record = copy.deepcopy(record)
    node = record
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return record


def _bad_line(reader: str, kind: str) -> str:
    make, where = READERS[reader]
    if kind == "deep":  # too deep for orjson (1,024) and for Python's json (recursion)
        text = json.dumps(make(2))
        return text[:-1] + ', "junk": ' + "[" * 100_000 + "]" * 100_000 + "}"
    if kind == "deep_tag":  # orjson reads it; Python recursion fails on the way to storing it
        path = where["tag"]
        assert path is not None
        text = json.dumps(_spoil(make(2), path, "DEEP"))
        return text.replace('"DEEP"', "[" * 1000 + "]" * 1000)
    target, value, _ = BAD[kind]
    path = where[target]
    assert path is not None
    return json.dumps(_spoil(make(2), path, value))  # NaN/Infinity as the JSON literals


@pytest.mark.parametrize(("reader", "kind"), _cases())
def test_a_bad_line_is_reported_and_its_neighbours_kept(
    tmp_path: Path, db_path: Path, reader: str, kind: str
) -> None:
    make, _ = READERS[reader]
    log = tmp_path / "log.jsonl"
    lines = [json.dumps(make(1)), _bad_line(reader, kind), json.dumps(make(3))]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_paths([log], db_path=db_path, fmt=reader)
    assert [(m.path, m.line) for m in report.malformed] == [(str(log), 2)], report.malformed
    reason = report.malformed[0].reason
    word = "deep" if kind.startswith("deep") else BAD[kind][2]
    assert word in reason, reason
    assert report.new_requests == 2
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute("SELECT source_line, cost_usd FROM priced_requests ORDER BY 1")
        assert got.fetchall() == [(1, GOOD_USD[reader]), (3, GOOD_USD[reader])]


@pytest.mark.parametrize("reader", list(READERS))
def test_a_byte_order_mark_starts_a_valid_first_line(
    tmp_path: Path, db_path: Path, reader: str
) -> None:
    make, _ = READERS[reader]
    log = tmp_path / "log.jsonl"
    text = json.dumps(make(1)) + "\n" + json.dumps(make(2)) + "\n"
    log.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = ingest_paths([log], db_path=db_path, fmt=reader)
    assert (report.new_requests, report.malformed) == (2, [])
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute("SELECT source_line, cost_usd FROM priced_requests ORDER BY 1")
        assert got.fetchall() == [(1, GOOD_USD[reader]), (2, GOOD_USD[reader])]


def test_a_byte_order_mark_does_not_hide_the_format(tmp_path: Path) -> None:
    from switchcost.ingest import discover
    from switchcost.ingest.readers import detect

    log = tmp_path / "log.jsonl"
    log.write_bytes(b"\xef\xbb\xbf" + json.dumps(_messages(1)).encode() + b"\n")
    assert detect(log, discover.read_head(log)) == "messages"
