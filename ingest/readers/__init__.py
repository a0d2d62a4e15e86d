"""One reader per log format, all the same shape, listed in one registry.

A reader is a module with `NAME`, `detect(path, head) -> bool` and
`read(tasks, options) -> ReadResult`.  Auto-detection asks each reader in registry order.
Optional: `WHOLE_FILE` (a changed file is read again from its start) and `RANGE_BYTES` (a
larger file is read in ranges, each merged before the next; see `ingest.tasks`).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Protocol

from ingest.readers import (
    batch_results,
    bedrock,
    claude_code,
    console_csv,
    helicone,
    litellm,
    messages,
    otel,
    vertex,
)
from ingest.records import FileTask, ReadOptions, ReadResult


class Reader(Protocol):
    NAME: str

    def detect(self, path: Path, head: bytes) -> bool: ...

    def read(self, tasks: list[FileTask], options: ReadOptions) -> ReadResult: ...


REGISTRY: dict[str, ModuleType] = {
    claude_code.NAME: claude_code,
    # Before `messages`: their lines embed Message objects that `messages` would also claim.
    batch_results.NAME: batch_results,
    bedrock.NAME: bedrock,
    vertex.NAME: vertex,
    litellm.NAME: litellm,
    helicone.NAME: helicone,
    otel.NAME: otel,
    console_csv.NAME: console_csv,
    messages.NAME: messages,
}


def detect(path: Path, head: bytes) -> str | None:
    """The name of the first reader that recognises this file, or None."""
    for name, reader in REGISTRY.items():
        if reader.detect(path, head):
            return name
    return None
