"""Helicone request exports (`npx @helicone/export --format jsonl`), JSON lines.

Input-token convention, checked per row: when `total_tokens` equals prompt + cache writes +
cache reads + completion, `prompt_tokens` is the uncached input (what Helicone's export holds
for Anthropic); when it equals prompt + completion, `prompt_tokens` includes the cache tokens
and they are subtracted.  Cache writes have no 5m/1h split: priced at 5m and flagged.
`response_id` is Anthropic's `msg_…` id, so a call also in the app's own Messages log is one
request.  Custom properties (`Helicone-Property-App: x`) become tags (`app: x`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchcost.ingest.readers._common import (
    Row,
    bedrock_model,
    count,
    head_lines,
    millis,
    read_json_lines,
    row,
    tags_json,
    text_or_none,
    timestamp,
    vertex_model,
)
from switchcost.ingest.readers.messages import BadRecord
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES
from switchcost.ingest.records import FileTask, ReadOptions, ReadResult, workload_from_tags

NAME = "helicone"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)
_PROPERTY = "helicone-property-"


def detect(path: Path, head: bytes) -> bool:
    """Lines with Helicone's `request_id`, `delay_ms` and `prompt_cache_read_tokens`."""
    lines = head_lines(head)
    ln = lines[0] if lines else ""
    return bool(lines) and (
        '"request_id"' in ln and '"delay_ms"' in ln and '"prompt_cache_read_tokens"' in ln
    )


def _model(obj: dict[str, Any]) -> tuple[str, str, str | None]:
    given = obj.get("model_override") or obj.get("response_model") or obj.get("request_model")
    if given is not None and not isinstance(given, str):  # a number was billed as model "4.5"
        raise BadRecord(f"model is not text: {given!r}")
    raw = (given or "").lower()
    if not raw:
        raise BadRecord("request without a model")
    provider = str(obj.get("provider") or "").lower()
    if "bedrock" in provider:
        mapped = bedrock_model(raw)
        return (mapped[0], "bedrock", mapped[1]) if mapped else (raw, "bedrock", None)
    if "vertex" in provider or "google" in provider:
        model, scope = vertex_model(raw)
        return model, "vertex", scope
    return raw.removeprefix("anthropic/"), "anthropic", None


def parse(obj: dict[str, Any], path: str, line: int, options: ReadOptions) -> list[Row] | None:
    request_id = obj.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise BadRecord("export row without request_id")
    status = obj.get("response_status")
    if isinstance(status, int) and not isinstance(status, bool) and status >= 400:
        return None
    model, platform, scope = _model(obj)
    prompt = count(obj.get("prompt_tokens"), "prompt_tokens", True)
    output = count(obj.get("completion_tokens"), "completion_tokens", True)
    written = count(obj.get("prompt_cache_write_tokens"), "prompt_cache_write_tokens")
    read = count(obj.get("prompt_cache_read_tokens"), "prompt_cache_read_tokens")
    total = obj.get("total_tokens")
    uncached = prompt
    if (
        isinstance(total, int)
        and total == prompt + output
        and written + read > 0
        and prompt >= written + read
    ):
        uncached = prompt - written - read
    tags: dict[str, Any] = {}
    props = obj.get("request_properties")
    if isinstance(props, dict):
        for key, value in props.items():
            name = str(key).lower().removeprefix(_PROPERTY)
            tags[name] = value
    if obj.get("request_user_id"):
        tags.setdefault("user", obj["request_user_id"])
    response_id = obj.get("response_id")
    msg_id = response_id if isinstance(response_id, str) and response_id else None
    return [
        row(
            request_key=f"msg:{msg_id}" if msg_id else f"helicone:{request_id}",
            source=NAME,
            source_file=path,
            source_line=line,
            ts=timestamp(obj.get("request_created_at"), "request_created_at"),
            model=model,
            platform=platform,
            endpoint_scope=scope,
            message_id=msg_id,
            request_id=request_id,
            input_tokens=uncached,
            cache_write_5m=written,
            cache_read=read,
            output_tokens=output,
            cache_split_unknown=written > 0,
            session_id=text_or_none(tags.get("session") or tags.get("session_id")),
            workload=workload_from_tags(tags, options.workload_tags),
            tags=tags_json(tags),
            latency_ms=millis(obj.get("delay_ms"), "delay_ms"),
            ttft_ms=millis(obj.get("time_to_first_token"), "time_to_first_token"),
        )
    ]


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """One request per exported row."""
    return read_json_lines(tasks, options, parse)
