"""Parsing one JSON line and its fields, for every JSON-lines reader (not a reader itself).

Every check here turns bad input into `BadRecord` with a reason, so a reader reports the line
(file, line, reason) and goes on: a line nested too deeply to parse, a byte-order mark, a
timestamp no calendar holds, a NaN or infinite duration, text that is not Unicode.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from typing import Any

import orjson

from switchcost.ingest.records import COLUMNS

MAX_COUNT = 2**63 - 1  # the largest token count a BIGINT column holds
_BOM = b"\xef\xbb\xbf"
TOO_DEEP = "JSON nested too deeply to read"


class BadRecord(ValueError):
    """A line that is not a usable record; the message says why."""


class LooseObject(dict[str, Any]):
    """A line `json` accepted and orjson refused, holding text that is not valid Unicode (a
    lone surrogate such as `\\ud800`): Arrow and DuckDB refuse such text, so a reader checks
    the text of the rows it builds from this line (`check_text`).  Lines orjson parses cannot
    hold any, so the usual line costs nothing."""


def load_object(raw: bytes) -> dict[str, Any]:
    """One line as a JSON object, or BadRecord naming what is wrong (every reader's wording).

    orjson parses (about 2.4 s less than `json` on a 105 MB log); a line it refuses goes through
    `json`, which accepts what it always did (NaN, 1e400, lone surrogates) and words the error
    as before.  One difference: orjson reads an integer of 2**64 or more as a float, so a token
    count that large is reported as malformed (as any count over a BIGINT is).  A UTF-8
    byte-order mark (the first line of a file saved by some Windows tools) is skipped."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if raw.startswith(_BOM):
            return load_object(raw[len(_BOM) :])
        obj = _parse_slowly(raw)
    if not isinstance(obj, dict):
        raise BadRecord("line is not a JSON object")
    return obj


def _parse_slowly(raw: bytes) -> Any:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise BadRecord(f"not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise BadRecord(f"not valid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise BadRecord(TOO_DEEP) from None
    if isinstance(obj, dict) and b"\\u" in raw and not _is_unicode(obj):
        return LooseObject(obj)
    return obj


def _is_unicode(obj: Any) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except (ValueError, RecursionError):  # not ours to judge here
        return True
    return True


def check_text(values: Iterable[object]) -> None:
    """BadRecord when a row's text (tags JSON included) is not valid Unicode."""
    for name, value in zip(COLUMNS, values, strict=False):
        if not isinstance(value, str):
            continue
        text = value
        if name == "tags":  # written with \\u escapes: look at the text they stand for
            text = json.dumps(json.loads(value), ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRecord(
                f"{name} holds text that is not valid Unicode (a lone surrogate)"
            ) from None


def count_field(usage: dict[str, Any], key: str, required: bool = False) -> int:
    """A token count of a usage object: a non-negative integer a BIGINT holds."""
    value = usage.get(key)
    if value is None:
        if required:
            raise BadRecord(f"usage lacks {key}")
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRecord(f"usage.{key} is not a non-negative integer: {value!r}")
    if value > MAX_COUNT:
        raise BadRecord(f"usage.{key} is too large: {value!r}")
    return value


def epoch(value: float, name: str) -> dt.datetime:
    """Epoch seconds (or milliseconds, above 1e11) as UTC; BadRecord outside the calendar."""
    try:
        seconds = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise BadRecord(f"{name} {value!r} is not a time a calendar holds") from None


def finite_ms(value: Any, name: str) -> float | None:
    """A non-negative, finite duration in ms, or None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadRecord(f"{name} is not a non-negative number: {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise BadRecord(f"{name} is not a finite number: {value!r}")
    return number


# A tag is a label (a workload, a feature, a user id), not a payload: a value longer than this
# is cut, so a log that puts a document in a tag neither fills the database nor the writer's pool.
TAG_CHARS = 256


def capped_tags(tags: dict[str, Any]) -> dict[str, Any]:
    """`tags` with each value that is longer than TAG_CHARS as text cut to TAG_CHARS and "…"
    (a nested value is judged by its JSON text, and kept whole when short)."""
    out: dict[str, Any] = {}
    for key, value in tags.items():
        if isinstance(value, str):
            text = value
        elif value is None or isinstance(value, bool | int | float):
            out[key] = value
            continue
        else:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
            if len(text) <= TAG_CHARS:
                out[key] = value
                continue
        out[key] = text if len(text) <= TAG_CHARS else text[:TAG_CHARS] + "…"
    return out
