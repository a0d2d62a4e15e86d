"""A byte range to read, and a line that could not be read: no pyarrow, so planning is cheap."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileTask:
    """Read `path` from byte `start` (line `start_line` + 1) up to byte `end` (a line end)."""

    path: Path
    start: int
    end: int
    start_line: int
    # The file's size and mtime when the range was planned: what the run records, so a file
    # that grows while it is read still differs next time.
    size: int
    mtime: float


@dataclass(frozen=True)
class Malformed:
    path: str
    line: int
    reason: str
