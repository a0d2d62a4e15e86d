"""Readers for batch results, LiteLLM, Helicone, OTel, Bedrock, Vertex and Console CSV exports.

Each reader is tested with the research example files and with data generated here in its
layout; costs are worked by hand in the comments (rates are USD per million tokens).
"""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.load import ingest_paths
from ingest.readers import detect
from ingest.readers._common import bedrock_model, vertex_model
from queries import db as qdb


def _rows(db_path: Path, where: str = "true") -> dict[str, dict[str, Any]]:
    with qdb.connect(db_path, read_only=True) as conn:
        cur = conn.execute(f"SELECT * FROM priced_requests WHERE {where} ORDER BY source_line")
        names = [d[0] for d in cur.description]
        return {
            r[names.index("request_key")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()
        }


def _write(path: Path, records: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("batch_results.jsonl", "batch-results"),
        ("bedrock_invocation.jsonl", "bedrock"),
        ("vertex_request_response.jsonl", "vertex"),
        ("litellm_spend_logs.jsonl", "litellm"),
        ("helicone_export.jsonl", "helicone"),
        ("otel_spans.jsonl", "otel"),
        ("console_usage_export.csv", "console-csv"),
        ("console_cost_export.csv", "console-csv"),
        ("messages_api.jsonl", "messages"),  # still claimed by `messages`, not by a newcomer
    ],
)
def test_auto_detection_picks_the_reader(formats_dir: Path, name: str, fmt: str) -> None:
    path = formats_dir / name
    assert detect(path, path.read_bytes()[:4096]) == fmt


def test_bedrock_example_maps_ids_scopes_and_latency(formats_dir: Path, db_path: Path) -> None:
    report = ingest_paths([formats_dir / "bedrock_invocation.jsonl"], db_path=db_path)
    assert report.new_requests == 3
    assert not report.malformed
    rows = _rows(db_path)
    us = rows["bedrock:5f0c9a3e-2b1d-4c8e-9f7a-6d5e4c3b2a10"]
    # us. profile = regional: Sonnet 4.5 (412 x $3 + 4 x $15) / 1e6 x 1.1 = 0.0014256
    assert (us["model_id"], us["platform"], us["endpoint_scope"]) == (
        "claude-sonnet-4-5",
        "bedrock",
        "regional",
    )
    assert us["cost_usd"] == Decimal("0.0014256")
    glob = rows["bedrock:7a1d2e3f-4b5c-4d6e-8f9a-0b1c2d3e4f5a"]
    # global. profile = list price: Haiku 4.5 22 x $1 + 4096 x $0.10 + 88 x $5 = 871.6 / 1e6
    assert glob["endpoint_scope"] == "global"
    assert glob["cost_usd"] == Decimal("0.0008716")
    assert (glob["latency_ms"], glob["ttft_ms"]) == (1405.0, 385.0)
    arn = rows["bedrock:9c3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6b"]
    # An application inference profile names no model: kept, but unpriced (never $0).
    assert arn["cost_usd"] is None
    assert not arn["priced"]
    assert arn["latency_ms"] == 612.0
    assert report.unpriced_requests == 1


