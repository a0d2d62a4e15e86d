"""OpenTelemetry GenAI spans in the OTLP JSON file-exporter layout (one export per line).

Each line is `{"resourceSpans": [{resource, scopeSpans: [{scope, spans: [...]}]}]}`; every span
carrying `gen_ai.usage.*` counts for a Claude model is one request.  Latency is the span's
duration; time to first token is `gen_ai.server.time_to_first_token` (seconds) when present.

Input-token convention (the pitfall of this format), decided per span:
  * the semantic-convention cache attributes (`gen_ai.usage.cache_read.input_tokens`,
    `gen_ai.usage.cache_creation.input_tokens`) mean `gen_ai.usage.input_tokens` INCLUDES the
    cache tokens (the convention says they SHOULD be included): uncached = input - both;
  * OpenLLMetry (scope `opentelemetry.instrumentation.anthropic`) also sums the cache tokens
    into its prompt/input count: same conversion;
  * everything else (OpenLIT's `gen_ai.usage.cache_read_input_tokens`, …) copies Anthropic's
    uncached `input_tokens`: taken as is;
  * a conversion that would go negative means the count was already uncached: taken as is.
Cache writes by lifetime (`_split`): the OTel semantic conventions and OpenLLMetry give one
cache-creation lump with no 5m/1h split, so a lump alone is priced at 5m and flagged
`cache_split_unknown`.  Spans that carry Anthropic's split (`usage.cache_creation`) as attributes
are priced exactly: `gen_ai.usage.cache_creation.ephemeral_5m_input_tokens` /
`..._1h_input_tokens` (also spelt `gen_ai.usage.cache_creation.ephemeral_5m.input_tokens`,
Dash0's `dash0.gen_ai.usage.cache_creation.ephemeral_5m.input_tokens`, and the same with 1h).
When a split and a lump are both present the lump is the total: with one part given, the other
is the rest of the lump; with both given, a rest is priced at 5m and flagged; a split larger
than the lump wins.
The key is the Anthropic message id (`gen_ai.response.id`), else trace id + span id.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from switchcost.ingest.readers._common import (
    Row,
    bedrock_model,
    count,
    head_lines,
    read_json_lines,
    row,
    tags_json,
    text_or_none,
    vertex_model,
)
from switchcost.ingest.readers.messages import BadRecord
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES
from switchcost.ingest.records import FileTask, ReadOptions, ReadResult, workload_from_tags

NAME = "otel"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)
INCLUSIVE_SCOPES = ("opentelemetry.instrumentation.anthropic",)
_SEMCONV_CACHE = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_creation.input_tokens",
)
CACHE_WRITE_5M = (
    "gen_ai.usage.cache_creation.ephemeral_5m_input_tokens",
    "gen_ai.usage.cache_creation.ephemeral_5m.input_tokens",
    "dash0.gen_ai.usage.cache_creation.ephemeral_5m.input_tokens",
)
CACHE_WRITE_1H = (
    "gen_ai.usage.cache_creation.ephemeral_1h_input_tokens",
    "gen_ai.usage.cache_creation.ephemeral_1h.input_tokens",
    "dash0.gen_ai.usage.cache_creation.ephemeral_1h.input_tokens",
)
_RESOURCE_TAGS = {"service.name": "service", "deployment.environment": "env"}


def detect(path: Path, head: bytes) -> bool:
    """OTLP JSON: lines starting with `{"resourceSpans"` that mention `gen_ai.`."""
    lines = head_lines(head, 2)
    return (
        bool(lines)
        and lines[0].lstrip().startswith('{"resourceSpans"')
        and ("gen_ai." in head.decode("utf-8", errors="replace"))
    )


def _value(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    for key in ("stringValue", "boolValue", "intValue", "doubleValue"):
        if key in value:
            return value[key]
    array = value.get("arrayValue")
    if isinstance(array, dict):
        return [_value(v) for v in array.get("values", [])]
    return None


def _attrs(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {
        str(a["key"]): _value(a.get("value")) for a in items if isinstance(a, dict) and "key" in a
    }


def _first(attrs: dict[str, Any], *names: str) -> Any:
    for name in names:
        if attrs.get(name) is not None:
            return attrs[name]
    return None


def _nanos(value: Any, name: str) -> int:
    """Epoch nanoseconds; BadRecord when not an integer or outside the calendar (1e20, -1e20
    and Infinity reached `datetime` and aborted the run)."""
    try:
        nanos = int(value)
        dt.datetime.fromtimestamp(nanos / 1e9, tz=dt.UTC)
    except (TypeError, ValueError) as err:
        raise BadRecord(f"span {name} is not an integer: {value!r}") from err
    except (OverflowError, OSError):
        raise BadRecord(f"span {name} {value!r} is not a time a calendar holds") from None
    return nanos


def _model(attrs: dict[str, Any]) -> tuple[str, str, str | None] | None:
    raw = _first(attrs, "gen_ai.response.model", "gen_ai.request.model")
    if not isinstance(raw, str) or "claude" not in raw.lower():
        return None
    provider = str(_first(attrs, "gen_ai.provider.name", "gen_ai.system") or "").lower()
    if "bedrock" in provider:
        mapped = bedrock_model(raw)
        return (mapped[0], "bedrock", mapped[1]) if mapped else (raw.lower(), "bedrock", None)
    if "vertex" in provider:
        model, scope = vertex_model(raw)
        return model, "vertex", scope
    return raw.lower(), "anthropic", None


def _split(attrs: dict[str, Any], lump: int) -> tuple[int, int, bool]:
    """(5m writes, 1h writes, split unknown) from the TTL attributes and the lump."""
    raw_5m, raw_1h = _first(attrs, *CACHE_WRITE_5M), _first(attrs, *CACHE_WRITE_1H)
    if raw_5m is None and raw_1h is None:
        return lump, 0, lump > 0
    w5 = count(raw_5m, "5-minute cache creation tokens")
    w1 = count(raw_1h, "1-hour cache creation tokens")
    rest = lump - w5 - w1
    if rest <= 0:
        return w5, w1, False  # the split accounts for everything (or the lump is absent)
    if raw_5m is None:
        return rest, w1, False  # only the 1h part given: the rest of the total is 5m
    if raw_1h is None:
        return w5, rest, False  # only the 5m part given: the rest of the total is 1h
    return w5 + rest, w1, True  # both given, yet short of the total: priced at 5m, flagged


def _span_row(
    span: dict[str, Any],
    scope_name: str,
    resource: dict[str, Any],
    path: str,
    line: int,
    options: ReadOptions,
) -> Row | None:
    attrs = _attrs(span.get("attributes"))
    raw_input = _first(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
    raw_output = _first(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
    if raw_input is None and raw_output is None:
        return None  # not a model call (an agent or tool span)
    mapped = _model(attrs)
    if mapped is None:
        return None
    model, platform, scope = mapped
    total_input = count(raw_input, "gen_ai.usage.input_tokens", True)
    read = count(
        _first(
            attrs, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"
        ),
        "cache read tokens",
    )
    written = count(
        _first(
            attrs,
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
        ),
        "cache creation tokens",
    )
    write_5m, write_1h, split_unknown = _split(attrs, written)
    written = write_5m + write_1h
    inclusive = any(k in attrs for k in _SEMCONV_CACHE) or scope_name in INCLUSIVE_SCOPES
    uncached = total_input
    if inclusive and total_input >= read + written:
        uncached = total_input - read - written
    start = _nanos(span.get("startTimeUnixNano"), "startTimeUnixNano")
    end = span.get("endTimeUnixNano")
    ttft = attrs.get("gen_ai.server.time_to_first_token")
    tags: dict[str, Any] = {}
    for key, value in resource.items():
        if isinstance(value, str | int | float | bool):
            tags[_RESOURCE_TAGS.get(key, key)] = value
    for key, value in attrs.items():
        if "." not in key and isinstance(value, str | int | float | bool):
            tags[key] = value  # custom span attributes such as `workload`
    msg_id = text_or_none(attrs.get("gen_ai.response.id"))
    trace, span_id = span.get("traceId"), span.get("spanId")
    if not msg_id and not (trace and span_id):
        raise BadRecord("span without gen_ai.response.id or traceId/spanId")
    return row(
        request_key=f"msg:{msg_id}" if msg_id else f"otel:{trace}:{span_id}",
        source=NAME,
        source_file=path,
        source_line=line,
        ts=dt.datetime.fromtimestamp(start / 1e9, tz=dt.UTC),
        model=model,
        platform=platform,
        endpoint_scope=scope,
        message_id=msg_id,
        input_tokens=uncached,
        cache_write_5m=write_5m,
        cache_write_1h=write_1h,
        cache_read=read,
        output_tokens=count(raw_output, "gen_ai.usage.output_tokens", True),
        cache_split_unknown=split_unknown,
        service_tier=text_or_none(attrs.get("gen_ai.response.service_tier")),
        session_id=text_or_none(_first(attrs, "session.id", "gen_ai.conversation.id")),
        workload=workload_from_tags(tags, options.workload_tags)
        or text_or_none(tags.get("service")),
        tags=tags_json(tags),
        latency_ms=(_nanos(end, "endTimeUnixNano") - start) / 1e6 if end is not None else None,
        ttft_ms=float(ttft) * 1000 if isinstance(ttft, int | float) else None,
    )


def parse(obj: dict[str, Any], path: str, line: int, options: ReadOptions) -> list[Row] | None:
    spans = obj.get("resourceSpans")
    if not isinstance(spans, list):
        raise BadRecord("line has no resourceSpans list")
    rows: list[Row] = []
    for resource_spans in spans:
        if not isinstance(resource_spans, dict):
            raise BadRecord("resourceSpans entry is not an object")
        resource = _attrs((resource_spans.get("resource") or {}).get("attributes"))
        for scope_spans in resource_spans.get("scopeSpans") or []:
            scope = scope_spans.get("scope") or {}
            scope_name = str(scope.get("name", "")) if isinstance(scope, dict) else ""
            for span in scope_spans.get("spans") or []:
                if isinstance(span, dict):
                    found = _span_row(span, scope_name, resource, path, line, options)
                    if found is not None:
                        rows.append(found)
    return rows


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Every Claude call span in the export lines (one row per message id / span)."""
    return read_json_lines(tasks, options, parse)
