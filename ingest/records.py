"""The canonical request record every reader produces, and the bookkeeping types around it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# Re-exported: readers take these from here.
from ingest.tasks import FileTask as FileTask
from ingest.tasks import Malformed as Malformed

# Same names and order as the `requests` table (minus run_id, which the loader adds).
SCHEMA = pa.schema(
    [
        ("request_key", pa.string()),
        ("source", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("model", pa.string()),
        ("platform", pa.string()),
        ("endpoint_scope", pa.string()),
        ("message_id", pa.string()),
        ("request_id", pa.string()),
        ("input_tokens", pa.int64()),
        ("cache_write_5m", pa.int64()),
        ("cache_write_1h", pa.int64()),
        ("cache_read", pa.int64()),
        ("output_tokens", pa.int64()),
        ("web_search_requests", pa.int64()),
        ("cache_split_unknown", pa.bool_()),
        ("service_tier", pa.string()),
        ("speed", pa.string()),
        ("inference_geo", pa.string()),
        ("project", pa.string()),
        ("session_id", pa.string()),
        ("workload", pa.string()),
        ("is_subagent", pa.bool_()),
        ("agent_id", pa.string()),
        ("tags", pa.string()),
        ("latency_ms", pa.float64()),
        ("ttft_ms", pa.float64()),
    ]
)
COLUMNS = tuple(SCHEMA.names)
DEFAULT_WORKLOAD_TAGS = ("workload", "feature", "app")


@dataclass
class ReadResult:
    """What a reader found in its tasks.

    `resume` maps each path to (bytes consumed, lines consumed): where the next run starts.
    A reader may stop short of the task's end (an unfinished stream), never beyond it.
    """

    table: pa.Table
    malformed: list[Malformed] = field(default_factory=list)
    error_records: int = 0
    resume: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadOptions:
    workload_tags: tuple[str, ...] = DEFAULT_WORKLOAD_TAGS


def empty_table() -> pa.Table:
    """No records.  (Not `SCHEMA.empty_table()`: that makes pyarrow import pandas, 0.3 s.)"""
    return pa.Table.from_batches([], schema=SCHEMA)


def workload_from_tags(tags: dict[str, object] | None, keys: tuple[str, ...]) -> str | None:
    """The documented rule: the first of `keys` present (non-empty) in the tags."""
    if not tags:
        return None
    for key in keys:
        value = tags.get(key)
        if value not in (None, ""):
            return str(value)
    return None
