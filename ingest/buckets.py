"""Aggregate records (usage and cost buckets) shared by `fetch` and the Console CSV reader.

Anthropic's reports and Console exports are sums over a time bucket and a group, not requests,
so they get their own record shapes (matching the `usage_buckets` / `cost_buckets` tables) and
are never mixed with request records.  Cost amounts stay exact: the API's fractional-cent
strings become dollars by Decimal division, never through a float.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from switchcost.ingest.records import ReadResult

if TYPE_CHECKING:
    import pyarrow as pa

USD_SCALE = Decimal("1e-12")


@functools.cache
def _schemas() -> tuple[pa.Schema, pa.Schema]:
    """(usage, cost) Arrow schemas, built on first use: pyarrow is not imported otherwise."""
    import pyarrow as pa

    dims = [
        ("model", pa.string()),
        ("workspace", pa.string()),
        ("api_key", pa.string()),
        ("service_tier", pa.string()),
        ("context_window", pa.string()),
        ("speed", pa.string()),
        ("inference_geo", pa.string()),
        ("product", pa.string()),
    ]
    head = [
        ("source", pa.string()),
        ("grouping", pa.string()),
        ("origin", pa.string()),
        ("bucket_start", pa.timestamp("us", tz="UTC")),
        ("bucket_end", pa.timestamp("us", tz="UTC")),
        ("group_key", pa.string()),
    ]
    tail = [
        ("data_refreshed_at", pa.timestamp("us", tz="UTC")),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
    ]

    def schema(measures: list[tuple[str, pa.DataType]]) -> pa.Schema:
        return pa.schema([*head, *dims, *measures, *tail])

    usage = schema(
        [
            ("uncached_input_tokens", pa.int64()),
            ("cache_write_5m", pa.int64()),
            ("cache_write_1h", pa.int64()),
            ("cache_read", pa.int64()),
            ("output_tokens", pa.int64()),
            ("web_search_requests", pa.int64()),
            ("requests", pa.int64()),
        ]
    )
    cost = schema(
        [
            ("cost_type", pa.string()),
            ("token_type", pa.string()),
            ("description", pa.string()),
            ("amount_usd", pa.decimal128(38, 12)),
            ("list_amount_usd", pa.decimal128(38, 12)),
            ("currency", pa.string()),
            ("requests", pa.int64()),
        ]
    )
    return usage, cost


# API group field -> table column (ids from the API, names from the Console CSV).
_GROUP_COLUMNS = {
    "model": "model",
    "workspace_id": "workspace",
    "api_key_id": "api_key",
    "service_tier": "service_tier",
    "context_window": "context_window",
    "speed": "speed",
    "inference_geo": "inference_geo",
    "product": "product",
}


class BadBucket(ValueError):
    """A bucket or CSV row that cannot be used; the message says why."""


@dataclass
class BucketResult(ReadResult):
    """A reader result that carries aggregates instead of requests (the Console CSV reader)."""

    usage: list[dict[str, Any]] = field(default_factory=list)
    cost: list[dict[str, Any]] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # files whose earlier rows are replaced


def cents_to_usd(text: Any) -> Decimal:
    """'804.2376' (fractional cents, as the API sends) -> Decimal('8.042376') dollars, exactly."""
    return usd(text, cents=True)


def usd(text: Any, *, cents: bool = False) -> Decimal:
    """An exact Decimal amount from text (thousands separators allowed), never via float."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise BadBucket(f"amount is not a decimal string: {text!r}")
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation as err:
        raise BadBucket(f"amount {text!r} is not a number") from err
    if not value.is_finite():
        raise BadBucket(f"amount {text!r} is not finite")
    value = value / 100 if cents else value
    exact = value.quantize(USD_SCALE, rounding=ROUND_HALF_EVEN)
    return exact


def tokens(value: Any, name: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        text = value.replace(",", "").strip()
        if not text.isdigit():
            raise BadBucket(f"{name} is not a whole number: {value!r}")
        return int(text)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadBucket(f"{name} is not a non-negative integer: {value!r}")
    return value


def group_key(group: dict[str, Any]) -> str:
    """The canonical JSON of a group: the dedup key within a bucket."""
    return json.dumps(group, sort_keys=True, separators=(",", ":"), default=str)


def _dims(group: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(_GROUP_COLUMNS.values())
    for key, column in _GROUP_COLUMNS.items():
        value = group.get(key)
        if value is not None and not isinstance(value, dict | list):
            out[column] = str(value).strip().lower() if column == "model" else str(value)
    return out


def _head(
    source: str,
    grouping: str,
    origin: str,
    start: dt.datetime,
    end: dt.datetime,
    group: dict[str, Any],
) -> dict[str, Any]:
    return {
        "source": source,
        "grouping": grouping,
        "origin": origin,
        "bucket_start": start,
        "bucket_end": end,
        "group_key": group_key(group),
        **_dims(group),
    }


def usage_record(
    source: str,
    grouping: str,
    origin: str,
    start: dt.datetime,
    end: dt.datetime,
    group: dict[str, Any],
    usage: dict[str, Any],
    refreshed: dt.datetime | None,
    loaded: dt.datetime,
) -> dict[str, Any]:
    """One usage bucket row from an API usage block (legacy and analytics share it)."""
    cache = usage.get("cache_creation") or {}
    tools = usage.get("server_tool_use") or {}
    if not isinstance(cache, dict) or not isinstance(tools, dict):
        raise BadBucket("cache_creation / server_tool_use is not an object")
    requests = usage.get("requests")
    return {
        **_head(source, grouping, origin, start, end, group),
        "uncached_input_tokens": tokens(usage.get("uncached_input_tokens"), "uncached_input"),
        "cache_write_5m": tokens(cache.get("ephemeral_5m_input_tokens"), "ephemeral_5m"),
        "cache_write_1h": tokens(cache.get("ephemeral_1h_input_tokens"), "ephemeral_1h"),
        "cache_read": tokens(usage.get("cache_read_input_tokens"), "cache_read_input_tokens"),
        "output_tokens": tokens(usage.get("output_tokens"), "output_tokens"),
        "web_search_requests": tokens(tools.get("web_search_requests"), "web_search_requests"),
        "requests": None if requests is None else tokens(requests, "requests"),
        "data_refreshed_at": refreshed,
        "loaded_at": loaded,
    }


def cost_record(
    source: str,
    grouping: str,
    origin: str,
    start: dt.datetime,
    end: dt.datetime,
    group: dict[str, Any],
    amount: Decimal,
    list_amount: Decimal | None,
    currency: str,
    requests: int | None,
    refreshed: dt.datetime | None,
    loaded: dt.datetime,
) -> dict[str, Any]:
    """One cost bucket row; `amount` already in dollars."""
    if currency.upper() != "USD":
        raise BadBucket(f"currency {currency!r} is not USD")
    return {
        **_head(source, grouping, origin, start, end, group),
        "cost_type": _text(group.get("cost_type")),
        "token_type": _text(group.get("token_type")),
        "description": _text(group.get("description")),
        "amount_usd": amount,
        "list_amount_usd": list_amount,
        "currency": currency.upper(),
        "requests": requests,
        "data_refreshed_at": refreshed,
        "loaded_at": loaded,
    }


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def usage_table(rows: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_schemas()[0])


def cost_table(rows: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_schemas()[1])
