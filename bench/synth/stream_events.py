"""A Messages API log of raw streaming events (`message_start` ... `message_stop`)."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from bench.synth.app_calls import (
    AppCall,
    app_tags,
    app_times,
    app_truth,
    content_blocks,
    draw_call,
    usage_of,
    workload_of,
)
from bench.synth.common import (
    PROMPT_KEYS,
    WORKLOADS,
    TrueAppRequest,
    dump_json,
    iso_ms,
    new_msg_id,
    new_req_id,
)


def stream_events_log(
    path: Path,
    *,
    seed: int,
    start: datetime,
    days: int,
    n_requests: int,
    with_tags: bool = True,
    long_context_share: float = 0.0,
) -> list[TrueAppRequest]:
    """Write a streaming-event log (one line per SSE event) and return its billed calls.

    Each call is message_start (input and cache counts, output_tokens 1), content_block_*
    events, message_delta with cumulative usage (final output_tokens; input counts repeated on
    some) and message_stop. Lines of overlapping calls interleave, as a busy app writes them.
    """
    rng = random.Random(f"{seed}/stream")
    names = [w for w, _ in WORKLOADS]
    weights = [p for _, p in WORKLOADS]
    events: list[tuple[int, int, str]] = []
    truths: list[TrueAppRequest] = []
    for ts_ms in app_times(rng, start, days, n_requests):
        workload = rng.choices(names, weights)[0]
        c = draw_call(rng, workload, long_context_share, allow_batch=False)
        c.stream = True
        rid = new_req_id(rng)
        mid = new_msg_id(rng)
        tags = app_tags(rng, workload) if with_tags else None
        prefix = f'{{"ts":"{{ts}}","request_id":"{rid}",'
        if tags is not None:
            prefix += f'"tags":{dump_json(tags)},'
        seq = len(events)
        out_lines: list[tuple[int, dict[str, object]]] = []
        start_usage = usage_of(c, 1)
        start_usage.pop("server_tool_use", None)
        first: dict[str, object] = {
            "type": "message_start",
            "message": {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": c.model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": start_usage,
            },
        }
        out_lines.append((ts_ms, first))
        t_first = ts_ms + c.ttft
        t_end = max(ts_ms + c.latency, t_first + 20)
        if rng.random() < 0.5:
            ping: dict[str, object] = {"type": "ping"}
            out_lines.append((ts_ms + rng.randint(1, max(1, c.ttft - 1)), ping))
        block_events = _block_events(rng, c)
        span = t_end - 10 - t_first
        for j, ev in enumerate(block_events):
            out_lines.append((t_first + span * j // len(block_events), ev))
        final_usage: dict[str, object] = {}
        if rng.random() < 0.6:
            final_usage = {k: start_usage[k] for k in PROMPT_KEYS}
        final_usage["output_tokens"] = c.out
        if c.ws or c.workload == "docs-qa":
            final_usage["server_tool_use"] = {"web_search_requests": c.ws, "web_fetch_requests": 0}
        stop = "tool_use" if c.tool_use else "end_turn"
        delta: dict[str, object] = {"stop_reason": stop, "stop_sequence": None}
        last_delta: dict[str, object] = {"type": "message_delta", "delta": delta}
        last_delta["usage"] = final_usage
        stop_event: dict[str, object] = {"type": "message_stop"}
        out_lines += [(t_end - 5, last_delta), (t_end, stop_event)]
        for k, (t, ev) in enumerate(out_lines):
            line = prefix.replace("{ts}", iso_ms(t)) + f'"event":{dump_json(ev)}}}'
            events.append((t, seq + k, line))
        latency = t_end - ts_ms
        truths.append(app_truth(c, mid, rid, ts_ms, workload_of(tags or {}), latency, c.ttft))
    events.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(line for _, _, line in events) + "\n", encoding="utf-8")
    return truths


def _block_events(rng: random.Random, c: AppCall) -> list[dict[str, object]]:
    """content_block_start/delta/stop events for the call's placeholder content."""
    evs: list[dict[str, object]] = []
    for index, block in enumerate(content_blocks(rng, c)):
        kind = block["type"]
        if kind == "thinking":
            evs.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "thinking", "thinking": ""},
                }
            )
            evs.append(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "thinking_delta", "thinking": "..."},
                }
            )
            evs.append(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "signature_delta", "signature": block["signature"]},
                }
            )
        elif kind in ("server_tool_use", "tool_use"):
            evs.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {**block, "input": {}},
                }
            )
            evs.append(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": "{}"},
                }
            )
        elif kind == "text":
            evs.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                }
            )
            for _ in range(rng.randint(1, 3)):
                evs.append(
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": "..."},
                    }
                )
        else:
            evs.append({"type": "content_block_start", "index": index, "content_block": block})
        evs.append({"type": "content_block_stop", "index": index})
    return evs