def test_bedrock_generated_split_errors_and_bad_lines(tmp_path: Path, db_path: Path) -> None:
    good = {
        "schemaType": "ModelInvocationLog",
        "timestamp": "2026-11-18T12:00:00Z",
        "requestId": "r-1",
        "operation": "InvokeModel",
        "modelId": "eu.anthropic.claude-opus-4-5-20251101-v1:0",
        "input": {
            "inputTokenCount": 1000,
            "cacheReadInputTokenCount": 0,
            "cacheWriteInputTokenCount": 300,
        },
        "output": {
            "outputTokenCount": 50,
            "outputBodyJson": {
                "id": "msg_b1",
                "type": "message",
                "model": "claude-opus-4-5-20251101",
                "usage": {
                    "input_tokens": 1000,
                    "output_tokens": 50,
                    "cache_creation_input_tokens": 300,
                    "cache_creation": {
                        "ephemeral_5m_input_tokens": 100,
                        "ephemeral_1h_input_tokens": 200,
                    },
                },
            },
        },
        "requestMetadata": {"workload": "summaries"},
    }
    failed = {
        "schemaType": "ModelInvocationLog",
        "timestamp": "2026-11-18T12:00:01Z",
        "requestId": "r-2",
        "modelId": "anthropic.claude-opus-4-5-20251101-v1:0",
        "errorCode": "ThrottlingException",
    }
    path = _write(tmp_path / "bedrock.jsonl", [good, failed, "{not json", good])
    report = ingest_paths([path], db_path=db_path)
    assert report.new_requests == 1
    assert report.error_records == 1
    assert [(m.line, m.reason[:14]) for m in report.malformed] == [(3, "not valid JSON")]
    row = _rows(db_path)["bedrock:r-1"]
    # Opus 4.5 in eu. (regional): (1000 x 5 + 100 x 6.25 + 200 x 10 + 50 x 25) / 1e6 x 1.1
    #   = 8875 / 1e6 x 1.1 = 0.0097625
    assert (row["cache_write_5m"], row["cache_write_1h"], row["cache_split_unknown"]) == (
        100,
        200,
        False,
    )
    assert row["cost_usd"] == Decimal("0.0097625")
    assert row["workload"] == "summaries"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("us.anthropic.claude-haiku-4-5-20251001-v1:0", ("claude-haiku-4-5-20251001", "regional")),
        (
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            ("claude-haiku-4-5-20251001", "global"),
        ),
        ("anthropic.claude-opus-4-6-v1", ("claude-opus-4-6", "regional")),
        ("apac.anthropic.claude-sonnet-4-6", ("claude-sonnet-4-6", "regional")),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", ("claude-3-5-sonnet-20241022", "regional")),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            ("claude-sonnet-4-5-20250929", "regional"),
        ),
        ("arn:aws:bedrock:eu-central-1:1:application-inference-profile/abc", None),
    ],
)
def test_bedrock_model_ids(given: str, expected: tuple[str, str] | None) -> None:
    assert bedrock_model(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("claude-haiku-4-5@20251001", ("claude-haiku-4-5-20251001", None)),
        (
            "projects/p/locations/global/publishers/anthropic/models/claude-opus-4-6@default",
            ("claude-opus-4-6", "global"),
        ),
        (
            "projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-6",
            ("claude-sonnet-4-6", "regional"),
        ),
        (
            "projects/p/locations/eu/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022",
            ("claude-3-5-sonnet-20241022", "regional"),
        ),
    ],
)
def test_vertex_model_ids(given: str, expected: tuple[str, str | None]) -> None:
    assert vertex_model(given) == expected


def test_vertex_example_and_generated(formats_dir: Path, tmp_path: Path, db_path: Path) -> None:
    generated = {
        "logging_time": "2026-11-18T11:00:00Z",
        "request_id": 42,
        "model": "projects/p/locations/europe-west1/publishers/anthropic/models/"
        "claude-opus-4-5@20251101",
        # BigQuery JSON columns can arrive as text
        "full_response": json.dumps(
            {
                "id": "msg_v",
                "type": "message",
                "model": "x",
                "usage": {
                    "input_tokens": 2000,
                    "output_tokens": 100,
                    "cache_read_input_tokens": 10000,
                },
            }
        ),
        "metadata": {"request_latency": "1500"},
    }
    error_row = {
        "logging_time": "2026-11-18T11:00:01Z",
        "request_id": 43,
        "model": generated["model"],
        "full_response": {"error": {"code": 429}},
    }
    mine = _write(tmp_path / "vertex.jsonl", [generated, error_row])
    report = ingest_paths([formats_dir / "vertex_request_response.jsonl", mine], db_path=db_path)
    assert report.new_requests == 3
    assert report.error_records == 1
    assert not report.malformed
    rows = _rows(db_path)
    # global Haiku 4.5: 402 x $1 + 4 x $5 = 422 / 1e6
    assert rows["vertex:1873344512098765432"]["cost_usd"] == Decimal("0.000422")
    # us-east5 Sonnet 4.6, regional: (1290 x 3 + 233 x 15) / 1e6 x 1.1 = 7365 x 1.1 / 1e6
    regional = rows["vertex:1873344512098765433"]
    assert regional["cost_usd"] == Decimal("0.0081015")
    assert regional["latency_ms"] == 4211.0
    # europe-west1 Opus 4.5: (2000 x 5 + 10000 x 0.5 + 100 x 25) / 1e6 x 1.1 = 0.01925
    assert rows["vertex:42"]["cost_usd"] == Decimal("0.01925")


