"""A Messages API app log: one JSON record per call (the SDK wrapper format)."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from bench.synth.app_calls import (
    app_tags,
    app_times,
    app_truth,
    content_blocks,
    draw_call,
    usage_of,
    workload_of,
)
from bench.synth.common import (
    ALIASES,
    WORKLOADS,
    TrueAppRequest,
    dump_json,
    iso_ms,
    new_msg_id,
    new_req_id,
)

_ERRORS = (
    ("overloaded_error", "Overloaded", 529),
    ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", 429),
    ("api_error", "Internal server error", 500),
)


def messages_log(
    path: Path,
    *,
    seed: int,
    start: datetime,
    days: int,
    n_requests: int,
    long_context_share: float = 0.0,
    bare_share: float = 0.03,
    error_share: float = 0.02,
    duplicate_share: float = 0.015,
) -> list[TrueAppRequest]:
    """Write an app-side Messages API log (JSON lines) and return its billed calls.

    Mix: wrapper records `{ts, request_id, latency_ms, ttft_ms, stream, tags, request, response}`,
    a few bare Message objects, error records (no response, not billed) and calls logged twice
    (identical line, counted once). `n_requests` counts records before duplication, errors
    included. Result is in file order.
    """
    rng = random.Random(f"{seed}/messages")
    names = [w for w, _ in WORKLOADS]
    weights = [p for _, p in WORKLOADS]
    lines: list[str] = []
    replay: list[tuple[int, str]] = []
    truths: list[TrueAppRequest] = []
    for ts_ms in app_times(rng, start, days, n_requests):
        workload = rng.choices(names, weights)[0]
        c = draw_call(rng, workload, long_context_share, allow_batch=True)
        rid = new_req_id(rng)
        mid = new_msg_id(rng)
        kind = rng.random()
        tags = app_tags(rng, workload)
        requested = ALIASES[c.model] if rng.random() < 0.6 else c.model
        max_tokens = next(m for m in (1024, 2048, 4096, 8192, 16_000, 32_000) if m >= c.out)
        batch = c.tier == "batch"
        latency = None if batch else c.latency
        ttft = c.ttft if c.stream else None
        stop = "tool_use" if c.tool_use else "end_turn"
        message = {
            "id": mid,
            "type": "message",
            "role": "assistant",
            "model": c.model,
            "content": content_blocks(rng, c),
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage_of(c, c.out),
        }
        record: dict[str, object] = {
            "ts": iso_ms(ts_ms),
            "request_id": rid,
            "latency_ms": latency,
            "ttft_ms": ttft,
            "stream": c.stream,
            "tags": tags,
            "request": {"model": requested, "max_tokens": max_tokens},
        }
        if kind < error_share:
            etype, emsg, _status = rng.choice(_ERRORS)
            record["latency_ms"] = rng.randint(200, 30_000)
            record["ttft_ms"] = None
            err = {"type": "error", "error": {"type": etype, "message": emsg}, "request_id": rid}
            record["error"] = err
            line = dump_json(record)
        elif kind < error_share + bare_share:
            line = dump_json(message)
            truths.append(app_truth(c, mid, None, None, None, None, None))
        else:
            record["response"] = message
            line = dump_json(record)
            truths.append(app_truth(c, mid, rid, ts_ms, workload_of(tags), latency, ttft))
        lines.append(line)
        if rng.random() < duplicate_share:
            replay.append((len(lines) + rng.randint(0, 20), line))
        while replay and replay[0][0] <= len(lines):
            lines.append(replay.pop(0)[1])
    lines.extend(line for _, line in replay)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truths
