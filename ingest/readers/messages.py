"""Application logs of Messages API calls, as JSON lines.

Three shapes, freely mixed in one file:
  * a bare Message object (`{"id": "msg_...", "type": "message", "usage": {...}}`);
  * a record wrapping one (`response` or `message`) with the app's own fields: a timestamp
    (`ts`/`timestamp`/`created_at`), `request_id`, `latency_ms`, `ttft_ms`, and `tags`;
  * streaming events (`{"ts", "request_id", "event": {...}}`): `message_start` carries input
    and cache counts, `message_delta` carries CUMULATIVE usage (the last value wins, it is never
    added to `message_start`'s).
Error records (`"error": {...}`) carry no usage: counted, not billed.  A call logged twice
(same message id, else same request id) is one request.  No prompt or response text is kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ingest.records import (
    COLUMNS,
    FileTask,
    Malformed,
    ReadOptions,
    ReadResult,
    Records,
    Row,
    concat_tables,
    empty_table,
    table_from_tuples,
    task_lines,
    workload_from_tags,
)
from ingest.records import RANGE_BYTES as _RANGE_BYTES

NAME = "messages"
FLUSH_ROWS = 4096
# Read in ranges (ingest/tasks.py): this reader holds one range's rows (a 105 MB log peaks at
# 322 MB in ranges, 418 MB in one piece); a stream open at a cut is read again in the next one.
RANGE_BYTES = _RANGE_BYTES
STALE_STREAM_SECONDS = 3600
# One encoder for every row's tags: json.dumps builds one per call (0.76 s against 0.57 s for
# 140,000 small tag sets).
_TAGS = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_USAGE_INTS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


class BadRecord(ValueError):
    """A line that is not a usable record; the message says why."""


def load_object(raw: bytes) -> dict[str, Any]:
    """One line as a JSON object, or BadRecord naming what is wrong (every reader's wording).

    orjson parses (about 2.4 s less than `json` on a 105 MB log); a line it refuses goes through
    `json`, which accepts what it always did (NaN, 1e400, lone surrogates) and words the error
    as before.  One difference: orjson reads an integer of 2**64 or more as a float, so a token
    count that large is reported as malformed (as any count over a BIGINT is)."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        obj = _parse_slowly(raw)
    if not isinstance(obj, dict):
        raise BadRecord("line is not a JSON object")
    return obj


def _parse_slowly(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise BadRecord(f"not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise BadRecord(f"not valid JSON ({err.msg} at column {err.colno})") from None


def detect(path: Path, head: bytes) -> bool:
    """JSON lines holding Messages API responses, wrappers of them, or stream events."""
    text = head.decode("utf-8", errors="replace")
    for line in text.splitlines()[:20]:
        if not line.strip():
            continue
        if '"sessionId"' in line and '"uuid"' in line:
            return False
        if ('"type":"message"' in line.replace(" ", "") and '"usage"' in line) or (
            '"event"' in line and '"message_start"' in line
        ):
            return True
    return False


MAX_COUNT = 2**63 - 1  # the largest token count a BIGINT column holds


def _int(usage: dict[str, Any], key: str, required: bool = False) -> int:
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


def _ts(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    if not isinstance(value, str):
        raise BadRecord(f"timestamp is not a string: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise BadRecord(f"timestamp {value!r} is not ISO-8601") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _ms(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadRecord(f"{name} is not a non-negative number: {value!r}")
    return float(value)


_USAGE_COLUMNS = COLUMNS[COLUMNS.index("input_tokens") : COLUMNS.index("inference_geo") + 1]


def _usage_fields(usage: Any) -> dict[str, Any]:
    """The usage columns by name (the other JSON-lines readers build their rows from these)."""
    return dict(zip(_USAGE_COLUMNS, _usage_values(usage), strict=True))


def _usage_values(usage: Any) -> tuple[object, ...]:
    """The usage columns, in COLUMNS order (input_tokens .. inference_geo)."""
    if not isinstance(usage, dict):
        raise BadRecord("message has no usage object")
    split = usage.get("cache_creation")
    lump = _int(usage, "cache_creation_input_tokens")
    if isinstance(split, dict):
        w5, w1, unknown = (
            _int(split, "ephemeral_5m_input_tokens"),
            _int(split, "ephemeral_1h_input_tokens"),
            False,
        )
    else:
        w5, w1, unknown = lump, 0, lump > 0
    tools = usage.get("server_tool_use") or {}
    # Checked in this order, so a record with several bad fields names the same one as before.
    inp = _int(usage, "input_tokens", required=True)
    out = _int(usage, "output_tokens", required=True)
    read = _int(usage, "cache_read_input_tokens")
    web = _int(tools, "web_search_requests") if isinstance(tools, dict) else 0
    return (
        inp,
        w5,
        w1,
        read,
        out,
        web,
        unknown,
        usage.get("service_tier"),
        usage.get("speed"),
        usage.get("inference_geo"),
    )


def _find_message(obj: dict[str, Any]) -> dict[str, Any] | None:
    if obj.get("type") == "message" and isinstance(obj.get("usage"), dict):
        return obj
    for key in ("response", "message", "result"):
        child = obj.get(key)
        if isinstance(child, dict):
            found = _find_message(child)
            if found is not None:
                return found
    return None


@dataclass
class _Stream:
    line: int
    offset: int
    wrapper: dict[str, Any]
    message: dict[str, Any]
    usage: dict[str, Any]
    first_ts: dt.datetime | None
    first_delta_ts: dt.datetime | None = None
    last_ts: dt.datetime | None = None
    has_delta: bool = False
    tags: dict[str, Any] = field(default_factory=dict)


class _Builder:
    """A file's rows, converted to Arrow every FLUSH_ROWS rows: a range holds its rows as Arrow
    (52 MB for 140,640 rows) plus each row's line, not as Python tuples."""

    def __init__(self, path: str, options: ReadOptions, fallback_ts: dt.datetime) -> None:
        self.path = path
        self.options = options
        self.fallback_ts = fallback_ts
        self.rows: list[Row] = []
        self.tables: list[Records] = []
        self.lines: list[int] = []

    def flush(self) -> None:
        if self.rows:
            self.tables.append(table_from_tuples(self.rows))
            self.rows = []

    def tables_upto(self, last: int) -> list[Records]:
        """The rows of lines up to `last` (where the next read resumes), as Arrow tables."""
        self.flush()
        keep = [line <= last for line in self.lines]
        out: list[Records] = []
        start = 0
        for table in self.tables:
            mask = keep[start : start + table.num_rows]
            start += table.num_rows
            out.append(table if all(mask) else _where(table, mask))
        return out

    def add(
        self,
        line: int,
        wrapper: dict[str, Any],
        message: dict[str, Any],
        usage: dict[str, Any],
        ts: dt.datetime | None,
        latency: float | None,
        ttft: float | None,
        tags: dict[str, Any] | None,
    ) -> None:
        fields = _usage_values(usage)
        msg_id = message.get("id")
        req_id = wrapper.get("request_id") or message.get("_request_id")
        model = message.get("model") or (wrapper.get("request") or {}).get("model")
        if not isinstance(model, str) or not model:
            raise BadRecord("message has no model")
        if msg_id is not None and not isinstance(msg_id, str):
            raise BadRecord(f"message id is not a string: {msg_id!r}")
        key = (
            f"msg:{msg_id}" if msg_id else f"req:{req_id}" if req_id else f"line:{self.path}:{line}"
        )
        tags = tags if isinstance(tags, dict) else {}
        role = str(tags.get("agent_role", "")).lower()
        # A tuple in COLUMNS order (records.table_from_tuples), FLUSH_ROWS at a time.
        row = (
            key,
            NAME,
            self.path,
            line,
            ts or self.fallback_ts,
            model.lower().removesuffix("[1m]"),
            "anthropic",
            None,
            msg_id,
            req_id if isinstance(req_id, str) else None,
            *fields,
            tags.get("project") if isinstance(tags.get("project"), str) else None,
            _str_or_none(tags.get("session_id") or wrapper.get("session_id")),
            workload_from_tags(tags, self.options.workload_tags),
            role in ("subagent", "sub-agent", "worker")
            or tags.get("subagent") in (True, "true", "1"),
            _str_or_none(tags.get("agent_id")),
            _TAGS.encode(tags) if tags else None,
            latency,
            ttft,
        )
        self.rows.append(row)
        self.lines.append(line)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _wrapper_ts(obj: dict[str, Any]) -> dt.datetime | None:
    for key in ("ts", "timestamp", "created_at", "time"):
        if key in obj:
            return _ts(obj[key])
    return None


def _read_task(task: FileTask, options: ReadOptions, result: ReadResult) -> list[Records]:
    path = str(task.path)
    stat = os.stat(task.path)
    builder = _Builder(path, options, dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC))
    streams: dict[str, _Stream] = {}
    line_no = task.start_line
    for line_no, here, raw in task_lines(task):
        if not raw.strip():
            continue
        try:
            obj = load_object(raw)
            event = obj.get("event")
            if isinstance(event, dict):
                _stream_event(obj, event, line_no, here, streams, builder)
                continue
            message = _find_message(obj)
            if message is None:
                if "error" in obj:
                    result.error_records += 1
                    continue
                raise BadRecord("no Messages API response in this record")
            builder.add(
                line_no,
                obj,
                message,
                message["usage"],
                _wrapper_ts(obj),
                _ms(obj.get("latency_ms"), "latency_ms"),
                _ms(obj.get("ttft_ms"), "ttft_ms"),
                obj.get("tags"),
            )
        except BadRecord as err:
            result.malformed.append(Malformed(path, line_no, str(err)))
    resume = (task.end, line_no)
    fresh = time.time() - stat.st_mtime < STALE_STREAM_SECONDS
    for stream in sorted(streams.values(), key=lambda s: s.offset):
        if task.cut or (not stream.has_delta and fresh):
            # Still being written, or cut by the loader's range: stop here; the next run (or
            # range) reads again from this stream's start.
            resume = min(resume, (stream.offset, stream.line - 1))
            continue
        _finish(stream, builder, result)
    result.resume[path] = resume
    return builder.tables_upto(resume[1])


def _stream_event(
    obj: dict[str, Any],
    event: dict[str, Any],
    line: int,
    offset: int,
    streams: dict[str, _Stream],
    builder: _Builder,
) -> None:
    kind = event.get("type")
    ts = _wrapper_ts(obj)
    key = obj.get("request_id")
    if kind == "message_start":
        message = event.get("message")
        if not isinstance(message, dict) or not isinstance(message.get("usage"), dict):
            raise BadRecord("message_start without message.usage")
        key = key or message.get("id")
        if not isinstance(key, str):
            raise BadRecord("stream event without request_id or message id")
        streams[key] = _Stream(
            line, offset, obj, message, dict(message["usage"]), ts, tags=obj.get("tags") or {}
        )
        return
    if not isinstance(key, str):
        raise BadRecord("stream event without request_id")
    stream = streams.get(key)
    if stream is None:
        return  # events of a stream whose start came before this file's start: nothing billed
    stream.last_ts = ts or stream.last_ts
    if kind == "content_block_delta" and stream.first_delta_ts is None:
        stream.first_delta_ts = ts
    elif kind == "message_delta":
        usage = obj["event"].get("usage")
        if not isinstance(usage, dict):
            raise BadRecord("message_delta without usage")
        stream.usage.update({k: v for k, v in usage.items() if v is not None})
        stream.has_delta = True
    elif kind == "message_stop":
        _finish(stream, builder, None)
        del streams[key]


def _finish(stream: _Stream, builder: _Builder, result: ReadResult | None) -> None:
    def span(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
        return (b - a).total_seconds() * 1000 if a and b else None

    try:
        builder.add(
            stream.line,
            stream.wrapper,
            stream.message,
            stream.usage,
            stream.first_ts,
            span(stream.first_ts, stream.last_ts),
            span(stream.first_ts, stream.first_delta_ts),
            stream.tags,
        )
    except BadRecord as err:
        if result is None:
            raise
        result.malformed.append(Malformed(builder.path, stream.line, str(err)))


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Parse each task's byte range.  A call logged twice comes out twice: the loader keeps
    one per key (the fullest, ties to the first by file and line), across ranges and runs."""
    result = ReadResult(table=empty_table())
    tables: list[Records] = []
    for task in tasks:
        tables.extend(_read_task(task, options, result))
    result.table = concat_tables(tables)
    return result


def _where(table: Records, mask: list[bool]) -> Records:
    """The rows of `table` where `mask` is true (rare: rows after a stream left open)."""
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    kept: Records = table.filter(pa.array(mask, type=pa.bool_()))
    return kept
