"""The canonical request record every reader produces, and the bookkeeping types around it.

Records travel from a reader to the loader as an Arrow C stream (`Records`): a pyarrow Table
is one, and so is a DuckDB relation, so the Claude Code reader hands its rows over without
importing pyarrow (0.44 s and about 48 MB on every run that reads anything).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

# Re-exported: readers take these from here.
from switchcost.ingest.tasks import RANGE_BYTES as RANGE_BYTES
from switchcost.ingest.tasks import FileTask as FileTask
from switchcost.ingest.tasks import Malformed as Malformed
from switchcost.ingest.tasks import task_lines as task_lines

if TYPE_CHECKING:
    import pyarrow as pa

# The `requests` table's columns (minus run_id, which the loader adds); the loader inserts by
# name.
_FIELDS = (
    ("request_key", "string"),
    ("source", "string"),
    ("source_file", "string"),
    ("source_line", "int64"),
    ("ts", "timestamp"),
    ("model", "string"),
    ("platform", "string"),
    ("endpoint_scope", "string"),
    ("message_id", "string"),
    ("request_id", "string"),
    ("input_tokens", "int64"),
    ("cache_write_5m", "int64"),
    ("cache_write_1h", "int64"),
    ("cache_read", "int64"),
    ("output_tokens", "int64"),
    ("web_search_requests", "int64"),
    ("cache_split_unknown", "bool"),
    ("service_tier", "string"),
    ("speed", "string"),
    ("inference_geo", "string"),
    ("project", "string"),
    ("session_id", "string"),
    ("workload", "string"),
    ("is_subagent", "bool"),
    ("agent_id", "string"),
    ("tags", "string"),
    ("latency_ms", "float64"),
    ("ttft_ms", "float64"),
    # A completed copy of its call (a full Message, or a stream seen to its final delta): the
    # loader prefers it over an incomplete copy of the same key (migration 0004).
    ("complete", "bool"),
)
COLUMNS = tuple(name for name, _ in _FIELDS)


@functools.cache
def arrow_schema() -> pa.Schema:
    """The records' Arrow schema, for readers that build a pyarrow Table from Python rows."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "float64": pa.float64(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    return pa.schema([(name, types[kind]) for name, kind in _FIELDS])


class Records(Protocol):
    """Rows with the `COLUMNS` (by name; the loader casts), as an Arrow C stream."""

    @property
    def num_rows(self) -> int: ...

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


class NoRecords:
    """No rows (without pyarrow: its empty Table costs the import)."""

    num_rows = 0

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        import pyarrow as pa

        empty = pa.Table.from_batches([], schema=arrow_schema())
        return empty.__arrow_c_stream__(requested_schema)

    def close(self) -> None:
        """Nothing is held."""


DEFAULT_WORKLOAD_TAGS = ("workload", "feature", "app")


@dataclass
class ReadResult:
    """What a reader found in its tasks.

    `resume` maps each path to (bytes consumed, lines consumed): where the next run starts.
    A reader may stop short of the task's end (an unfinished stream), never beyond it.
    """

    table: Records
    malformed: list[Malformed] = field(default_factory=list)
    error_records: int = 0
    resume: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Every line consumed is one of: part of a response (a billed request, or a copy of one the
    # loader will count as a duplicate), an API error record, malformed, or other (a prompt, a
    # tool result, a summary, a blank line, an event of no billed stream).
    response_lines: int = 0
    other_lines: int = 0

    def close(self) -> None:
        """Release what the records hold (the Claude Code reader's DuckDB) once loaded."""
        close = getattr(self.table, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class ReadOptions:
    workload_tags: tuple[str, ...] = DEFAULT_WORKLOAD_TAGS


def empty_table() -> Records:
    """No records."""
    return NoRecords()


def table_from_rows(rows: list[dict[str, object]]) -> Records:
    """Python rows as records (pyarrow is imported only when there are rows)."""
    return table_from_tuples([tuple(r[c] for c in COLUMNS) for r in rows])


Row = tuple[object, ...]


def table_from_tuples(rows: list[Row]) -> Records:
    """Rows as tuples in `COLUMNS` order as records, built column by column: a 28-field tuple
    takes 264 bytes against a dict's 832, and one Arrow array per column converts in C."""
    if not rows:
        return empty_table()
    import pyarrow as pa

    schema = arrow_schema()
    columns = zip(*rows, strict=True)
    arrays = [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)]
    table: Records = pa.Table.from_arrays(arrays, schema=schema)
    return table


def concat_tables(tables: list[Records]) -> Records:
    """Records from several tables built by `table_from_tuples` (one schema)."""
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return empty_table()
    if len(tables) == 1:
        return tables[0]
    import pyarrow as pa

    joined: Records = pa.concat_tables(tables)
    return joined


def workload_from_tags(tags: dict[str, object] | None, keys: tuple[str, ...]) -> str | None:
    """The documented rule: the first of `keys` present (non-empty) in the tags."""
    if not tags:
        return None
    for key in keys:
        value = tags.get(key)
        if value not in (None, ""):
            return str(value)
    return None
