"""Console usage and cost CSV exports (Console -> Usage / Cost -> Export).

These are daily aggregates (day x model x API key x workspace x tier, and for cost also x token
type), so they are loaded into the `usage_buckets` / `cost_buckets` tables, never as requests.
It is a reader like the others for finding, detecting and re-reading files (it is in
`ingest.readers.REGISTRY`, checked against the `Reader` protocol), but its `read` returns a
`BucketResult` (a ReadResult whose rows are aggregates) and the loader merges that into the
bucket tables, as `switchcost fetch` does with the API's reports.  It stays a special case on
purpose: an aggregate has no request, so turning it into request rows would invent requests and
bill them twice beside the logs they summarise.
A CSV needs its header, so the file is re-read whole whenever it changes (`WHOLE_FILE`), and
its new rows replace the ones it gave before.  Layout notes (no Anthropic documentation; taken
from several public parsers, see research formats.md section d): UTF-8, maybe with a BOM;
`context_window` is `≤ 200k` / `> 200k` (stored as the API's `0-200k` / `200k-1M`); `cost_usd`
is dollars (not cents); `model` in the cost export is a display name ("Claude Haiku 4.5"),
mapped to an id in SQL; `usage_type` `message` (cost export) is stored as tier `standard`.
Rows repeating the same group are summed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from switchcost.ingest.buckets import (
    BadBucket,
    BucketResult,
    cost_record,
    tokens,
    usage_record,
    usd,
)
from switchcost.ingest.records import FileTask, Malformed, ReadOptions, empty_table

NAME = "console-csv"
WHOLE_FILE = True
SOURCE = "console-csv"
# The dimensions every Console row carries (reports pick a grouping by the dimensions it holds).
USAGE_GROUPING = "model,workspace_id,api_key_id,service_tier,context_window,speed,inference_geo"
COST_GROUPING = USAGE_GROUPING + ",token_type,cost_type"
_WINDOWS = {"≤ 200k": "0-200k", "<= 200k": "0-200k", "> 200k": "200k-1M"}
_TOKEN_TYPES = {
    "input_no_cache": "uncached_input_tokens",
    "output": "output_tokens",
    "input_cache_read": "cache_read_input_tokens",
    "input_cache_write_5m": "cache_creation.ephemeral_5m_input_tokens",
    "input_cache_write_1h": "cache_creation.ephemeral_1h_input_tokens",
    "input_cache_write": "cache_creation.ephemeral_5m_input_tokens",
}
_COST_TYPES = {"token": "tokens"}


def _header(head: bytes) -> list[str]:
    text = head.decode("utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text else ""
    return [c.strip() for c in first.split(",")]


def detect(path: Path, head: bytes) -> bool:
    """A .csv whose header is the Console usage or cost export's."""
    if path.suffix.lower() != ".csv":
        return False
    cols = _header(head)
    return "usage_date_utc" in cols and (
        "usage_input_tokens_no_cache" in cols or ("token_type" in cols and "cost_usd" in cols)
    )


