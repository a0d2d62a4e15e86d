"""Google Vertex AI request-response logs (the BigQuery table exported as JSON lines).

Columns: `logging_time`, `request_id`, `model` (the full resource name
`projects/…/locations/<loc>/publishers/anthropic/models/claude-…@<version>`), `full_request`,
`full_response` (for Claude, the Messages response with its `usage`), `metadata`
(`request_latency` in ms).  The model maps to the first-party id (`claude-haiku-4-5@20251001`
-> `claude-haiku-4-5-20251001`); location `global` is the global endpoint, any region or
multi-region is regional (+10% for 4.5-and-later models).  These logs are SAMPLED by the
endpoint's `sampling_rate`, which is not in the rows: totals cover the logged requests only
(nothing is extrapolated).  Rows without a usage block (errors) are counted, not billed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from switchcost.ingest.readers._common import (
    Row,
    head_lines,
    millis,
    read_json_lines,
    row,
    tags_json,
    text_or_none,
    timestamp,
    vertex_model,
)
from switchcost.ingest.readers.jsonl import BadRecord, check_text
from switchcost.ingest.readers.message_rows import usage_fields
from switchcost.ingest.records import COLUMNS, FileTask, ReadOptions, ReadResult, workload_from_tags
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES

NAME = "vertex"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)


def detect(path: Path, head: bytes) -> bool:
    """Rows with `logging_time`, `full_response` and a `publishers/anthropic` model."""
    lines = head_lines(head)
    ln = lines[0] if lines else ""
    return bool(lines) and (
        '"logging_time"' in ln and '"full_response"' in ln and "publishers/anthropic" in ln
    )


def _json_field(value: Any) -> Any:
    """BigQuery JSON columns may arrive as objects or as JSON text."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise BadRecord(f"embedded JSON is not valid ({err.msg})") from err
    return value


def parse(obj: dict[str, Any], path: str, line: int, options: ReadOptions) -> list[Row] | None:
    request_id = obj.get("request_id")
    if request_id in (None, ""):
        raise BadRecord("row without request_id")
    response = _json_field(obj.get("full_response"))
    if not isinstance(response, dict) or not isinstance(response.get("usage"), dict):
        if isinstance(response, dict) and response.get("usage") is not None:
            # a usage that is not an object is a broken row, not an error response
            raise BadRecord(f"full_response.usage is not an object: {response['usage']!r}")
        return None
    resource = obj.get("model")
    if isinstance(resource, str) and resource:
        model, scope = vertex_model(resource)
    elif isinstance(response.get("model"), str):
        model, scope = str(response["model"]).lower(), None
    else:
        raise BadRecord("row without a model")
    metadata = _json_field(obj.get("metadata"))
    metadata = metadata if isinstance(metadata, dict) else {}
    labels = metadata.get("labels")
    tags = dict(labels) if isinstance(labels, dict) else {}
    msg_id = text_or_none(response.get("id"))
    found = [
        row(
            request_key=f"vertex:{request_id}",
            source=NAME,
            source_file=path,
            source_line=line,
            ts=timestamp(obj.get("logging_time"), "logging_time"),
            model=model,
            platform="vertex",
            endpoint_scope=scope,
            message_id=msg_id,
            request_id=str(request_id),
            **usage_fields(response["usage"]),
            workload=workload_from_tags(tags, options.workload_tags),
            tags=tags_json(tags),
            latency_ms=millis(metadata.get("request_latency"), "request_latency"),
        )
    ]
    if isinstance(obj.get("metadata"), str) or isinstance(obj.get("full_response"), str):
        check_text(found[0][c] for c in COLUMNS)  # JSON text may hold lone surrogates
    return found


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """One request per logged row (request_id is the key)."""
    return read_json_lines(tasks, options, parse)