def test_litellm_example_and_generated(formats_dir: Path, tmp_path: Path, db_path: Path) -> None:
    payload = {  # StandardLoggingPayload: epoch-second floats, provider-prefixed Bedrock model
        "id": "chatcmpl-gen-1",
        "call_type": "acompletion",
        "status": "success",
        "startTime": 1795000000.0,
        "endTime": 1795000002.5,
        "completionStartTime": 1795000000.4,
        "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "prompt_tokens": 5000,
        "completion_tokens": 100,
        "metadata": {
            "usage_object": {
                "cache_read_input_tokens": 3000,
                "cache_creation_input_tokens": 1000,
                "cache_creation_token_details": {
                    "ephemeral_5m_input_tokens": 0,
                    "ephemeral_1h_input_tokens": 1000,
                },
            },
            "spend_logs_metadata": {"workload": "digest"},
        },
    }
    failure = {**payload, "id": "chatcmpl-gen-2", "status": "failure"}
    openai = {**payload, "id": "chatcmpl-gen-3", "model": "gpt-4o"}
    mine = _write(tmp_path / "spend.jsonl", [payload, failure, openai])
    report = ingest_paths([formats_dir / "litellm_spend_logs.jsonl", mine], db_path=db_path)
    assert report.new_requests == 3
    assert report.error_records == 1
    assert not report.malformed
    rows = _rows(db_path)
    first = rows["litellm:chatcmpl-6a0e1f2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"]
    # prompt 13,886 includes cache: uncached = 13886 - 11800 - 2048 = 38.  Sonnet 4.6:
    # 38 x 3 + 2048 x 3.75 (5m, split unknown) + 11800 x 0.30 + 311 x 15 = 15999 / 1e6
    assert (first["input_tokens"], first["cache_split_unknown"]) == (38, True)
    assert first["cost_usd"] == Decimal("0.015999")
    assert first["workload"] == "triage"
    assert (first["latency_ms"], first["ttft_ms"]) == (1834.0, 412.0)
    second = rows["litellm:chatcmpl-7b1f2a3c-4d5e-4f6a-9b0c-1d2e3f4a5b6c"]
    # non-streamed: completionStartTime == endTime -> no time to first token
    assert second["ttft_ms"] is None
    assert second["cost_usd"] == Decimal("0.000440")
    gen = rows["litellm:chatcmpl-gen-1"]
    # 5000 - 3000 - 1000 = 1000 uncached; us. Bedrock Haiku 4.5, regional:
    # (1000 x 1 + 1000 x 2 (1h) + 3000 x 0.1 + 100 x 5) / 1e6 x 1.1 = 3800 x 1.1 / 1e6
    assert (gen["platform"], gen["input_tokens"], gen["cache_write_1h"]) == ("bedrock", 1000, 1000)
    assert gen["cost_usd"] == Decimal("0.00418")
    assert gen["workload"] == "digest"
    assert gen["latency_ms"] == pytest.approx(2500.0)
    assert gen["ttft_ms"] == pytest.approx(400.0)


def test_helicone_example_and_inclusive_prompt_counts(
    formats_dir: Path, tmp_path: Path, db_path: Path
) -> None:
    inclusive = {  # total = prompt + completion: prompt includes the 3,000 cached tokens
        "request_id": "h-2",
        "request_created_at": "2026-11-18T10:00:00Z",
        "request_model": "claude-haiku-4-5",
        "provider": "ANTHROPIC",
        "response_status": 200,
        "delay_ms": 900,
        "time_to_first_token": None,
        "prompt_tokens": 4000,
        "prompt_cache_write_tokens": 0,
        "prompt_cache_read_tokens": 3000,
        "completion_tokens": 10,
        "total_tokens": 4010,
        "request_properties": {},
    }
    failed = {**inclusive, "request_id": "h-3", "response_status": 500}
    mine = _write(tmp_path / "helicone.jsonl", [inclusive, failed])
    report = ingest_paths([formats_dir / "helicone_export.jsonl", mine], db_path=db_path)
    assert report.new_requests == 2
    assert report.error_records == 1
    rows = _rows(db_path)
    ex = rows["msg:msg_01H2q7w4mZ3b9VdZkq8xYt1A"]  # keyed on Anthropic's message id
    # total 14,197 = 38 + 2048 + 11800 + 311: prompt (38) is already uncached -> $0.015999
    assert ex["input_tokens"] == 38
    assert ex["cost_usd"] == Decimal("0.015999")
    assert ex["workload"] == "support-bot"
    assert (ex["latency_ms"], ex["ttft_ms"]) == (1834.0, 412.0)
    # 4000 - 3000 = 1000 uncached: 1000 x 1 + 3000 x 0.1 + 10 x 5 = 1350 / 1e6
    assert rows["helicone:h-2"]["input_tokens"] == 1000
    assert rows["helicone:h-2"]["cost_usd"] == Decimal("0.00135")


