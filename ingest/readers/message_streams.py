"""Streamed Messages API calls in an app log, in two layouts (not a reader: `messages` uses it).

* Wrapped: `{"ts", "request_id", "tags", "event": {...}}`, one event per line; the request id
  (else the message id of `message_start`) ties a stream's events together, so streams may
  interleave freely.
* Bare: the SDK's events as they are (`for event in stream: log.write(event.to_json())`), one
  per line, no wrapper.  Only `message_start` carries the message id, so a bare stream is the
  events from a `message_start` to the next `message_stop`, in file order.  Streams written
  concurrently cannot be told apart: a bare `message_start` while another bare stream is open
  ends the open one with what it has seen (billed as an incomplete copy) and starts the next.

Either way `message_start` carries the input and cache counts and `message_delta` carries
CUMULATIVE usage: per field, the last value wins and `message_start`'s stands for fields no
delta gave; nothing is ever added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from switchcost.ingest.readers.jsonl import TOO_DEEP, BadRecord, LooseObject, epoch
from switchcost.ingest.readers.message_rows import Builder
from switchcost.ingest.records import Malformed, ReadResult

EVENT_TYPES = frozenset(
    (
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "ping",
    )
)
_BARE = "bare:"  # key prefix of bare streams: never equal to a wrapped stream's key


@dataclass
class Stream:
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
    loose: bool = False


@dataclass
class Streams:
    """The streams open in one read: by key, and which bare stream (if any) is open."""

    open: dict[str, Stream] = field(default_factory=dict)
    bare: str | None = None


def parse_ts(value: Any) -> dt.datetime | None:
    """ISO-8601 text (Z or offset; naive = UTC) or epoch seconds/milliseconds."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return epoch(value, "timestamp")
    if not isinstance(value, str):
        raise BadRecord(f"timestamp is not a string: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise BadRecord(f"timestamp {value!r} is not ISO-8601") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def wrapper_ts(obj: dict[str, Any]) -> dt.datetime | None:
    for key in ("ts", "timestamp", "created_at", "time"):
        if key in obj:
            return parse_ts(obj[key])
    return None


def wrapped_event(
    obj: dict[str, Any],
    event: dict[str, Any],
    line: int,
    offset: int,
    streams: Streams,
    builder: Builder,
    result: ReadResult,
) -> None:
    """One event of a wrapped stream (`{"request_id", "event": {...}}`)."""
    key = obj.get("request_id")
    if event.get("type") == "message_start":
        message = _start_message(event)
        key = key or message.get("id")
        if not isinstance(key, str):
            raise BadRecord("stream event without request_id or message id")
        streams.open[key] = _start(obj, message, line, offset)
        return
    if not isinstance(key, str):
        raise BadRecord("stream event without request_id")
    _continue(obj, event, key, streams, builder, result)


def bare_event(
    event: dict[str, Any],
    line: int,
    offset: int,
    streams: Streams,
    builder: Builder,
    result: ReadResult,
) -> None:
    """One event of a bare stream (the SDK's event object, no wrapper)."""
    if event.get("type") == "message_start":
        message = _start_message(event)
        msg_id = message.get("id")
        if not isinstance(msg_id, str) or not msg_id:
            raise BadRecord("message_start without a message id")
        if streams.bare is not None:  # another stream interleaved: end the open one here
            finish(streams.open.pop(streams.bare), builder, result)
        streams.bare = _BARE + msg_id
        streams.open[streams.bare] = _start(event, message, line, offset)
        return
    if streams.bare is None:
        return  # events of a stream whose start came before this file's start: nothing billed
    key = streams.bare
    _continue(event, event, key, streams, builder, result)
    if key not in streams.open:
        streams.bare = None


def _start_message(event: dict[str, Any]) -> dict[str, Any]:
    message = event.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("usage"), dict):
        raise BadRecord("message_start without message.usage")
    return message


def _start(obj: dict[str, Any], message: dict[str, Any], line: int, offset: int) -> Stream:
    tags = obj.get("tags")
    return Stream(
        line,
        offset,
        obj,
        message,
        dict(message["usage"]),
        wrapper_ts(obj),
        tags=tags if isinstance(tags, dict) else {},
        loose=isinstance(obj, LooseObject),
    )


def _continue(
    obj: dict[str, Any],
    event: dict[str, Any],
    key: str,
    streams: Streams,
    builder: Builder,
    result: ReadResult,
) -> None:
    stream = streams.open.get(key)
    if stream is None:
        return  # events of a stream whose start came before this file's start: nothing billed
    kind = event.get("type")
    ts = wrapper_ts(obj)
    stream.last_ts = ts or stream.last_ts
    if kind == "content_block_delta" and stream.first_delta_ts is None:
        stream.first_delta_ts = ts
    elif kind == "message_delta":
        usage = event.get("usage")
        if not isinstance(usage, dict):
            raise BadRecord("message_delta without usage")
        stream.usage.update({k: v for k, v in usage.items() if v is not None})
        stream.has_delta = True
        stream.loose = stream.loose or isinstance(obj, LooseObject)
    elif kind == "message_stop":
        del streams.open[key]
        finish(stream, builder, result)


def finish(stream: Stream, builder: Builder, result: ReadResult) -> None:
    """Add the stream's row; a stream that cannot be billed is reported at its start line."""

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
            stream.loose,
            stream.has_delta or stream.message.get("stop_reason") is not None,
        )
    except BadRecord as err:
        result.malformed.append(Malformed(builder.path, stream.line, str(err)))
    except RecursionError:
        result.malformed.append(Malformed(builder.path, stream.line, TOO_DEEP))
