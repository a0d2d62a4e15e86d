"""The replay's calls through the `anthropic` SDK: token counts, streamed live calls and
Message Batches.  Rate limits (429) and server errors (5xx, 529) are retried by the SDK with
exponential backoff that honours `retry-after` (`MAX_RETRIES` attempts); a parameter the target
refuses (a 400 naming it) is dropped, recorded and the call sent again.

The API key comes from $ANTHROPIC_API_KEY through the SDK and is never logged or stored.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anthropic

from switchcost.queries.errors import UserError

MAX_RETRIES = 6
# create() arguments that are client-side only, never replayed.
CLIENT_ONLY = frozenset(
    {"stream", "extra_headers", "extra_query", "extra_body", "timeout", "switchcost_tags"}
)
COUNTED = frozenset(
    {"messages", "model", "system", "thinking", "tool_choice", "tools", "cache_control"}
)
ESSENTIAL = frozenset({"model", "messages", "max_tokens"})


class ReplayError(UserError):
    """A call could not be made at all (no key, the API refused the run)."""


def make_client(base_url: str | None = None) -> anthropic.Anthropic:
    if not os.environ.get("ANTHROPIC_API_KEY"):
        raise ReplayError("set ANTHROPIC_API_KEY to replay requests (it is never stored)")
    return anthropic.Anthropic(base_url=base_url, max_retries=MAX_RETRIES)


def params_for(request: dict[str, Any], target: str, dropped: str | None = None) -> dict[str, Any]:
    """The captured create() arguments with the model swapped and client-only keys (and any
    the target refused before, comma-separated in `dropped`) removed."""
    skip = CLIENT_ONLY | set(filter(None, (dropped or "").split(",")))
    out = {k: v for k, v in request.items() if k not in skip and v is not None}
    out["model"] = target
    return out


def custom_id(request_key: str) -> str:
    """A batch custom_id for a request key (the API allows [A-Za-z0-9_-]{1,64})."""
    return "s" + hashlib.sha256(request_key.encode()).hexdigest()[:40]


def as_kwargs(method: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The SDK method's own keyword arguments, and every other create() argument (one this
    SDK version has no keyword for, such as temperature in 2.x) in `extra_body`."""
    import inspect

    known = set(inspect.signature(method).parameters) - {"extra_body", "self"}
    out = {k: v for k, v in params.items() if k in known}
    extra = {k: v for k, v in params.items() if k not in known}
    if extra:
        out["extra_body"] = extra
    return out


def count_tokens(client: anthropic.Anthropic, params: dict[str, Any]) -> int:
    counted = {k: v for k, v in params.items() if k in COUNTED}
    method = client.messages.count_tokens
    return int(method(**as_kwargs(method, counted)).input_tokens)


@dataclass(frozen=True)
class BatchError:
    """A batch request that errored: its type, and the message (read for a refused
    parameter, never stored)."""

    type: str
    message: str


@dataclass
class Answer:
    content: list[Any]
    usage: dict[str, Any]
    latency_ms: float | None = None
    ttft_ms: float | None = None
    dropped: list[str] = field(default_factory=list)


def _refused_param(err: anthropic.BadRequestError, params: dict[str, Any]) -> str | None:
    """The optional create() argument a 400 names, if any."""
    return refused_in(str(err.message), params)


def refused_in(text: str, params: dict[str, Any]) -> str | None:
    """The optional create() argument an invalid-request message names, if any."""
    for key in sorted(params, key=len, reverse=True):
        if key not in ESSENTIAL and key in text:
            return key
    return None


def live(client: anthropic.Anthropic, params: dict[str, Any]) -> Answer:
    """One streamed call: latency to the last event, time to the first content delta."""
    dropped: list[str] = []
    while True:
        try:
            return _stream_once(client, params, dropped)
        except anthropic.BadRequestError as err:
            key = _refused_param(err, params)
            if key is None:
                raise
            params = {k: v for k, v in params.items() if k != key}
            dropped.append(key)


def _stream_once(client: anthropic.Anthropic, params: dict[str, Any], dropped: list[str]) -> Answer:
    t0 = time.perf_counter()
    ttft: float | None = None
    method = client.messages.stream
    with method(**as_kwargs(method, params)) as stream:
        for event in stream:
            if ttft is None and event.type == "content_block_delta":
                ttft = (time.perf_counter() - t0) * 1000
        message = stream.get_final_message()
    latency = (time.perf_counter() - t0) * 1000
    content, usage = _parts(message)
    return Answer(content, usage, latency, ttft, dropped)


def _parts(message: Any) -> tuple[list[Any], dict[str, Any]]:
    body: dict[str, Any] = message.to_dict(mode="json")
    return list(body.get("content") or []), dict(body.get("usage") or {})


def submit_batch(client: anthropic.Anthropic, requests: list[tuple[str, dict[str, Any]]]) -> str:
    """One Message Batch of (custom_id, params); returns its id."""
    batch = client.messages.batches.create(
        requests=[{"custom_id": cid, "params": p} for cid, p in requests]  # type: ignore[typeddict-item]
    )
    return str(batch.id)


def batch_state(client: anthropic.Anthropic, batch_id: str) -> dict[str, Any]:
    """processing_status and request_counts of a batch."""
    batch = client.messages.batches.retrieve(batch_id)
    return {
        "processing_status": batch.processing_status,
        "request_counts": batch.request_counts.to_dict(mode="json"),
    }


def batch_results(client: anthropic.Anthropic, batch_id: str) -> Iterator[tuple[str, Any]]:
    """(custom_id, Answer or the error type) per request of an ended batch."""
    for item in client.messages.batches.results(batch_id):
        result = item.result
        if result.type == "succeeded":
            yield item.custom_id, Answer(*_parts(result.message))
        elif result.type == "errored":
            err = result.error.error
            yield item.custom_id, BatchError(str(err.type), str(getattr(err, "message", "")))
        else:
            yield item.custom_id, result.type


def text_of(content: list[Any]) -> str:
    """The text blocks of an answer, joined (tool calls as their JSON input)."""
    import json

    parts = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            parts.append(json.dumps(block.get("input"), sort_keys=True))
    return "\n".join(parts)
