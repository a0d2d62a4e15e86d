"""Hand-made request rows for query tests: every NOT NULL column filled, overrides on top."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import duckdb

_ids = itertools.count(1)


def request(**over: Any) -> dict[str, Any]:
    n = next(_ids)
    row: dict[str, Any] = {
        "request_key": f"k{n}",
        "source": "messages",
        "source_file": "hand.jsonl",
        "source_line": n,
        "ts": dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC),
        "model": "claude-sonnet-4-5-20250929",
        "platform": "anthropic",
        "endpoint_scope": None,
        "input_tokens": 0,
        "cache_write_5m": 0,
        "cache_write_1h": 0,
        "cache_read": 0,
        "output_tokens": 0,
        "web_search_requests": 0,
        "service_tier": "standard",
        "speed": None,
        "inference_geo": None,
        "workload": None,
        "project": None,
        "session_id": None,
        "is_subagent": False,
        "tags": None,
        "latency_ms": None,
        "ttft_ms": None,
        "run_id": 1,
    }
    row.update(over)
    return row


def insert(conn: duckdb.DuckDBPyConnection, *rows: dict[str, Any]) -> None:
    for row in rows:
        cols = ", ".join(row)
        conn.execute(
            f"INSERT INTO requests ({cols}) VALUES ({', '.join('$' + c for c in row)})", row
        )
