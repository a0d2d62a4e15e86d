"""What every generator shares: model ids and mixes, the ground-truth records, times, ids
and random draws."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

SONNET_45 = "claude-sonnet-4-5-20250929"
OPUS_45 = "claude-opus-4-5-20251101"
HAIKU_45 = "claude-haiku-4-5-20251001"
SONNET_4 = "claude-sonnet-4-20250514"

#: Main-thread model mix of a Claude Code tree (weights).
MAIN_MODELS: tuple[tuple[str, float], ...] = (
    (SONNET_45, 0.55),
    (OPUS_45, 0.28),
    (SONNET_4, 0.10),
    (HAIKU_45, 0.07),
)
#: Sub-agent model mix: sub-agents mostly run on Haiku 4.5 or Sonnet 4.5.
AGENT_MODELS: tuple[tuple[str, float], ...] = ((HAIKU_45, 0.60), (SONNET_45, 0.35), (OPUS_45, 0.05))

#: The workloads of the app log, with their share of requests.
WORKLOADS: tuple[tuple[str, float], ...] = (
    ("support-chatbot", 0.40),
    ("planner", 0.07),
    ("planner-subagent", 0.18),
    ("docs-qa", 0.12),
    ("json-extraction", 0.15),
    ("code-review", 0.08),
)

_NO_GEO_MODELS = frozenset({SONNET_45, OPUS_45, HAIKU_45, SONNET_4})
LONG_CONTEXT_MODELS = frozenset({SONNET_45, SONNET_4})
OUT_SPEED = {HAIKU_45: 130.0, SONNET_45: 65.0, SONNET_4: 60.0, OPUS_45: 40.0}
ALIASES = {
    SONNET_45: "claude-sonnet-4-5",
    OPUS_45: "claude-opus-4-5",
    HAIKU_45: "claude-haiku-4-5",
    SONNET_4: "claude-sonnet-4-0",
}
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#: Hour-of-day weights (UTC) for session and request start times.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 6, 9, 10, 10, 10, 8, 9, 10, 10, 9, 8, 6, 5, 4, 3, 2, 2)


def inference_geo(model: str) -> str:
    """The `usage.inference_geo` the API reports for `model` (4.5 and older: not_available)."""
    return "not_available" if model in _NO_GEO_MODELS else "global"


@dataclass(frozen=True, slots=True)
class TrueRequest:
    """One billed Claude Code API call: deduplicated, with its final output count.

    `timestamp` is that of the call's last line (the one carrying the final `output_tokens`);
    `session_id` is the session where the call first appeared (a resumed copy repeats it in a later
    file); `project` is the directory name under `projects/`.
    """

    message_id: str
    request_id: str
    model: str
    timestamp: datetime
    project: str
    session_id: str
    is_sidechain: bool
    input_tokens: int
    cache_write_5m: int
    cache_write_1h: int
    cache_read: int
    output_tokens: int

    @property
    def prompt_tokens(self) -> int:
        """Input + cache writes + cache reads: the size that decides long-context pricing."""
        return self.input_tokens + self.cache_write_5m + self.cache_write_1h + self.cache_read


@dataclass(frozen=True, slots=True)
class TrueAppRequest:
    """One billed Messages API call of an app log.

    `timestamp`, `request_id`, `workload` and the latencies are None for bare Message lines (they
    carry no wrapper). For stream-event logs `timestamp` is the `message_start` line's `ts`,
    `latency_ms` is message_stop minus message_start and `ttft_ms` is the first content event
    minus message_start.
    """

    message_id: str
    request_id: str | None
    model: str
    timestamp: datetime | None
    workload: str | None
    service_tier: str
    input_tokens: int
    cache_write_5m: int
    cache_write_1h: int
    cache_read: int
    output_tokens: int
    web_search_requests: int
    latency_ms: int | None
    ttft_ms: int | None
    is_subagent: bool

    @property
    def prompt_tokens(self) -> int:
        """Input + cache writes + cache reads."""
        return self.input_tokens + self.cache_write_5m + self.cache_write_1h + self.cache_read


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of a timezone-aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """UTC datetime of an epoch-milliseconds value."""
    return _EPOCH + timedelta(milliseconds=ms)


_MINUTES: dict[int, str] = {}


def iso_ms(ms: int) -> str:
    """Format epoch milliseconds like Claude Code does: `2026-11-18T14:02:11.031Z`."""
    minute, rem = divmod(ms, 60_000)
    prefix = _MINUTES.get(minute)
    if prefix is None:
        if len(_MINUTES) > 100_000:
            _MINUTES.clear()
        moment = _EPOCH + timedelta(minutes=minute)
        prefix = _MINUTES[minute] = moment.strftime("%Y-%m-%dT%H:%M:")
    sec, milli = divmod(rem, 1000)
    return f"{prefix}{sec:02d}.{milli:03d}Z"


#: Maps any byte to a base58 character: random bytes -> id characters in one C call.
_B58_TABLE = bytes(ord(_B58[b % 58]) for b in range(256))


def b58(rng: random.Random, k: int) -> str:
    return rng.randbytes(k).translate(_B58_TABLE).decode()


def new_msg_id(rng: random.Random) -> str:
    return "msg_01" + b58(rng, 22)


def new_req_id(rng: random.Random) -> str:
    return "req_011C" + b58(rng, 20)


def new_tool_id(rng: random.Random) -> str:
    return "toolu_01" + b58(rng, 22)


def new_uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """Lognormal draw with the given mean (not median)."""
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def json_escape(text: str) -> str:
    """Body of a JSON string literal, written the way Claude Code (JSON.stringify) writes it."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def day_time_ms(rng: random.Random, start_ms: int, days: int) -> int:
    """A start time within [start, start+days) following the working-hours profile."""
    day = rng.randrange(days)
    hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
    return start_ms + day * DAY_MS + hour * HOUR_MS + rng.randrange(HOUR_MS)


PROMPT_KEYS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def dump_json(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def find_message(obj: object) -> dict[str, Any] | None:
    """The Message dict inside a Claude Code line, app record, bare Message or stream event."""
    if not isinstance(obj, dict):
        return None
    for cand in (obj.get("message"), obj.get("response"), obj):
        if isinstance(cand, dict) and isinstance(cand.get("usage"), dict) and "id" in cand:
            return cand
    event = obj.get("event")
    if isinstance(event, dict):
        return find_message(event)
    return None
