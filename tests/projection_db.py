"""Hand-made request rows for the projection tests (no prompt text, only usage fields)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import duckdb

_COUNTER = itertools.count(1)
DAY = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC)


def add(conn: duckdb.DuckDBPyConnection, **fields: Any) -> str:
    """Insert one request; every NOT NULL column of `requests` gets a plain default."""
    n = next(_COUNTER)
    row: dict[str, Any] = {
        "request_key": f"msg:{n}",
        "source": "messages",
        "source_file": "/logs/app.jsonl",
        "source_line": n,
        "ts": DAY,
        "model": "claude-sonnet-4-5",
        "input_tokens": 0,
        "cache_write_5m": 0,
        "cache_write_1h": 0,
        "cache_read": 0,
        "output_tokens": 0,
        "web_search_requests": 0,
        "service_tier": "standard",
        "speed": "standard",
        "inference_geo": "not_available",
        "workload": "extraction",
        "is_subagent": False,
        "run_id": 1,
    }
    row.update(fields)
    if isinstance(row.get("tags"), dict):
        row["tags"] = json.dumps(row["tags"])
    cols = list(row)
    conn.execute(
        f"INSERT INTO requests ({', '.join(cols)}) VALUES ({', '.join('$' + c for c in cols)})",
        row,
    )
    return str(row["request_key"])
