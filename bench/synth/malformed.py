"""Malformed lines injected into a written log, at known positions."""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.synth.common import dump_json, find_message, new_msg_id, new_req_id, new_uuid

MALFORMED_KINDS = ("truncated", "wrong_type", "invalid_utf8", "missing_usage")


def _malformed(kind: str, base: bytes, rng: random.Random) -> bytes:
    text = base.decode("utf-8")
    if kind == "truncated":
        return text[: int(len(text) * rng.uniform(0.3, 0.8))].encode()
    obj = json.loads(text)
    msg = find_message(obj)
    assert msg is not None
    msg["id"] = new_msg_id(rng)
    for key in ("requestId", "request_id"):
        if key in obj:
            obj[key] = new_req_id(rng)
    usage = msg["usage"]
    assert isinstance(usage, dict)
    if kind == "wrong_type":
        usage["input_tokens"] = "lots"
        return dump_json(obj).encode()
    if kind == "missing_usage":
        del msg["usage"]
        return dump_json(obj).encode()
    # invalid_utf8: a line that bills nothing, so readers may skip or repair it
    marker = "@@BAD@@"
    if "sessionId" in obj:
        bad: dict[str, object] = {
            k: obj[k]
            for k in (
                "isSidechain",
                "userType",
                "cwd",
                "sessionId",
                "version",
                "gitBranch",
                "agentId",
                "slug",
            )
            if k in obj
        }
        bad = {"parentUuid": None, **bad, "type": "user"}
        bad["message"] = {"role": "user", "content": marker}
        bad["uuid"] = new_uuid(rng)
        bad["timestamp"] = obj.get("timestamp")
    elif "event" in obj:
        bad = {"ts": obj.get("ts"), "request_id": new_req_id(rng), "event": {"type": "ping"}}
        bad["note"] = marker
    else:
        err = {"type": "error", "error": {"type": "api_error", "message": marker}}
        bad = {"ts": obj.get("ts"), "request_id": new_req_id(rng), "error": err}
    return dump_json(bad).encode().replace(marker.encode(), b"caf\xe9 \xff\xfe total")


def inject_malformed(path: Path, *, seed: int, n: int) -> list[int]:
    """Insert `n` bad lines into a JSONL file; return their 1-based line numbers, ascending.

    Kinds cycle through MALFORMED_KINDS: a truncated copy of a usage line, a usage line with
    `"input_tokens":"lots"`, a non-billing line with invalid UTF-8 bytes, and a usage line without
    `usage`. Lines are inserted, never replaced, and the complete ones carry fresh ids, so the
    file's ground truth does not change.
    """
    rng = random.Random(f"{seed}/malformed/{path.name}")
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    bases = [
        raw
        for raw in lines
        if b'"usage":{' in raw and b"<synthetic>" not in raw and find_message(_loads(raw))
    ]
    if not bases:
        raise ValueError(f"{path}: no line with usage to base malformed lines on")
    kinds = [MALFORMED_KINDS[i % len(MALFORMED_KINDS)] for i in range(n)]
    rng.shuffle(kinds)
    positions = sorted(rng.sample(range(1, len(lines) + n + 1), n))
    bad = {
        pos: _malformed(kind, rng.choice(bases), rng)
        for pos, kind in zip(positions, kinds, strict=True)
    }
    good = iter(lines)
    merged = [bad[no] if no in bad else next(good) for no in range(1, len(lines) + n + 1)]
    path.write_bytes(b"\n".join(merged) + b"\n")
    return positions


def _loads(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return None
