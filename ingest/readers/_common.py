"""Helpers the gateway, cloud and observability readers share (not a reader: not registered).

Every reader here is line-based JSON: `read_json_lines` walks each task's byte range, hands each
parsed object to the reader's `parse` function, and turns its complaints into `Malformed`
entries, so one bad line never stops a run.  Partner-cloud model ids are mapped to first-party
ids here, with the endpoint scope that decides the regional premium.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from switchcost.ingest.readers.jsonl import (
    MAX_COUNT,
    TOO_DEEP,
    BadRecord,
    LooseObject,
    capped_tags,
    check_text,
    epoch,
    finite_ms,
    load_object,
)
from switchcost.ingest.records import (
    COLUMNS,
    FileTask,
    Malformed,
    ReadOptions,
    ReadResult,
    empty_table,
    table_from_rows,
    task_lines,
)

Row = dict[str, Any]
# parse(obj, path, line, options) -> rows (possibly none); None means "an error record".
Parser = Callable[[dict[str, Any], str, int, ReadOptions], list[Row] | None]

_DEFAULTS: Row = {
    "platform": "anthropic",
    "input_tokens": 0,
    "cache_write_5m": 0,
    "cache_write_1h": 0,
    "cache_read": 0,
    "output_tokens": 0,
    "web_search_requests": 0,
    "cache_split_unknown": False,
    "is_subagent": False,
    "complete": True,
}


def row(**values: Any) -> Row:
    """A full canonical record: every column present, unset ones NULL (or their zero)."""
    unknown = values.keys() - set(COLUMNS)
    if unknown:
        raise KeyError(f"not canonical columns: {sorted(unknown)}")
    return {c: values.get(c, _DEFAULTS.get(c)) for c in COLUMNS}


def count(value: Any, name: str, required: bool = False) -> int:
    """A token count: a non-negative integer (OTLP JSON writes them as strings)."""
    if value is None or value == "":
        if required:
            raise BadRecord(f"{name} is missing")
        return 0
    digits = isinstance(value, str) and value.strip().isdigit()
    if digits or (isinstance(value, float) and value.is_integer() and value >= 0):
        number = int(value)
    elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRecord(f"{name} is not a non-negative integer: {value!r}")
    else:
        number = value
    if number > MAX_COUNT:  # a BIGINT column holds no more
        raise BadRecord(f"{name} is too large: {value!r}")
    return number


def timestamp(value: Any, name: str = "timestamp") -> dt.datetime:
    """ISO-8601 text (Z or offset; naive = UTC) or epoch seconds/milliseconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return epoch(value, name)
    if not isinstance(value, str) or not value:
        raise BadRecord(f"{name} is missing or not text: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as err:
        raise BadRecord(f"{name} {value!r} is not ISO-8601") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def millis(value: Any, name: str) -> float | None:
    """A non-negative, finite duration in ms (numbers or numeric strings), else None when
    absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError as err:
            raise BadRecord(f"{name} is not a number: {value!r}") from err
    return finite_ms(value, name)


def tags_json(tags: dict[str, Any]) -> str | None:
    if not tags:
        return None
    return json.dumps(capped_tags(tags), sort_keys=True, separators=(",", ":"), default=str)


def text_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


# ---------------------------------------------------------------------------------------------
# Partner-platform model ids
# ---------------------------------------------------------------------------------------------

_BEDROCK = re.compile(
    r"^(?:(?P<geo>[a-z]{2,6}(?:-gov)?)\.)?anthropic\.(?P<id>claude-[a-z0-9.-]+?)"
    r"(?:-v\d+(?::\d+)?)?$"
)
_VERTEX_PATH = re.compile(r"locations/(?P<loc>[^/]+)/publishers/anthropic/models/(?P<id>[^/]+)$")


def bedrock_model(model_id: str) -> tuple[str, str | None] | None:
    """(first-party id, endpoint scope) for a Bedrock model id, inference profile or ARN.

    `global.` profiles are the global endpoint (list price).  Geo profiles (`us.`, `eu.`,
    `jp.`, `apac.`, `au.`, `us-gov.`) and bare in-region ids (`anthropic.…`) are regional
    endpoints: Anthropic documents a 10% premium on them for 4.5-and-later models (LiteLLM
    prices bare ids at list; we follow Anthropic's wording).  None for an application
    inference profile ARN, which names no model.
    """
    name = model_id.strip().lower()
    name = name.removeprefix("bedrock/").removeprefix("converse/")
    if name.startswith("arn:"):
        if "application-inference-profile" in name:
            return None
        name = name.rsplit("/", 1)[-1]
    match = _BEDROCK.match(name)
    if match is None:
        return None
    base = match.group("id")
    scope = "global" if match.group("geo") == "global" else "regional"
    return base, scope


def vertex_model(resource: str) -> tuple[str, str | None]:
    """(first-party id, endpoint scope) for a Vertex model resource name or bare `id@version`.

    `claude-haiku-4-5@20251001` -> `claude-haiku-4-5-20251001`; `@default` or no version ->
    the bare id.  Location `global` is the global endpoint; any other location (a region such
    as `us-east5`, or a multi-region such as `us`/`eu`) is regional: +10% for 4.5+ models.
    """
    text = resource.strip().lower().removeprefix("vertex_ai/")
    match = _VERTEX_PATH.search(text)
    scope: str | None = None
    if match:
        text = match.group("id")
        scope = "global" if match.group("loc") == "global" else "regional"
    base, _, version = text.partition("@")
    if version and version not in ("default", "latest"):
        base = re.sub(r"-v\d+$", "", base)  # claude-3-5-sonnet-v2@20241022
        return f"{base}-{version}", scope
    return base, scope


# ---------------------------------------------------------------------------------------------
# The line walker
# ---------------------------------------------------------------------------------------------


def read_json_lines(tasks: list[FileTask], options: ReadOptions, parse: Parser) -> ReadResult:
    """Parse each task's lines with `parse`.  A request logged twice comes out twice: the loader
    keeps one per key (the fullest, ties to the first by file and line), across ranges and runs."""
    result = ReadResult(table=empty_table())
    rows: list[Row] = []
    for task in tasks:
        path = str(task.path)
        line_no = task.start_line
        for line_no, _, raw in task_lines(task):
            if not raw.strip():
                result.other_lines += 1
                continue
            try:
                obj = load_object(raw)
                found = parse(obj, path, line_no, options)
                if found is None:
                    result.error_records += 1
                    continue
                if isinstance(obj, LooseObject):  # text that may not be Unicode: check it
                    for one in found:
                        check_text(one[c] for c in COLUMNS)
                rows.extend(found)
                if found:
                    result.response_lines += 1
                else:
                    result.other_lines += 1
            except BadRecord as err:
                result.malformed.append(Malformed(path, line_no, str(err)))
            except RecursionError:  # parsed by orjson (up to 1,024 levels), too deep for Python
                result.malformed.append(Malformed(path, line_no, TOO_DEEP))
        result.resume[path] = (task.end, line_no)
    result.table = table_from_rows(rows)
    return result


def head_lines(head: bytes, n: int = 5) -> list[str]:
    """The first non-blank lines of a file's head, for detection."""
    text = head.decode("utf-8", errors="replace")
    return [ln for ln in text.splitlines()[: n * 4] if ln.strip()][:n]


def is_jsonl(path: Path) -> bool:
    return path.suffix in (".jsonl", ".ndjson", ".json", ".log")
