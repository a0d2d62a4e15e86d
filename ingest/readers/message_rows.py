"""The `messages` reader's rows: one Messages API response (its usage, model, ids and the app's
wrapper fields) as canonical records, held as Arrow a batch at a time.  Not a reader."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from switchcost.ingest.readers.iterations import billing_units
from switchcost.ingest.readers.jsonl import BadRecord, capped_tags, check_text, count_field
from switchcost.ingest.records import (
    COLUMNS,
    ReadOptions,
    Records,
    Row,
    table_from_tuples,
    workload_from_tags,
)

NAME = "messages"
# One encoder for every row's tags: json.dumps builds one per call (0.76 s against 0.57 s for
# 140,000 small tag sets).
_TAGS = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_USAGE_COLUMNS = COLUMNS[COLUMNS.index("input_tokens") : COLUMNS.index("inference_geo") + 1]


def usage_fields(usage: Any) -> dict[str, Any]:
    """The usage columns by name (the other JSON-lines readers build their rows from these)."""
    return dict(zip(_USAGE_COLUMNS, usage_values(usage), strict=True))


def usage_values(usage: Any) -> tuple[object, ...]:
    """The usage columns, in COLUMNS order (input_tokens .. inference_geo)."""
    if not isinstance(usage, dict):
        raise BadRecord("message has no usage object")
    split = usage.get("cache_creation")
    lump = count_field(usage, "cache_creation_input_tokens")
    if isinstance(split, dict):
        w5, w1, unknown = (
            count_field(split, "ephemeral_5m_input_tokens"),
            count_field(split, "ephemeral_1h_input_tokens"),
            False,
        )
    else:
        w5, w1, unknown = lump, 0, lump > 0
    tools = usage.get("server_tool_use") or {}
    # Checked in this order, so a record with several bad fields names the same one as before.
    inp = count_field(usage, "input_tokens", required=True)
    out = count_field(usage, "output_tokens", required=True)
    read = count_field(usage, "cache_read_input_tokens")
    web = count_field(tools, "web_search_requests") if isinstance(tools, dict) else 0
    return (
        inp,
        w5,
        w1,
        read,
        out,
        web,
        unknown,
        usage.get("service_tier"),
        usage.get("speed"),
        usage.get("inference_geo"),
    )


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class Builder:
    """A file's rows, converted to Arrow every `flush_rows` rows: a range holds its rows as Arrow
    (52 MB for 140,640 rows) plus each row's line, not as Python tuples."""

    def __init__(
        self, path: str, options: ReadOptions, fallback_ts: dt.datetime, flush_rows: int
    ) -> None:
        self.path = path
        self.options = options
        self.fallback_ts = fallback_ts
        self.flush_rows = flush_rows
        self.rows: list[Row] = []
        self.tables: list[Records] = []
        self.lines: list[int] = []

    def flush(self) -> None:
        if self.rows:
            self.tables.append(table_from_tuples(self.rows))
            self.rows = []

    def tables_upto(self, last: int) -> list[Records]:
        """The rows of lines up to `last` (where the next read resumes), as Arrow tables."""
        self.flush()
        keep = [line <= last for line in self.lines]
        out: list[Records] = []
        start = 0
        for table in self.tables:
            mask = keep[start : start + table.num_rows]
            start += table.num_rows
            out.append(table if all(mask) else _where(table, mask))
        return out

    def add(
        self,
        line: int,
        wrapper: dict[str, Any],
        message: dict[str, Any],
        usage: dict[str, Any],
        ts: dt.datetime | None,
        latency: float | None,
        ttft: float | None,
        tags: dict[str, Any] | None,
        loose: bool = False,
        complete: bool = True,
    ) -> None:
        """The response's rows: the main one, plus one per extra billed entry of
        `usage.iterations` (`iterations.billing_units`), keyed `<key>#<type>-<index>`, with
        no latency.  `loose`: the line's text may not be Unicode (check it); `complete`: a
        finished response, not a stream's start alone."""
        if isinstance(usage, dict) and usage.get("iterations"):
            usage_values(usage)  # the top-level fields are checked even when not billed
        msg_id = message.get("id")
        req_id = wrapper.get("request_id") or message.get("_request_id")
        model = message.get("model") or (wrapper.get("request") or {}).get("model")
        if not isinstance(model, str) or not model:
            raise BadRecord("message has no model")
        if msg_id is not None and not isinstance(msg_id, str):
            raise BadRecord(f"message id is not a string: {msg_id!r}")
        key = (
            f"msg:{msg_id}" if msg_id else f"req:{req_id}" if req_id else f"line:{self.path}:{line}"
        )
        tags = tags if isinstance(tags, dict) else {}
        role = str(tags.get("agent_role", "")).lower()
        tail = (
            tags.get("project") if isinstance(tags.get("project"), str) else None,
            _str_or_none(tags.get("session_id") or wrapper.get("session_id")),
            workload_from_tags(tags, self.options.workload_tags),
            role in ("subagent", "sub-agent", "worker")
            or tags.get("subagent") in (True, "true", "1"),
            _str_or_none(tags.get("agent_id")),
            _TAGS.encode(capped_tags(tags)) if tags else None,
        )
        rows = []
        for unit in billing_units(usage, model):
            main = unit.suffix is None
            # A tuple in COLUMNS order (records.table_from_tuples), flush_rows at a time.
            row = (
                key if main else f"{key}#{unit.suffix}",
                NAME,
                self.path,
                line,
                ts or self.fallback_ts,
                unit.model.lower().removesuffix("[1m]"),
                "anthropic",
                None,
                msg_id,
                req_id if isinstance(req_id, str) else None,
                *usage_values(unit.usage),
                *tail,
                latency if main else None,
                ttft if main else None,
                complete,
            )
            if loose:
                check_text(row)
            rows.append(row)
        self.rows.extend(rows)
        self.lines.extend([line] * len(rows))
        if len(self.rows) >= self.flush_rows:
            self.flush()


def _where(table: Records, mask: list[bool]) -> Records:
    """The rows of `table` where `mask` is true (rare: rows after a stream left open)."""
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    kept: Records = table.filter(pa.array(mask, type=pa.bool_()))
    return kept