def _span(
    attrs: dict[str, Any],
    *,
    span_id: str,
    start: int = 1795000000_000000000,
    end: int = 1795000001_500000000,
) -> dict[str, Any]:
    def val(v: Any) -> dict[str, Any]:
        return {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}

    return {
        "traceId": "t1",
        "spanId": span_id,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(end),
        "attributes": [{"key": k, "value": val(v)} for k, v in attrs.items()],
    }


def test_otel_input_token_conventions(formats_dir: Path, tmp_path: Path, db_path: Path) -> None:
    semconv = _span(
        {
            "gen_ai.provider.name": "anthropic",
            "gen_ai.request.model": "claude-haiku-4-5",
            "gen_ai.usage.input_tokens": 5000,
            "gen_ai.usage.output_tokens": 100,
            "gen_ai.usage.cache_read.input_tokens": 4000,
            "gen_ai.usage.cache_creation.input_tokens": 0,
            "workload": "rag",
        },
        span_id="s1",
    )
    agent = _span({"gen_ai.operation.name": "invoke_agent"}, span_id="s0")  # no usage: skipped
    odd = _span(
        {
            "gen_ai.request.model": "claude-haiku-4-5",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 1,
            "gen_ai.usage.cache_read.input_tokens": 50,
        },
        span_id="s2",
    )  # 10 < 50: was already uncached, kept as is
    line = {
        "resourceSpans": [
            {
                "resource": {"attributes": []},
                "scopeSpans": [
                    {"scope": {"name": "my.instrumentation"}, "spans": [agent, semconv, odd]}
                ],
            }
        ]
    }
    mine = _write(tmp_path / "spans.jsonl", [line])
    report = ingest_paths([formats_dir / "otel_spans.jsonl", mine], db_path=db_path)
    assert report.new_requests == 5
    assert not report.malformed
    rows = _rows(db_path)
    # example span 1 (semconv names): 13,886 - 11,800 - 2,048 = 38 uncached
    assert rows["msg:msg_01H2q7w4mZ3b9VdZkq8xYt1A"]["input_tokens"] == 38
    # OpenLLMetry span with no cache tokens: 5,210 either way; 9.12 s span duration
    old = rows["msg:msg_01Q8cLbW6yPz1uTn4eVr9Sm2"]
    assert (old["input_tokens"], old["output_tokens"], old["latency_ms"]) == (5210, 1422, 9120.0)
    # OpenLIT copies Anthropic's uncached count: 3 stays 3; TTFT 0.38 s
    lit = rows["msg:msg_01Vb3Nn8sKp2QwErTy5uIoP6"]
    assert (lit["input_tokens"], lit["cache_read"], lit["cache_write_5m"]) == (3, 96512, 18890)
    assert lit["ttft_ms"] == pytest.approx(380.0)
    assert lit["latency_ms"] == 2410.0
    mine_rows = {k: v for k, v in rows.items() if k.startswith("otel:")}
    s1, s2 = mine_rows["otel:t1:s1"], mine_rows["otel:t1:s2"]
    # 5000 - 4000 = 1000 uncached: 1000 x 1 + 4000 x 0.1 + 100 x 5 = 1900 / 1e6
    assert s1["input_tokens"] == 1000
    assert s1["cost_usd"] == Decimal("0.0019")
    assert s1["workload"] == "rag"
    assert s1["latency_ms"] == 1500.0
    assert s2["input_tokens"] == 10


