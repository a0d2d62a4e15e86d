"""Readers for batch results, LiteLLM, Helicone, OTel, Bedrock, Vertex and Console CSV exports.

Each reader is tested with the small example files in tests/fixtures/formats/ (written by hand
in each format's layout) and with data generated here; costs are worked by hand in the comments
(rates are USD per million tokens, from queries/prices.toml and its sources).
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

from switchcost.ingest.load import ingest_paths
from switchcost.ingest.readers import detect
from switchcost.ingest.readers._common import bedrock_model, vertex_model
from switchcost.queries import db as qdb

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"


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
def test_auto_detection_picks_the_reader(name: str, fmt: str) -> None:
    path = FORMATS / name
    assert detect(path, path.read_bytes()[:4096]) == fmt


def test_bedrock_example_maps_ids_scopes_and_latency(db_path: Path) -> None:
    report = ingest_paths([FORMATS / "bedrock_invocation.jsonl"], db_path=db_path)
    assert report.new_requests == 4
    assert report.error_records == 1  # bd-fx-0005: ThrottlingException, counted, not billed
    assert not report.malformed
    rows = _rows(db_path)
    us = rows["bedrock:bd-fx-0001"]
    # us. profile = regional (+10%), Sonnet 4.5, split taken from the Anthropic body:
    #   (500 x $3 + 200 x $3.75 (5m) + 1,000 x $6 (1h) + 60 x $15) / 1e6 x 1.1
    #   = (1,500 + 750 + 6,000 + 900) x 1.1 = 9,150 x 1.1 = 10,065 -> $0.010065
    assert (us["model_id"], us["platform"], us["endpoint_scope"]) == (
        "claude-sonnet-4-5",
        "bedrock",
        "regional",
    )
    assert (us["cache_write_5m"], us["cache_write_1h"], us["cache_split_unknown"]) == (
        200,
        1000,
        False,
    )
    assert us["cost_usd"] == Decimal("0.010065")
    assert us["message_id"] == "msg_bdrk_fx_01"
    assert us["workload"] == "statements"
    glob = rows["bedrock:bd-fx-0002"]
    # global. profile = list price, Haiku 4.5: 30 x $1 + 8,000 x $0.10 + 150 x $5 (the stream's
    #   final output count) = 30 + 800 + 750 = 1,580 -> $0.00158
    assert glob["endpoint_scope"] == "global"
    assert glob["output_tokens"] == 150
    assert glob["cost_usd"] == Decimal("0.00158")
    assert (glob["latency_ms"], glob["ttft_ms"]) == (2200.0, 450.0)
    arn = rows["bedrock:bd-fx-0003"]
    # An application inference profile names no model: kept, but unpriced (never $0).
    assert arn["cost_usd"] is None
    assert not arn["priced"]
    assert arn["latency_ms"] == 700.0
    assert report.unpriced_requests == 1
    bare = rows["bedrock:bd-fx-0004"]
    # No body, so no 5m/1h split: 400 writes at the 5m rate, flagged.  eu. = regional:
    #   (100 x $1 + 400 x $1.25 + 10 x $5) x 1.1 = (100 + 500 + 50) x 1.1 = 715 -> $0.000715
    assert (bare["cache_write_5m"], bare["cache_write_1h"], bare["cache_split_unknown"]) == (
        400,
        0,
        True,
    )
    assert bare["cost_usd"] == Decimal("0.000715")


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


def test_vertex_example_and_generated(tmp_path: Path, db_path: Path) -> None:
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
    report = ingest_paths([FORMATS / "vertex_request_response.jsonl", mine], db_path=db_path)
    assert report.new_requests == 3
    assert report.error_records == 2  # the fixture's overloaded_error row and request 43
    assert not report.malformed
    rows = _rows(db_path)
    # global Haiku 4.5 (list price): 800 x $1 + 20 x $5 = 900 -> $0.0009
    glob = rows["vertex:7700000000000000001"]
    assert (glob["model_id"], glob["endpoint_scope"]) == ("claude-haiku-4-5", "global")
    assert glob["cost_usd"] == Decimal("0.0009")
    assert glob["latency_ms"] == 510.0
    # us-east5 Sonnet 4.5, regional, long context: 1,000 + 210,000 = 211,000 prompt tokens
    #   > 200,000, so the whole request is at $6 in / $0.60 read / $22.50 out:
    #   (1,000 x 6 + 210,000 x 0.6 + 300 x 22.5) x 1.1 = (6,000 + 126,000 + 6,750) x 1.1
    #   = 138,750 x 1.1 = 152,625 -> $0.152625
    regional = rows["vertex:7700000000000000002"]
    assert regional["endpoint_scope"] == "regional"
    assert regional["cost_usd"] == Decimal("0.152625")
    assert regional["latency_ms"] == 9800.0
    # europe-west1 Opus 4.5: (2000 x 5 + 10000 x 0.5 + 100 x 25) / 1e6 x 1.1 = 0.01925
    assert rows["vertex:42"]["cost_usd"] == Decimal("0.01925")


def test_litellm_example_and_generated(tmp_path: Path, db_path: Path) -> None:
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
    report = ingest_paths([FORMATS / "litellm_spend_logs.jsonl", mine], db_path=db_path)
    assert report.new_requests == 3
    assert report.error_records == 1
    assert not report.malformed
    rows = _rows(db_path)
    first = rows["litellm:chatcmpl-fx-0001"]
    # prompt 6,100 includes cache: uncached = 6,100 - 5,000 read - 1,000 written = 100.
    # Sonnet 4.5: 100 x $3 + 1,000 x $3.75 (5m, split unknown) + 5,000 x $0.30 + 200 x $15
    #   = 300 + 3,750 + 1,500 + 3,000 = 8,550 -> $0.00855 (LiteLLM's own `spend` is ignored)
    assert (first["input_tokens"], first["cache_split_unknown"]) == (100, True)
    assert first["cost_usd"] == Decimal("0.00855")
    assert first["workload"] == "summarise"
    # 12:00:00.000 -> first chunk 00.350 -> end 01.900
    assert (first["latency_ms"], first["ttft_ms"]) == (1900.0, 350.0)
    second = rows["litellm:chatcmpl-fx-0002"]
    # non-streamed: completionStartTime == endTime -> no time to first token
    assert second["ttft_ms"] is None
    # anthropic/claude-haiku-4-5: 300 x $1 + 12 x $5 = 360 -> $0.00036
    assert second["model_id"] == "claude-haiku-4-5"
    assert second["cost_usd"] == Decimal("0.00036")
    gen = rows["litellm:chatcmpl-gen-1"]
    # 5000 - 3000 - 1000 = 1000 uncached; us. Bedrock Haiku 4.5, regional:
    # (1000 x 1 + 1000 x 2 (1h) + 3000 x 0.1 + 100 x 5) / 1e6 x 1.1 = 3800 x 1.1 / 1e6
    assert (gen["platform"], gen["input_tokens"], gen["cache_write_1h"]) == ("bedrock", 1000, 1000)
    assert gen["cost_usd"] == Decimal("0.00418")
    assert gen["workload"] == "digest"
    assert gen["latency_ms"] == pytest.approx(2500.0)
    assert gen["ttft_ms"] == pytest.approx(400.0)


def test_helicone_example_and_inclusive_prompt_counts(tmp_path: Path, db_path: Path) -> None:
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
    report = ingest_paths([FORMATS / "helicone_export.jsonl", mine], db_path=db_path)
    assert report.new_requests == 2
    assert report.error_records == 2  # the fixture's 429 and h-3's 500
    rows = _rows(db_path)
    ex = rows["msg:msg_fx_hc_01"]  # keyed on Anthropic's message id
    # total 15,450 = 50 + 3,000 + 12,000 + 400: prompt (50) is already uncached.  Sonnet 4.5:
    #   50 x $3 + 3,000 x $3.75 (5m, no split in Helicone) + 12,000 x $0.30 + 400 x $15
    #   = 150 + 11,250 + 3,600 + 6,000 = 21,000 -> $0.021
    assert ex["input_tokens"] == 50
    assert (ex["cache_write_5m"], ex["cache_split_unknown"]) == (3000, True)
    assert ex["cost_usd"] == Decimal("0.021")
    assert ex["workload"] == "ledger-bot"
    assert (ex["latency_ms"], ex["ttft_ms"]) == (2600.0, 610.0)
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


def test_otel_input_token_conventions(tmp_path: Path, db_path: Path) -> None:
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
    report = ingest_paths([FORMATS / "otel_spans.jsonl", mine], db_path=db_path)
    assert report.new_requests == 5
    assert not report.malformed
    rows = _rows(db_path)
    # fixture span 1 (semconv names): input 9,000 includes the cache: 9,000 - 6,000 - 2,000
    #   = 1,000 uncached.  Sonnet 4.5, lump of writes at 5m (flagged):
    #   1,000 x $3 + 2,000 x $3.75 + 6,000 x $0.30 + 250 x $15 = 3,000 + 7,500 + 1,800 + 3,750
    #   = 16,050 -> $0.01605; span 4.2 s
    sem = rows["msg:msg_fx_ot_01"]
    assert (sem["input_tokens"], sem["cache_split_unknown"]) == (1000, True)
    assert sem["cost_usd"] == Decimal("0.01605")
    assert sem["latency_ms"] == 4200.0
    # OpenLLMetry span with no cache tokens: 700 either way; 3.25 s span duration.
    #   Haiku 4.5: 700 x $1 + 90 x $5 = 1,150 -> $0.00115
    old = rows["msg:msg_fx_ot_02"]
    assert (old["input_tokens"], old["output_tokens"], old["latency_ms"]) == (700, 90, 3250.0)
    assert old["cost_usd"] == Decimal("0.00115")
    # OpenLIT copies Anthropic's uncached count: 4 stays 4; TTFT 0.25 s; its own cost ignored.
    #   Haiku 4.5: 4 x $1 + 500 x $1.25 + 30,000 x $0.10 + 60 x $5 = 4 + 625 + 3,000 + 300
    #   = 3,929 -> $0.003929
    lit = rows["msg:msg_fx_ot_03"]
    assert (lit["input_tokens"], lit["cache_read"], lit["cache_write_5m"]) == (4, 30000, 500)
    assert lit["ttft_ms"] == pytest.approx(250.0)
    assert lit["latency_ms"] == 1800.0
    assert lit["cost_usd"] == Decimal("0.003929")
    mine_rows = {k: v for k, v in rows.items() if k.startswith("otel:")}
    s1, s2 = mine_rows["otel:t1:s1"], mine_rows["otel:t1:s2"]
    # 5000 - 4000 = 1000 uncached: 1000 x 1 + 4000 x 0.1 + 100 x 5 = 1900 / 1e6
    assert s1["input_tokens"] == 1000
    assert s1["cost_usd"] == Decimal("0.0019")
    assert s1["workload"] == "rag"
    assert s1["latency_ms"] == 1500.0
    assert s2["input_tokens"] == 10


def test_batch_results_batch_tier_and_batch_id(tmp_path: Path, db_path: Path) -> None:
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
    shutil.copy(FORMATS / "batch_results.jsonl", tmp_path / "example.jsonl")
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
    # fixture: Haiku 4.5 (1,200 x $1 + 80 x $5) x 0.5 = 1,600 x 0.5 = 800 -> $0.0008
    assert rows["msg:msg_fx_bt_01"]["cost_usd"] == Decimal("0.0008")
    # Sonnet 4.5 with both write lifetimes: (20 x $3 + 1,000 x $3.75 + 500 x $6 + 4,000 x $0.30
    #   + 30 x $15) x 0.5 = (60 + 3,750 + 3,000 + 1,200 + 450) x 0.5 = 8,460 x 0.5 = 4,230
    #   -> $0.00423
    sonnet = rows["msg:msg_fx_bt_02"]
    assert (sonnet["cache_write_5m"], sonnet["cache_write_1h"]) == (1000, 500)
    assert sonnet["cost_usd"] == Decimal("0.00423")
    assert json.loads(sonnet["tags"])["batch_id"] == "example"  # no msgbatch_ id: the stem


def _buckets(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_console_csv_examples_are_aggregates_not_requests(db_path: Path) -> None:
    report = ingest_paths(
        [FORMATS / "console_usage_export.csv", FORMATS / "console_cost_export.csv"],
        db_path=db_path,
    )
    assert report.new_requests == 0
    assert not report.malformed
    assert report.files_read == 2
    assert _buckets(db_path, "SELECT count(*) FROM requests") == [(0,)]
    # 250,000 (written "250,000" in a file with a BOM) + 12,000 + 70,000 uncached input tokens
    assert _buckets(db_path, "SELECT count(*), sum(uncached_input_tokens) FROM usage_buckets") == [
        (3, 332000)
    ]
    # the "> 200k" row is the long-context bucket
    assert _buckets(
        db_path,
        "SELECT context_window, cache_read FROM usage_buckets ORDER BY context_window, cache_read",
    ) == [("0-200k", 0), ("0-200k", 500000), ("200k-1M", 230000)]
    # The cost file is Sonnet 4.5 / Haiku 4.5 at list rates, in dollars (not cents):
    #   250,000 x $3 = 0.75; 10,000 x $3.75 = 0.0375; 20,000 x $6 = 0.12; 500,000 x $0.30 = 0.15;
    #   40,000 x $15 = 0.60; Haiku batch 70,000 x $1 x 0.5 = 0.035 and 9,000 x $5 x 0.5 = 0.0225
    #   cost = 1.715; list (no batch discount on the Haiku rows: 0.07 + 0.045) = 1.7725
    assert _buckets(db_path, "SELECT sum(amount_usd), sum(list_amount_usd) FROM cost_buckets") == [
        (Decimal("1.715"), Decimal("1.7725"))
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
    from switchcost.ingest.readers._common import count
    from switchcost.ingest.readers.messages import BadRecord

    assert count(str(2**63 - 1), "n") == 2**63 - 1
    assert count(12.0, "n") == 12
    for too_large in (str(2**63), 2**63, 2.0**70):
        with pytest.raises(BadRecord, match="too large"):
            count(too_large, "n")
