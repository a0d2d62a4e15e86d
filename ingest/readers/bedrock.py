"""AWS Bedrock model-invocation logs (CloudWatch / S3 delivery, one JSON record per line).

Token counts come from the record's own billing counts (`input.inputTokenCount` is the
uncached input; cache reads and writes are separate fields; `output.outputTokenCount`); the
Anthropic body, when logged, adds the 5m/1h split of cache writes, the message id and the
service tier.  Without a split, writes are priced at 5m and flagged.  Latency and time to first
token come from the last stream chunk's `amazon-bedrock-invocationMetrics`, or Converse's
`metrics.latencyMs`.  Model ids map to first-party ids (`us.anthropic.claude-…-v1:0` ->
`claude-…`) with the endpoint scope that decides the regional premium (see
`_common.bedrock_model`); an application-inference-profile ARN names no model, so the body's
model is used, else the ARN is kept as the model (unpriced until the user's price file names
it).  Failed invocations (`errorCode`) are counted, not billed.
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
)
from switchcost.ingest.readers.messages import BadRecord
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES
from switchcost.ingest.records import FileTask, ReadOptions, ReadResult, workload_from_tags

NAME = "bedrock"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)


def detect(path: Path, head: bytes) -> bool:
    """Records with `"schemaType": "ModelInvocationLog"`."""
    lines = head_lines(head)
    return bool(lines) and '"ModelInvocationLog"' in lines[0] and '"schemaType"' in lines[0]


def _body_facts(body: Any) -> tuple[dict[str, Any], dict[str, Any], float | None, float | None]:
    """(Anthropic message or {}, its usage or Converse usage, latency ms, ttft ms)."""
    message: dict[str, Any] = {}
    usage: dict[str, Any] = {}
    latency = ttft = None
    if isinstance(body, dict):
        if body.get("type") == "message":
            message = body
            usage = dict(body.get("usage") or {})
        elif isinstance(body.get("usage"), dict):
            usage = dict(body["usage"])
        metrics = body.get("metrics")
        if isinstance(metrics, dict):
            latency = millis(metrics.get("latencyMs"), "metrics.latencyMs")
    elif isinstance(body, list):
        for chunk in body:
            if not isinstance(chunk, dict):
                continue
            if chunk.get("type") == "message_start" and isinstance(chunk.get("message"), dict):
                message = chunk["message"]
                usage.update(message.get("usage") or {})
            elif chunk.get("type") == "message_delta" and isinstance(chunk.get("usage"), dict):
                usage.update({k: v for k, v in chunk["usage"].items() if v is not None})
            facts = chunk.get("amazon-bedrock-invocationMetrics")
            if isinstance(facts, dict):
                latency = millis(facts.get("invocationLatency"), "invocationLatency")
                ttft = millis(facts.get("firstByteLatency"), "firstByteLatency")
            meta = chunk.get("metadata")  # ConverseStream
            if isinstance(meta, dict) and isinstance(meta.get("metrics"), dict):
                latency = millis(meta["metrics"].get("latencyMs"), "metrics.latencyMs")
    return message, usage, latency, ttft


def parse(obj: dict[str, Any], path: str, line: int, options: ReadOptions) -> list[Row] | None:
    if obj.get("schemaType") != "ModelInvocationLog":
        raise BadRecord("not a ModelInvocationLog record")
    if obj.get("errorCode"):
        return None
    request_id = obj.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise BadRecord("invocation without requestId")
    model_id = obj.get("modelId")
    if not isinstance(model_id, str) or not model_id:
        raise BadRecord("invocation without modelId")
    inp: dict[str, Any] = obj["input"] if isinstance(obj.get("input"), dict) else {}
    out: dict[str, Any] = obj["output"] if isinstance(obj.get("output"), dict) else {}
    message, usage, latency, ttft = _body_facts(out.get("outputBodyJson"))
    mapped = bedrock_model(model_id)
    if mapped is not None:
        model, scope = mapped
    else:
        body_model = message.get("model")
        model, scope = (body_model if isinstance(body_model, str) else model_id).lower(), None
    uncached = inp.get("inputTokenCount", usage.get("input_tokens", usage.get("inputTokens")))
    read = inp.get(
        "cacheReadInputTokenCount",
        usage.get("cache_read_input_tokens", usage.get("cacheReadInputTokens")),
    )
    written = count(
        inp.get(
            "cacheWriteInputTokenCount",
            usage.get("cache_creation_input_tokens", usage.get("cacheWriteInputTokens")),
        ),
        "cacheWriteInputTokenCount",
    )
    output = out.get("outputTokenCount", usage.get("output_tokens", usage.get("outputTokens")))
    split = usage.get("cache_creation")
    if isinstance(split, dict):
        w5 = count(split.get("ephemeral_5m_input_tokens"), "ephemeral_5m_input_tokens")
        w1 = count(split.get("ephemeral_1h_input_tokens"), "ephemeral_1h_input_tokens")
        unknown = False
    else:
        w5, w1, unknown = written, 0, written > 0
    tags: dict[str, Any] = (
        obj["requestMetadata"] if isinstance(obj.get("requestMetadata"), dict) else {}
    )
    msg_id = text_or_none(message.get("id"))
    return [
        row(
            request_key=f"bedrock:{request_id}",
            source=NAME,
            source_file=path,
            source_line=line,
            ts=timestamp(obj.get("timestamp")),
            model=model,
            platform="bedrock",
            endpoint_scope=scope,
            message_id=msg_id,
            request_id=request_id,
            input_tokens=count(uncached, "inputTokenCount", True),
            cache_write_5m=w5,
            cache_write_1h=w1,
            cache_read=count(read, "cacheReadInputTokenCount"),
            output_tokens=count(output, "outputTokenCount", True),
            cache_split_unknown=unknown,
            service_tier=text_or_none(usage.get("service_tier")),
            speed=text_or_none(usage.get("speed")),
            workload=workload_from_tags(tags, options.workload_tags),
            tags=tags_json(tags),
            latency_ms=latency,
            ttft_ms=ttft,
        )
    ]


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """One request per invocation record (requestId is the key)."""
    return read_json_lines(tasks, options, parse)
