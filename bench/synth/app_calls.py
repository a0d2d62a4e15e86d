"""The calls of an app using the Messages API: drawn per workload, with their usage,
content, tags and ground truth (shared by the app log and the stream-events log)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from bench.synth.common import (
    B64,
    HAIKU_45,
    OPUS_45,
    SONNET_4,
    SONNET_45,
    TrueAppRequest,
    b58,
    day_time_ms,
    from_ms,
    lognormal,
    new_tool_id,
    to_ms,
)


@dataclass(slots=True)
class AppCall:
    workload: str
    model: str
    tier: str
    inp: int
    w5: int
    w1: int
    cr: int
    out: int
    ws: int
    stream: bool
    ttft: int
    latency: int
    thinking: bool
    tool_use: bool
    geo: str | None


def draw_call(
    rng: random.Random, workload: str, long_context_share: float, allow_batch: bool
) -> AppCall:
    """Model, usage and timing of one call of `workload` (see WORKLOADS)."""
    r = rng.random
    w5 = w1 = cr = ws = 0
    thinking = tool_use = False
    tier = "standard"
    if workload == "support-chatbot":
        model = HAIKU_45 if r() < 0.15 else SONNET_45
        inp = rng.randint(30, 800)
        cr = rng.randint(8_000, 14_000) if r() < 0.85 else 0
        w5 = rng.randint(1_000, 3_000) if cr == 0 or r() < 0.1 else 0
        out = int(lognormal(rng, 220, 0.6))
        stream = True
    elif workload == "planner":
        model = OPUS_45
        inp = rng.randint(800, 4_000)
        cr = rng.randint(5_000, 30_000) if r() < 0.7 else 0
        w5 = rng.randint(1_000, 6_000) if r() < 0.4 else 0
        out = int(lognormal(rng, 1_100, 0.6))
        stream = r() < 0.3
        thinking = True
        tool_use = r() < 0.5
    elif workload == "planner-subagent":
        model = SONNET_45 if r() < 0.6 else HAIKU_45
        inp = rng.randint(500, 8_000)
        cr = rng.randint(2_000, 15_000) if r() < 0.5 else 0
        w5 = rng.randint(500, 4_000) if r() < 0.3 else 0
        out = int(lognormal(rng, 450, 0.7))
        stream = False
        tool_use = r() < 0.3
    elif workload == "docs-qa":
        model = SONNET_4
        ws = rng.randint(1, 3) if r() < 0.35 else 0
        inp = rng.randint(1_500, 9_000) + ws * rng.randint(2_000, 5_000)
        cr = rng.randint(1_000, 6_000) if r() < 0.3 else 0
        out = int(lognormal(rng, 450, 0.6))
        stream = r() < 0.5
    elif workload == "json-extraction":
        model = SONNET_45
        inp = rng.randint(800, 6_000)
        cr = 1_500 if r() < 0.5 else 0
        out = int(lognormal(rng, 250, 0.6))
        stream = False
        if allow_batch and r() < 0.4:
            tier = "batch"
    elif workload == "code-review":
        model = SONNET_45 if r() < 0.65 else OPUS_45
        inp = rng.randint(2_000, 20_000)
        w1 = rng.randint(20_000, 90_000)
        cr = rng.randint(5_000, 60_000) if r() < 0.6 else 0
        out = int(lognormal(rng, 1_500, 0.6))
        stream = r() < 0.7
        thinking = model == OPUS_45
        if long_context_share and model == SONNET_45 and r() < long_context_share:
            cr = rng.randint(200_001, 400_000) - inp - w1
    else:
        raise ValueError(f"unknown workload {workload!r}")
    out = max(out, 5)
    if model == HAIKU_45:
        ttft, speed = rng.randint(300, 800), rng.uniform(100, 160)
    elif model == OPUS_45:
        ttft, speed = rng.randint(600, 1_500), rng.uniform(30, 50)
    else:
        ttft, speed = rng.randint(400, 1_200), rng.uniform(50, 80)
    latency = ttft + int(out / speed * 1000) + rng.randint(10, 200) + ws * rng.randint(800, 2_500)
    geo = "not_available" if r() < 0.05 else None
    return AppCall(
        workload,
        model,
        tier,
        inp,
        w5,
        w1,
        cr,
        out,
        ws,
        stream,
        ttft,
        latency,
        thinking,
        tool_use,
        geo,
    )


def app_tags(rng: random.Random, workload: str) -> dict[str, str]:
    """Tags whose default resolution (first of workload, feature, app) is `workload`."""
    r = rng.random()
    tags: dict[str, str] = {}
    if r < 0.70:
        tags["workload"] = workload
        if rng.random() < 0.3:
            tags["app"] = "acme-backend"
        if rng.random() < 0.25:
            tags["feature"] = rng.choice(("triage", "summarise", "extract", "answer"))
    elif r < 0.85:
        tags["app"] = "acme-backend"
        tags["feature"] = workload
    else:
        tags["app"] = workload
    tags["env"] = "prod" if rng.random() < 0.9 else "staging"
    if workload == "planner":
        tags["agent_role"] = "orchestrator"
    elif workload == "planner-subagent":
        tags["agent_role"] = "subagent"
        tags["parent_workload"] = "planner"
    return tags


def usage_of(c: AppCall, output_tokens: int) -> dict[str, object]:
    usage: dict[str, object] = {
        "input_tokens": c.inp,
        "cache_creation_input_tokens": c.w5 + c.w1,
        "cache_read_input_tokens": c.cr,
        "cache_creation": {"ephemeral_5m_input_tokens": c.w5, "ephemeral_1h_input_tokens": c.w1},
        "output_tokens": output_tokens,
    }
    if c.ws or c.workload == "docs-qa":
        usage["server_tool_use"] = {"web_search_requests": c.ws, "web_fetch_requests": 0}
    usage["service_tier"] = c.tier
    if c.geo is not None:
        usage["inference_geo"] = c.geo
    return usage


def content_blocks(rng: random.Random, c: AppCall) -> list[dict[str, object]]:
    """Placeholder content blocks: no prompt or answer text, only the block shapes."""
    blocks: list[dict[str, object]] = []
    if c.thinking:
        sig = "".join(rng.choices(B64, k=48))
        blocks.append({"type": "thinking", "thinking": "", "signature": sig})
    for _ in range(c.ws):
        sid = "srvtoolu_01" + b58(rng, 22)
        blocks.append({"type": "server_tool_use", "id": sid, "name": "web_search", "input": {}})
        blocks.append({"type": "web_search_tool_result", "tool_use_id": sid, "content": []})
    blocks.append({"type": "text", "text": "..."})
    if c.tool_use:
        blocks.append(
            {"type": "tool_use", "id": new_tool_id(rng), "name": "dispatch_subtask", "input": {}}
        )
    return blocks


def app_times(rng: random.Random, start: datetime, days: int, n: int) -> list[int]:
    start_ms = to_ms(start)
    return sorted(day_time_ms(rng, start_ms, days) for _ in range(n))


def workload_of(tags: dict[str, str]) -> str | None:
    """The default workload rule: the first present of `workload`, `feature`, `app`."""
    return next((tags[k] for k in ("workload", "feature", "app") if k in tags), None)


def app_truth(
    c: AppCall,
    mid: str,
    rid: str | None,
    ts_ms: int | None,
    workload: str | None,
    latency: int | None,
    ttft: int | None,
) -> TrueAppRequest:
    return TrueAppRequest(
        message_id=mid,
        request_id=rid,
        model=c.model,
        timestamp=None if ts_ms is None else from_ms(ts_ms),
        workload=workload,
        service_tier=c.tier,
        input_tokens=c.inp,
        cache_write_5m=c.w5,
        cache_write_1h=c.w1,
        cache_read=c.cr,
        output_tokens=c.out,
        web_search_requests=c.ws,
        latency_ms=latency,
        ttft_ms=ttft,
        is_subagent=c.workload == "planner-subagent",
    )