def test_batch_results_batch_tier_and_batch_id(
    formats_dir: Path, tmp_path: Path, db_path: Path
) -> None:
    mine = _write(
        tmp_path / "msgbatch_01XYZ_results.jsonl",
        [
            {
                "custom_id": "doc-1",
                "result": {
                    "type": "succeeded",
                    "message": {
                        "type": "message",
                        "model": "claude-haiku-4-5",
                        "usage": {"input_tokens": 10000, "output_tokens": 1000},
                    },
                },
            },  # no id, no tier
            {"custom_id": "doc-2", "result": {"type": "expired"}},
        ],
    )
    os.utime(mine, (1795000000, 1795000000))  # results saved 2026-11-18
    shutil.copy(formats_dir / "batch_results.jsonl", tmp_path / "example.jsonl")
    os.utime(tmp_path / "example.jsonl", (1795000000, 1795000000))
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 3
    assert report.error_records == 1
    assert not report.malformed
    rows = _rows(db_path)
    gen = rows["batch:msgbatch_01XYZ:doc-1"]
    # batch tier: (10000 x 1 + 1000 x 5) x 0.5 / 1e6 = 0.0075
    assert gen["service_tier"] == "batch"
    assert gen["cost_usd"] == Decimal("0.0075")
    assert json.loads(gen["tags"]) == {"batch_id": "msgbatch_01XYZ", "custom_id": "doc-1"}
    # example: Haiku (402 + 4 x 5) x 0.5 = 211; Sonnet 4.6 (15 x 3 + 2048 x 0.3 + 3 x 15) x 0.5
    #   = (45 + 614.4 + 45) x 0.5 = 352.2   (per 1e6)
    assert rows["msg:msg_01FqZ5xRt8Yu2Io3Pa4Sd5Fg"]["cost_usd"] == Decimal("0.000211")
    assert rows["msg:msg_01GrA6yS9uZv3Jp4Qb5Te6Gh"]["cost_usd"] == Decimal("0.0003522")


def _buckets(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_console_csv_examples_are_aggregates_not_requests(formats_dir: Path, db_path: Path) -> None:
    report = ingest_paths(
        [formats_dir / "console_usage_export.csv", formats_dir / "console_cost_export.csv"],
        db_path=db_path,
    )
    assert report.new_requests == 0
    assert not report.malformed
    assert report.files_read == 2
    assert _buckets(db_path, "SELECT count(*) FROM requests") == [(0,)]
    # 1,520,344 + 88,110 + 120,443 + 5,210 uncached input tokens
    assert _buckets(db_path, "SELECT count(*), sum(uncached_input_tokens) FROM usage_buckets") == [
        (4, 1734107)
    ]
    # 4.56 + 0.30 + 1.32 + 2.74 + 6.03 + 0.04 + 0.01 dollars (not cents); list 0.09 + 0.03
    assert _buckets(db_path, "SELECT sum(amount_usd), sum(list_amount_usd) FROM cost_buckets") == [
        (Decimal("15.000000000000"), Decimal("15.070000000000"))
    ]


def test_console_csv_is_reread_whole_and_replaces_its_rows(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "usage.csv"
    header = (
        "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,"
        "usage_input_tokens_no_cache,usage_input_tokens_cache_write,"
        "usage_input_tokens_cache_read,usage_output_tokens,web_search_count\n"
    )
    row1 = '2026-11-18,claude-haiku-4-5,k,W,standard,≤ 200k,"1,000",10,0,5,0\n'
    path.write_bytes(b"\xef\xbb\xbf" + (header + row1).encode())  # BOM, older single write column
    assert ingest_paths([path], db_path=db_path).files_read == 1
    bad = "2026-11-19,claude-haiku-4-5,k,W,standard,≤ 200k,lots,0,0,0,0\n"
    row2 = "2026-11-19,claude-haiku-4-5,k,W,standard,≤ 200k,2000,0,0,7,0\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(bad + row2)
    second = ingest_paths([path], db_path=db_path)
    assert [(m.line, "not a whole number" in m.reason) for m in second.malformed] == [(3, True)]
    # the first row is replaced, not doubled: 1,000 + 2,000 input tokens; 10 writes at 5m
    assert _buckets(
        db_path,
        "SELECT sum(uncached_input_tokens), sum(cache_write_5m),"
        " min(context_window) FROM usage_buckets",
    ) == [(3000, 10, "0-200k")]
    assert ingest_paths([path], db_path=db_path).files_up_to_date == 1


def test_token_counts_beyond_a_bigint_are_bad_records() -> None:
    """Gateway counts come as numbers or digit strings; past a BIGINT they are a bad line."""
    from ingest.readers._common import count
    from ingest.readers.messages import BadRecord

    assert count(str(2**63 - 1), "n") == 2**63 - 1
    assert count(12.0, "n") == 12
    for too_large in (str(2**63), 2**63, 2.0**70):
        with pytest.raises(BadRecord, match="too large"):
            count(too_large, "n")
