"""Claude Code's OpenTelemetry `api_request` events (OTLP logs) as canonical request rows.

One converter for both ways in: the OTLP/HTTP receiver (`switchcost collect`, protobuf decoded
to the OTLP JSON shape) and the Collector's file exporter (one ExportLogsServiceRequest JSON per
line, `ingest.readers.otlp_logs`).  Readers and this module never touch the database.

An API call is a log record whose body is `claude_code.api_request` or whose attribute
`event.name` is `api_request`.  Attributes (numbers may arrive as strings): `model`,
`input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_creation_tokens` (one lump, not
split by lifetime: priced at the 5-minute rate and flagged `cache_split_unknown`), `cost_usd`
(Claude Code's own estimate, kept in `tags` as `reported_cost_usd` for reconcile), `duration_ms`,
`speed`, `session.id`, `prompt.id`, `user.account_uuid`, `user.email`, `organization.id`,
`event.timestamp`.

Dimensions: session -> `session_id`; user (account uuid, else e-mail) -> `tags.user`;
workload -> the resource attribute `switchcost.workload` the team sets (OTEL_RESOURCE_ATTRIBUTES),
else the record's own `switchcost.workload`, else the first of the workload tags (workload,
feature, app) among the resource attributes, else `service.name`; project -> resource attribute
`switchcost.project`.  The event carries no request id, so the key is a hash of what identifies
the call (session, prompt, timestamp, model, token counts): the same event read from a file
and received over HTTP (or sent twice by a retrying exporter) is stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from switchcost.ingest.readers._common import Row, count, millis, row, text_or_none, timestamp
from switchcost.ingest.readers.jsonl import BadRecord
from switchcost.ingest.records import ReadOptions, workload_from_tags

SOURCE = "otlp-logs"
EVENT_BODY = "claude_code.api_request"
EVENT_NAME = "api_request"
WORKLOAD_ATTRIBUTE = "switchcost.workload"
PROJECT_ATTRIBUTE = "switchcost.project"
_TAG_ATTRIBUTES = {
    "user.account_uuid": "user.account_uuid",
    "user.email": "user.email",
    "organization.id": "organization.id",
    "prompt.id": "prompt.id",
    "query_source": "query_source",
    "service.name": "service.name",
}


@dataclass
class Converted:
    """Rows from one export request, and its records that could not be stored (with why)."""

    rows: list[Row] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    other_events: int = 0


def value_of(value: Any) -> Any:
    """An OTLP AnyValue (JSON shape) as a Python value."""
    if not isinstance(value, dict):
        return None
    for key in ("stringValue", "boolValue", "intValue", "doubleValue"):
        if key in value:
            return value[key]
    array = value.get("arrayValue")
    if isinstance(array, dict):
        return [value_of(v) for v in array.get("values") or []]
    return None


def attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {
        str(a["key"]): value_of(a.get("value")) for a in items if isinstance(a, dict) and "key" in a
    }


def is_api_request(record: dict[str, Any], attrs: dict[str, Any]) -> bool:
    body = value_of(record.get("body"))
    name = attrs.get("event.name")
    return body == EVENT_BODY or name in (EVENT_NAME, EVENT_BODY)


def _when(record: dict[str, Any], attrs: dict[str, Any]) -> dt.datetime:
    stamp = attrs.get("event.timestamp")
    if stamp not in (None, ""):
        return timestamp(stamp, "event.timestamp")
    for key in ("timeUnixNano", "observedTimeUnixNano"):
        nanos = record.get(key)
        if nanos not in (None, "", "0", 0):
            try:
                return dt.datetime.fromtimestamp(int(nanos) / 1e9, tz=dt.UTC)
            except (TypeError, ValueError, OverflowError, OSError) as err:
                raise BadRecord(f"{key} is not a time: {nanos!r}") from err
    raise BadRecord("api_request without event.timestamp or timeUnixNano")


def _model(attrs: dict[str, Any]) -> str:
    raw = attrs.get("model")
    if not isinstance(raw, str) or not raw.strip():
        raise BadRecord("api_request without a model")
    return raw.strip().lower().removesuffix("[1m]")


def _key(parts: list[object]) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"otlp:{digest[:32]}"


def record_row(
    record: dict[str, Any],
    resource: dict[str, Any],
    origin: str,
    line: int,
    options: ReadOptions,
) -> Row:
    """One api_request log record as a request row (BadRecord when it cannot be billed)."""
    attrs = attributes(record.get("attributes"))
    model = _model(attrs)
    ts = _when(record, attrs)
    tokens = {
        "input_tokens": count(attrs.get("input_tokens"), "input_tokens", True),
        "output_tokens": count(attrs.get("output_tokens"), "output_tokens", True),
        "cache_read": count(attrs.get("cache_read_tokens"), "cache_read_tokens"),
        "cache_write_5m": count(attrs.get("cache_creation_tokens"), "cache_creation_tokens"),
    }
    session = text_or_none(attrs.get("session.id"))
    tags: dict[str, Any] = {}
    for key, name in _TAG_ATTRIBUTES.items():
        found = attrs.get(key, resource.get(key))
        if found not in (None, ""):
            tags[name] = found
    user = tags.get("user.account_uuid") or tags.get("user.email")
    if user is not None:
        tags["user"] = str(user)
    cost = attrs.get("cost_usd")
    if cost not in (None, ""):
        tags["reported_cost_usd"] = str(cost)  # as sent: text, so no float touches it
    workload = (
        text_or_none(resource.get(WORKLOAD_ATTRIBUTE))
        or text_or_none(attrs.get(WORKLOAD_ATTRIBUTE))
        or workload_from_tags(resource, options.workload_tags)
        or text_or_none(resource.get("service.name"))
    )
    if workload is not None:
        tags["workload"] = workload
    speed = text_or_none(attrs.get("speed"))
    key = _key(
        [
            session,
            attrs.get("prompt.id"),
            attrs.get("event.timestamp") or record.get("timeUnixNano"),
            model,
            *tokens.values(),
        ]
    )
    return row(
        request_key=key,
        source=SOURCE,
        source_file=origin,
        source_line=line,
        ts=ts,
        model=model,
        cache_split_unknown=tokens["cache_write_5m"] > 0,
        speed="fast" if speed == "fast" else ("standard" if speed else None),
        project=text_or_none(resource.get(PROJECT_ATTRIBUTE)),
        session_id=session,
        workload=workload,
        tags=_tags_text(tags),
        latency_ms=millis(attrs.get("duration_ms"), "duration_ms"),
        **tokens,
    )


def _tags_text(tags: dict[str, Any]) -> str | None:
    import json

    return json.dumps(tags, sort_keys=True, separators=(",", ":"), default=str) if tags else None


def records(obj: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(log record, resource attributes) for every record of an ExportLogsServiceRequest."""
    if not isinstance(obj, dict):
        raise BadRecord("not an ExportLogsServiceRequest object")
    groups = obj.get("resourceLogs")
    if groups is None:
        return
    if not isinstance(groups, list):
        raise BadRecord("resourceLogs is not a list")
    for group in groups:
        if not isinstance(group, dict):
            raise BadRecord("resourceLogs entry is not an object")
        resource = attributes((group.get("resource") or {}).get("attributes"))
        for scope in group.get("scopeLogs") or []:
            if not isinstance(scope, dict):
                raise BadRecord("scopeLogs entry is not an object")
            for record in scope.get("logRecords") or []:
                if isinstance(record, dict):
                    yield record, resource


def convert(
    obj: Any, origin: str, first_line: int, options: ReadOptions, step: int = 0
) -> Converted:
    """Every api_request of one export request; a record that cannot be billed is rejected
    with its reason, the others are kept (BadRecord only when the request itself is bad).
    Rows are numbered from `first_line`, by `step` per api_request (0: all on one file line)."""
    out = Converted()
    line = first_line
    for record, resource in records(obj):
        attrs = attributes(record.get("attributes"))
        if not is_api_request(record, attrs):
            out.other_events += 1
            continue
        try:
            out.rows.append(record_row(record, resource, origin, line, options))
        except BadRecord as err:
            out.rejected.append(str(err))
        line += step
    return out