def _day(text: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as err:
        raise BadBucket(f"usage_date_utc {text!r} is not a date") from err
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def _opt(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _usage_row(rec: dict[str, str], origin: str, now: dt.datetime) -> dict[str, Any]:
    start, end = _day(rec["usage_date_utc"])
    group = {
        "model": _opt(rec.get("model_version")),
        "api_key_id": _opt(rec.get("api_key")),
        "workspace_id": _opt(rec.get("workspace")),
        "service_tier": _opt(rec.get("usage_type")),
        "context_window": _WINDOWS.get(rec.get("context_window", "").strip())
        or _opt(rec.get("context_window")),
        "inference_geo": _opt(rec.get("inference_geo")),
        "speed": _opt(rec.get("speed")),
    }
    write_5m = rec.get(
        "usage_input_tokens_cache_write_5m", rec.get("usage_input_tokens_cache_write")
    )
    usage = {
        "uncached_input_tokens": tokens(rec.get("usage_input_tokens_no_cache"), "no_cache"),
        "cache_creation": {
            "ephemeral_5m_input_tokens": tokens(write_5m, "cache_write_5m"),
            "ephemeral_1h_input_tokens": tokens(
                rec.get("usage_input_tokens_cache_write_1h"), "cache_write_1h"
            ),
        },
        "cache_read_input_tokens": tokens(rec.get("usage_input_tokens_cache_read"), "cache_read"),
        "output_tokens": tokens(rec.get("usage_output_tokens"), "usage_output_tokens"),
        "server_tool_use": {"web_search_requests": tokens(rec.get("web_search_count"), "web")},
    }
    return usage_record(SOURCE, USAGE_GROUPING, origin, start, end, group, usage, None, now)


def _cost_row(rec: dict[str, str], origin: str, now: dt.datetime) -> dict[str, Any]:
    start, end = _day(rec["usage_date_utc"])
    tier = _opt(rec.get("usage_type"))
    token_type = _opt(rec.get("token_type"))
    cost_type = _opt(rec.get("cost_type")) or ("tokens" if token_type else None)
    group = {
        "model": _opt(rec.get("model")),
        "workspace_id": _opt(rec.get("workspace")),
        "api_key_id": _opt(rec.get("api_key_id")) or _opt(rec.get("api_key")),
        "service_tier": "standard" if tier == "message" else tier,
        "context_window": _WINDOWS.get(rec.get("context_window", "").strip())
        or _opt(rec.get("context_window")),
        "token_type": _TOKEN_TYPES.get(token_type or "", token_type),
        "cost_type": _COST_TYPES.get(cost_type or "", cost_type),
        "inference_geo": _opt(rec.get("inference_geo")),
        "speed": _opt(rec.get("speed")),
    }
    amount = usd(rec.get("cost_usd"))
    listed = usd(rec["list_price_usd"]) if _opt(rec.get("list_price_usd")) else None
    return cost_record(
        SOURCE, COST_GROUPING, origin, start, end, group, amount, listed, "USD", None, None, now
    )


_SUMMED_USAGE = (
    "uncached_input_tokens",
    "cache_write_5m",
    "cache_write_1h",
    "cache_read",
    "output_tokens",
    "web_search_requests",
)


def _add(into: dict[str, Any], new: dict[str, Any]) -> None:
    if "amount_usd" in new:
        into["amount_usd"] += new["amount_usd"]
        if into["list_amount_usd"] is not None and new["list_amount_usd"] is not None:
            into["list_amount_usd"] += new["list_amount_usd"]
    else:
        for col in _SUMMED_USAGE:
            into[col] += new[col]


def read(tasks: list[FileTask], options: ReadOptions) -> BucketResult:
    """Every row of each whole file, as usage or cost buckets."""
    del options
    result = BucketResult(table=empty_table())
    now = dt.datetime.now(dt.UTC)
    for task in tasks:
        path = str(task.path)
        text = task.path.read_bytes()[: task.end].decode("utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        cols = reader.fieldnames or []
        is_usage = "usage_input_tokens_no_cache" in cols
        build = _usage_row if is_usage else _cost_row
        rows: dict[str, dict[str, Any]] = {}
        for rec in reader:
            try:
                if None in rec or any(v is None for v in rec.values()):
                    raise BadBucket("row has a different number of fields than the header")
                made = build(rec, path, now)
                key = f"{made['bucket_start']}|{made['group_key']}"
                if key in rows:
                    _add(rows[key], made)
                else:
                    rows[key] = made
            except (BadBucket, KeyError) as err:
                result.malformed.append(Malformed(path, reader.line_num, str(err)))
        (result.usage if is_usage else result.cost).extend(rows.values())
        result.origins.append(path)
        result.resume[path] = (task.end, text.count("\n"))
    return result
