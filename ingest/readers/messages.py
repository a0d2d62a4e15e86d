"""Application logs of Messages API calls, as JSON lines.

Three shapes, freely mixed in one file:
  * a bare Message object (`{"id": "msg_...", "type": "message", "usage": {...}}`);
  * a record wrapping one (`response` or `message`) with the app's own fields: a timestamp
    (`ts`/`timestamp`/`created_at`), `request_id`, `latency_ms`, `ttft_ms`, and `tags`;
  * streaming events, wrapped (`{"ts", "request_id", "event": {...}}`) or bare (the SDK's event
    objects, one per line): `message_start` carries input and cache counts, `message_delta`
    carries CUMULATIVE usage (the last value wins, it is never added to `message_start`'s).
    See `message_streams` for how events are grouped into streams.
Error records (`"error": {...}`) carry no usage: counted, not billed.  A call logged twice
(same message id, else same request id) is one request.  No prompt or response text is kept.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from switchcost.ingest.readers import message_streams as streaming
from switchcost.ingest.readers.jsonl import MAX_COUNT as MAX_COUNT
from switchcost.ingest.readers.jsonl import TOO_DEEP, LooseObject, finite_ms
from switchcost.ingest.readers.jsonl import BadRecord as BadRecord
from switchcost.ingest.readers.jsonl import load_object as load_object
from switchcost.ingest.readers.message_rows import NAME as NAME
from switchcost.ingest.readers.message_rows import Builder
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES
from switchcost.ingest.records import (
    FileTask,
    Malformed,
    ReadOptions,
    ReadResult,
    Records,
    concat_tables,
    empty_table,
    task_lines,
)
from switchcost.ingest.tasks import QUIET_SECONDS

__all__ = ["MAX_COUNT", "NAME", "BadRecord", "detect", "load_object", "read"]

FLUSH_ROWS = 4096
# Read in ranges (ingest/tasks.py): this reader holds one range's rows (a 105 MB log peaks at
# 322 MB in ranges, 418 MB in one piece); a stream open at a cut is read again in the next one.
RANGE_BYTES = _RANGE_BYTES
_OTHER, _RESPONSE, _ERROR, _BAD = 0, 1, 2, 3
STALE_STREAM_SECONDS = QUIET_SECONDS  # the quiet period every reader waits for


def detect(path: Path, head: bytes) -> bool:
    """JSON lines holding Messages API responses, wrappers of them, or stream events (wrapped
    or bare)."""
    text = head.decode("utf-8", errors="replace")
    for line in text.splitlines()[:20]:
        if not line.strip():
            continue
        if '"sessionId"' in line and '"uuid"' in line:
            return False
        compact = line.replace(" ", "")
        if ('"type":"message"' in compact and '"usage"' in line) or (
            '"message_start"' in line and ('"event"' in line or '"type":"message_start"' in compact)
        ):
            return True
    return False


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


def _read_task(task: FileTask, options: ReadOptions, result: ReadResult) -> list[Records]:
    path = str(task.path)
    stat = os.stat(task.path)
    mtime = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
    builder = Builder(path, options, mtime, FLUSH_ROWS)
    streams = streaming.Streams()
    line_no = task.start_line
    # What each line was (_OTHER, _RESPONSE, _ERROR, _BAD), one byte a line: lines after where
    # the next read resumes (an open stream) are not counted now.
    kinds = bytearray()
    for line_no, here, raw in task_lines(task):
        kinds.append(_BAD)
        if not raw.strip():
            kinds[-1] = _OTHER
            continue
        try:
            obj = load_object(raw)
            event = obj.get("event")
            if isinstance(event, dict):
                streaming.wrapped_event(obj, event, line_no, here, streams, builder, result)
                kinds[-1] = _RESPONSE
                continue
            if obj.get("type") in streaming.EVENT_TYPES:
                streaming.bare_event(obj, line_no, here, streams, builder, result)
                kinds[-1] = _RESPONSE
                continue
            message = _find_message(obj)
            if message is None:
                if "error" in obj:
                    result.error_records += 1
                    kinds[-1] = _ERROR
                    continue
                raise BadRecord("no Messages API response in this record")
            builder.add(
                line_no,
                obj,
                message,
                message["usage"],
                streaming.wrapper_ts(obj),
                finite_ms(obj.get("latency_ms"), "latency_ms"),
                finite_ms(obj.get("ttft_ms"), "ttft_ms"),
                obj.get("tags"),
                isinstance(obj, LooseObject),
                message.get("stop_reason") is not None,
            )
            kinds[-1] = _RESPONSE
        except BadRecord as err:
            result.malformed.append(Malformed(path, line_no, str(err)))
        except RecursionError:  # parsed by orjson (up to 1,024 levels), too deep for Python
            result.malformed.append(Malformed(path, line_no, TOO_DEEP))
    resume = (task.end, line_no)
    fresh = time.time() - stat.st_mtime < STALE_STREAM_SECONDS
    for stream in sorted(streams.open.values(), key=lambda s: s.offset):
        if task.cut or (not stream.has_delta and fresh):
            # Still being written, or cut by the loader's range: stop here; the next run (or
            # range) reads again from this stream's start.
            resume = min(resume, (stream.offset, stream.line - 1))
            continue
        streaming.finish(stream, builder, result)
    result.resume[path] = resume
    counted = kinds[: resume[1] - task.start_line]
    result.response_lines += counted.count(_RESPONSE)
    result.other_lines += counted.count(_OTHER)
    return builder.tables_upto(resume[1])


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Parse each task's byte range.  A call logged twice comes out twice: the loader keeps
    one per key (the fullest, ties to the first by file and line), across ranges and runs."""
    result = ReadResult(table=empty_table())
    tables: list[Records] = []
    for task in tasks:
        tables.extend(_read_task(task, options, result))
    result.table = concat_tables(tables)
    return result
