"""Raw SDK stream events, one per line (a `messages` log of bare streams), with bad lines
between the streams: a stream is one request over its six event lines."""

from __future__ import annotations

import random
from typing import Any

from tests.fuzz import kinds as K
from tests.fuzz.formats import Spec, dumps
from tests.fuzz.rates import HAIKU, SONNET, Usage

FILE = "sdk_stream_events.jsonl"
# Kinds that need no field of a record: they break the line itself.
LINE_KINDS = (
    "truncated_json",
    "truncated_after_brace",
    "not_utf8",
    "utf16_line",
    "deep_array_line",
    "line_is_array",
    "line_is_string",
    "line_is_number",
    "line_is_null",
    "nul_bytes",
    "trailing_garbage",
    "two_objects_one_line",
    "single_quotes",
    "huge_junk_line",
    "empty_line",
    "whitespace_line",
)


def events(i: int, rng: random.Random) -> tuple[list[dict[str, Any]], Usage]:
    u = Usage(
        rng.choice((HAIKU, SONNET)),
        inp=rng.randint(1, 5000),
        read=rng.randint(0, 9000),
        out=rng.randint(2, 2000),
    )
    start = {
        "type": "message_start",
        "message": {
            "id": f"msg_st{i:07d}",
            "type": "message",
            "role": "assistant",
            "model": u.model,
            "content": [],
            "stop_reason": None,
            "usage": {
                "input_tokens": u.inp,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": u.read,
                "output_tokens": 1,
            },
        },
    }
    return [
        start,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": u.out},  # cumulative: the last value is the count
        },
        {"type": "message_stop"},
    ], u


def write_file(root: Any, seed: int, n_bad: int, n_valid: int, heavy_cap: int = 2) -> Any:
    from tests.fuzz.corpus import FileExpect

    rng = random.Random(f"{seed}:{FILE}")
    path = root / FILE
    expect = FileExpect(path, "messages")
    spec = Spec("messages", FILE, lambda i, r: ({}, Usage(HAIKU)), (), None, None, (), ())
    order: list[str | None] = []
    heavy = 0
    while len(order) < n_bad:
        kind = LINE_KINDS[len(order) % len(LINE_KINDS)]
        if kind in K.HEAVY:
            if heavy >= heavy_cap:
                order.append("truncated_json")
                continue
            heavy += 1
        order.append(kind)
    order += [None] * n_valid
    rng.shuffle(order)
    order.insert(0, None)
    out: list[bytes] = []
    serial = seed * 1_000_000
    for kind in order:
        serial += 1
        evs, usage = events(serial, rng)
        if kind is None:
            for ev in evs:
                out.append(dumps(ev))
                expect.billed[len(out)] = usage
            continue
        out.append(K.KINDS[kind](spec, evs[0], rng))
        if K.outcome(spec, kind) == "skip":
            expect.skipped += 1
        else:
            expect.bad[len(out)] = kind
    path.write_bytes(b"".join(line + b"\n" for line in out))
    expect.lines = len(out)
    return expect
