"""LiteLLM proxy spend logs (`LiteLLM_SpendLogs` rows, or `StandardLoggingPayload`), JSON lines.

Input-token convention: for Anthropic models LiteLLM's `prompt_tokens` is input + cache reads +
cache writes (its `calculate_usage`), so the uncached input is `prompt_tokens - cache_read -
cache_creation`, with the cache counts from `metadata.usage_object`.  Should that go negative
the log did not include them and `prompt_tokens` is taken as the uncached count.  Cache writes
without a 5m/1h split are priced at 5m and flagged.  LiteLLM's own `spend` is not used: it is
LiteLLM's price map, not Anthropic's.  Calls to non-Claude models are skipped.
Latency = endTime - startTime; time to first token = completionStartTime - startTime when the
first chunk came before the end (LiteLLM sets it to endTime for non-streamed calls).
"""

from __future__ import annotations

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
    timestamp,
    vertex_model,
)
from switchcost.ingest.readers.messages import BadRecord
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES
from switchcost.ingest.records import FileTask, ReadOptions, ReadResult, workload_from_tags

NAME = "litellm"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)


def detect(path: Path, head: bytes) -> bool:
    """Lines with LiteLLM's `call_type` and its `startTime`/`completionStartTime` fields."""
    lines = head_lines(head)
    ln = lines[0] if lines else ""
    return bool(lines) and (
        '"call_type"' in ln and '"startTime"' in ln and ('"request_id"' in ln or '"id"' in ln)
    )


def _model(obj: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(model id, platform, endpoint scope), or None for a model that is not Claude."""
    raw = str(obj.get("model") or "").strip().lower()
    provider = str(obj.get("custom_llm_provider") or "").lower()
    if raw.startswith("bedrock/") or provider == "bedrock":
        mapped = bedrock_model(raw.removeprefix("bedrock/"))
        if mapped is None:
            return (raw, "bedrock", None) if "claude" in raw else None
        return mapped[0], "bedrock", mapped[1]
    if raw.startswith("vertex_ai/") or provider.startswith("vertex_ai"):
        model, scope = vertex_model(raw.removeprefix("vertex_ai/"))
        return model, "vertex", scope
    model = raw.removeprefix("anthropic/")
    return (model, "anthropic", None) if "claude" in model else None


def _split(usage: dict[str, Any], lump: int) -> tuple[int, int, bool]:
    for key in ("cache_creation", "cache_creation_token_details"):
        detail = usage.get(key)
        if isinstance(detail, dict):
            return (
                count(detail.get("ephemeral_5m_input_tokens"), "ephemeral_5m_input_tokens"),
                count(detail.get("ephemeral_1h_input_tokens"), "ephemeral_1h_input_tokens"),
                False,
            )
    return lump, 0, lump > 0


def parse(obj: dict[str, Any], path: str, line: int, options: ReadOptions) -> list[Row] | None:
    if str(obj.get("status", "")).lower() == "failure":
        return None
    request_id = obj.get("request_id") or obj.get("id")
    if not isinstance(request_id, str) or not request_id:
        raise BadRecord("spend log without request_id")
    mapped = _model(obj)
    if mapped is None:
        return []
    model, platform, scope = mapped
    metadata: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    usage = metadata.get("usage_object")
    usage = usage if isinstance(usage, dict) else {}
    prompt = count(obj.get("prompt_tokens", usage.get("prompt_tokens")), "prompt_tokens", True)
    output = count(
        obj.get("completion_tokens", usage.get("completion_tokens")), "completion_tokens", True
    )
    details = usage.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    read = count(usage.get("cache_read_input_tokens", cached), "cache_read_input_tokens")
    written = count(usage.get("cache_creation_input_tokens"), "cache_creation_input_tokens")
    w5, w1, unknown = _split(usage, written)
    uncached = prompt - read - written
    if uncached < 0:
        uncached = prompt
    start = timestamp(obj.get("startTime"), "startTime")
    end = timestamp(obj["endTime"], "endTime") if obj.get("endTime") else None
    first = (
        timestamp(obj["completionStartTime"], "completionStartTime")
        if obj.get("completionStartTime")
        else None
    )
    tags: dict[str, Any] = {}
    extra = metadata.get("spend_logs_metadata")
    if isinstance(extra, dict):
        tags.update(extra)
    if isinstance(obj.get("request_tags"), list) and obj["request_tags"]:
        tags["request_tags"] = obj["request_tags"]
    for key, value in (
        ("team", obj.get("team_id") or metadata.get("user_api_key_team_id")),
        ("key_alias", metadata.get("user_api_key_alias")),
        ("end_user", obj.get("end_user")),
    ):
        if value not in (None, ""):
            tags.setdefault(key, value)
    servers = usage.get("server_tool_use")
    return [
        row(
            request_key=f"litellm:{request_id}",
            source=NAME,
            source_file=path,
            source_line=line,
            ts=start,
            model=model,
            platform=platform,
            endpoint_scope=scope,
            request_id=request_id,
            input_tokens=uncached,
            cache_write_5m=w5,
            cache_write_1h=w1,
            cache_read=read,
            output_tokens=output,
            web_search_requests=count(servers.get("web_search_requests"), "web_search_requests")
            if isinstance(servers, dict)
            else 0,
            cache_split_unknown=unknown,
            service_tier=text_or_none(usage.get("service_tier")),
            session_id=text_or_none(obj.get("session_id")),
            workload=workload_from_tags(tags, options.workload_tags),
            tags=tags_json(tags),
            latency_ms=(end - start).total_seconds() * 1000 if end else None,
            ttft_ms=(first - start).total_seconds() * 1000
            if first and end and first < end
            else None,
        )
    ]


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """One request per spend-log line (request_id is the key)."""
    return read_json_lines(tasks, options, parse)
