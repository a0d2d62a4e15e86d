"""The bad-line kinds: each turns a valid record of a format into one hostile line.

A kind's outcome is what switchcost must do with the line: `bad` (reported as malformed at its
file and line, never billed), `skip` (not billed and not reported: blank lines), or `valid`
(odd but well-formed: billed exactly, e.g. a CRLF ending or a 1.2 MiB tag).  Per-format
exceptions, each with its reason, are in OVERRIDES."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from tests.fuzz.formats import DELETE, Obj, Path_, Spec, dumps, set_path

KEY = "sk-ant-api03-" + "Q" * 86 + "-AAAAAAA"  # key-shaped, not a real key
LONG = 1_200_000  # characters: past the Claude Code reader's 1 MiB giant-line threshold
Build = Callable[[Spec, Obj, random.Random], bytes]


def _raw(obj: Obj, path: Path_, literal: str) -> bytes:
    """`obj` with the JSON text at `path` replaced by `literal` (NaN, 1e20, a duplicate key)."""
    return dumps(set_path(obj, path, "__RAW__")).replace(b'"__RAW__"', literal.encode())


def _count(value: Any) -> Build:
    return lambda s, o, r: dumps(set_path(o, s.count, value))


def _count_raw(literal: str) -> Build:
    return lambda s, o, r: _raw(o, s.count, literal)


def _ts(value: Any) -> Build:
    return lambda s, o, r: dumps(set_path(o, s.ts, value)) if s.ts else b""


def _model(value: Any) -> Build:
    return lambda s, o, r: dumps(set_path(o, s.model, value)) if s.model else b""


def _truncated(s: Spec, o: Obj, r: random.Random) -> bytes:
    text = dumps(o)
    return text[: r.randint(1, len(text) - 2)]


def _not_utf8(s: Spec, o: Obj, r: random.Random) -> bytes:
    text = dumps(o)
    at = r.randint(1, len(text) - 1)
    return text[:at] + r.choice((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80")) + text[at:]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _dup_key(s: Spec, o: Obj, r: random.Random) -> bytes:
    # The same key twice: the valid count first, a negative one last.  JSON parsers keep the
    # last (Python, orjson and ECMAScript alike): the line is bad.
    good = json.dumps(_get(o, s.count))
    return _raw(o, s.count, f'{good},"{s.count[-1]}":-7')


def _get(o: Any, path: Path_) -> Any:
    for key in path:
        o = o[key]
    return o


def _long_tag(s: Spec, o: Obj, r: random.Random) -> bytes:
    return dumps(set_path(o, s.tag, "t" * LONG))


# name -> build: every kind applies to every format that has the field it aims at.
KINDS: dict[str, Build] = {
    "truncated_json": _truncated,
    "truncated_after_brace": lambda s, o, r: dumps(o)[:-1],
    "not_utf8": _not_utf8,
    "utf16_line": lambda s, o, r: dumps(o).decode().encode("utf-16"),
    "lone_surrogate_model": lambda s, o, r: (
        _raw(o, s.model, '"claude-haiku-4-5\\ud800"') if s.model else b""
    ),
    "deep_nesting_10000": lambda s, o, r: _raw(o, s.tag, _nested(10_000)),
    "deep_array_line": lambda s, o, r: _nested(10_000).encode(),
    "count_1e20": _count_raw("1e20"),
    "count_2_pow_64": _count_raw(str(2**64)),
    "count_negative": _count(-5),
    "count_float": _count(1.5),
    "count_string": _count("lots"),
    "count_bool": _count(True),
    "count_null": _count(None),
    "count_object": _count({"n": 1}),
    "count_nan": _count_raw("NaN"),
    "count_infinity": _count_raw("Infinity"),
    "count_neg_infinity": _count_raw("-Infinity"),
    "count_api_key": _count(KEY),
    "ts_1e20": _ts(1e20),
    "ts_neg_1e20": _ts(-1e20),
    "ts_year_0": _ts("0000-01-01T00:00:00Z"),
    "ts_garbage": _ts("the day after tomorrow"),
    "ts_array": _ts([2026, 11, 18]),
    "line_is_array": lambda s, o, r: dumps([o]),
    "line_is_string": lambda s, o, r: b'"a string"',
    "line_is_number": lambda s, o, r: b"42",
    "line_is_null": lambda s, o, r: b"null",
    "usage_is_array": lambda s, o, r: dumps(set_path(o, s.usage or (), [1, 2])),
    "usage_is_string": lambda s, o, r: dumps(set_path(o, s.usage or (), "usage")),
    "missing_model": _model(DELETE),
    "empty_model": _model(""),
    "model_number": _model(4.5),
    "empty_object": lambda s, o, r: b"{}",
    "nul_bytes": lambda s, o, r: b"\x00" + dumps(o),
    "control_char_in_string": lambda s, o, r: _raw(o, s.tag, '"a\x01b"'),
    "bad_escape": lambda s, o, r: _raw(o, s.tag, '"a\\qb"'),
    "trailing_garbage": lambda s, o, r: dumps(o) + b" xyz",
    "two_objects_one_line": lambda s, o, r: dumps(o) + dumps(o),
    "single_quotes": lambda s, o, r: repr(o).encode(),
    "duplicate_key_bad_last": _dup_key,
    "huge_junk_line": lambda s, o, r: b"{" + b"x" * 3_000_000,
    # no outcome of `bad`:
    "empty_line": lambda s, o, r: b"",
    "whitespace_line": lambda s, o, r: b" \t  ",
    "crlf_ending": lambda s, o, r: dumps(o) + b"\r",
    "bom_mid_file": lambda s, o, r: b"\xef\xbb\xbf" + dumps(o),
    "leading_whitespace": lambda s, o, r: b"   " + dumps(o),
    "long_tag_string": _long_tag,
}
SKIP = frozenset({"empty_line", "whitespace_line"})
VALID = frozenset({"crlf_ending", "bom_mid_file", "leading_whitespace", "long_tag_string"})
# Kinds too costly to repeat often (their share of a corpus is capped).
HEAVY = frozenset({"deep_nesting_10000", "deep_array_line", "huge_junk_line", "long_tag_string"})

CC = "projects/-w/s1.jsonl"
# (spec file, kind) -> outcome, where a format's own documented rule differs from the default;
# `none`: the kind is not generated for that format (a known defect, tested on its own).
OVERRIDES: dict[tuple[str, str], str] = {
    # README: a Claude Code line that cannot be a response is only checked to be one {...}
    # object; errors inside one are not reported.
    (CC, "empty_object"): "skip",
    (CC, "single_quotes"): "skip",
    # The JSON-lines readers skip a byte-order mark on any line; Claude Code only on line 1
    # (the line is reported, with the reason "a field has the wrong type").
    (CC, "bom_mid_file"): "bad",
    # test_reliability_fuzz.py: Claude Code keeps the first of duplicated keys, and bills a
    # year-0 timestamp (xfail tests there).
    (CC, "duplicate_key_bad_last"): "none",
    (CC, "ts_year_0"): "none",
    # DuckDB reads 10,000 levels; the nesting sits in a field the reader ignores.
    (CC, "deep_nesting_10000"): "valid",
    # A span or spend log whose model is not a Claude model (none, "", a number) is not a
    # Claude request: skipped by design (OpenAI traffic through the same gateway).
    ("spans.jsonl", "missing_model"): "skip",
    ("spans.jsonl", "empty_model"): "skip",
    ("spans.jsonl", "model_number"): "skip",
    ("spend.jsonl", "missing_model"): "skip",
    ("spend.jsonl", "empty_model"): "skip",
    ("spend.jsonl", "model_number"): "skip",
    # Span attributes that are not a list: no gen_ai usage, so not a request (as agent spans).
    ("spans.jsonl", "usage_is_array"): "skip",
    ("spans.jsonl", "usage_is_string"): "skip",
    # 1e20 nanoseconds is 5138-11-16: inside the calendar, a valid (odd) span time.
    ("spans.jsonl", "ts_1e20"): "valid",
}


def outcome(spec: Spec, kind: str) -> str:
    default = "skip" if kind in SKIP else "valid" if kind in VALID else "bad"
    return OVERRIDES.get((spec.file, kind), default)


def applies(spec: Spec, kind: str) -> bool:
    if OVERRIDES.get((spec.file, kind)) == "none":
        return False
    if kind.startswith("ts_"):
        return spec.ts is not None
    if kind.startswith("usage_"):
        return spec.usage is not None
    if "model" in kind and kind != "lone_surrogate_model":
        return spec.model is not None
    return kind != "lone_surrogate_model" or spec.model is not None
