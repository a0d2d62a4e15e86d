"""One reader per log format, all the same shape, listed in one registry.

A reader is a module with `NAME`, `detect(path, head) -> bool` and
`read(tasks, options) -> ReadResult`.  Auto-detection asks each reader in registry order.
`head` is an `ingest.head.Head`: bytes made of the first lines' kept ends (so substring tests
work), whose `lines` give each of the first non-blank lines whole: its first and last KiB and
the markers found anywhere in it, however long it is (`ingest.head.as_head` turns plain bytes
into one).
Optional: `WHOLE_FILE` (a changed file is read again from its start) and `RANGE_BYTES` (a
larger file is read in ranges, each merged before the next; see `ingest.tasks`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from switchcost.ingest.head import as_head
from switchcost.ingest.readers import (
    batch_results,
    bedrock,
    claude_code,
    console_csv,
    helicone,
    litellm,
    messages,
    otel,
    otlp_logs,
    vertex,
)
from switchcost.ingest.records import FileTask, ReadOptions, ReadResult
from switchcost.ingest.summary import EMPTY


class Reader(Protocol):
    """What every reader module provides; mypy checks each module in REGISTRY against it.
    (Console CSV's `read` returns a `BucketResult`, a ReadResult of daily aggregates: see
    ingest/readers/console_csv.py for why it is loaded into bucket tables, not requests.)"""

    NAME: str

    def detect(self, path: Path, head: bytes) -> bool: ...

    def read(self, tasks: list[FileTask], options: ReadOptions) -> ReadResult: ...


REGISTRY: dict[str, Reader] = {
    claude_code.NAME: claude_code,
    # Before `messages`: their lines embed Message objects that `messages` would also claim.
    batch_results.NAME: batch_results,
    bedrock.NAME: bedrock,
    vertex.NAME: vertex,
    litellm.NAME: litellm,
    helicone.NAME: helicone,
    otel.NAME: otel,
    otlp_logs.NAME: otlp_logs,
    console_csv.NAME: console_csv,
    messages.NAME: messages,
}


def detect(path: Path, head: bytes) -> str | None:
    """The name of the first reader that recognises this file, or None."""
    for name, reader in REGISTRY.items():
        if reader.detect(path, head):
            return name
    return None


def skip_reason(path: Path, head: bytes, size: int) -> str:
    """Why `detect` found no format for this file of `size` bytes, in words for the summary."""
    lines = as_head(head).lines
    if not lines:
        return EMPTY if size == 0 else "only blank lines"
    if path.suffix == ".jsonl" and "projects" in path.parts:
        which = "its only line has" if len(lines) == 1 else f"its first {len(lines)} lines have"
        return (
            "not a recognised log format: it sits under a projects/ folder like a Claude Code"
            f" transcript, but {which} no sessionId"
        )
    return "not a recognised log format"
