"""Tiny hand-made Claude Code transcript lines (compact JSON, as Claude Code writes them)."""

from __future__ import annotations

import json
from typing import Any


def assistant(
    msg_id: str,
    req_id: str | None,
    *,
    model: str = "claude-sonnet-4-5-20250929",
    ts: str = "2026-11-02T10:00:00.000Z",
    inp: int = 10,
    w5: int = 0,
    w1: int = 0,
    read: int = 0,
    out: int = 100,
    session: str = "s1",
    sidechain: bool = False,
    **extra: Any,
) -> str:
    usage = {
        "input_tokens": inp,
        "cache_creation_input_tokens": w5 + w1,
        "cache_read_input_tokens": read,
        "cache_creation": {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1},
        "output_tokens": out,
        "service_tier": "standard",
    }
    line: dict[str, Any] = {
        "parentUuid": None,
        "isSidechain": sidechain,
        "userType": "external",
        "cwd": "/w",
        "sessionId": session,
        "version": "2.1.290",
        "type": "assistant",
        "message": {
            "model": model,
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "x"}],
            "usage": usage,
        },
        "uuid": f"u-{msg_id}-{out}",
        "timestamp": ts,
        **extra,
    }
    if req_id is not None:
        line["requestId"] = req_id
    return json.dumps(line, separators=(",", ":"))


def user(text: str = "hello", session: str = "s1", ts: str = "2026-11-02T09:59:00.000Z") -> str:
    return json.dumps(
        {
            "parentUuid": None,
            "isSidechain": False,
            "type": "user",
            "sessionId": session,
            "uuid": "u-user",
            "timestamp": ts,
            "message": {"role": "user", "content": text},
        },
        separators=(",", ":"),
    )
