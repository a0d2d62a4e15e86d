"""A byte range to read, and a line that could not be read: no pyarrow, so planning is cheap."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from switchcost.ingest.redact import redact

# A reader that sets RANGE_BYTES (every JSON-lines reader but Claude Code's, which parses in
# DuckDB) has files larger than this read and merged in ranges, each loaded before the next is
# read: what it holds at once, and what the writer merges at once, stay bounded.
RANGE_BYTES = int(os.environ.get("SWITCHCOST_RANGE_BYTES", 32 * 1024 * 1024))
# A file unchanged for longer than this is no longer being written: its last line, even without
# a newline, is read (planning), and a stream left open in it is final (the Messages API
# reader's STALE_STREAM_SECONDS should be this constant).  One hour.
QUIET_SECONDS = 3600


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
    # True when the loader cut the planned range short to bound memory (more follows in this
    # run, from where the reader stopped): not the end of what the file holds now.
    cut: bool = False
    # True when the range ends with a last line that has no newline, read because the file
    # has been quiet for QUIET_SECONDS (`end` is then the file's size, not a line end).
    open_end: bool = False


@dataclass(frozen=True)
class Malformed:
    """A line that could not be read.  The reason is redacted (key-looking values masked) and
    capped at `ingest.redact.MAX_CHARS` here, the one place every reason passes through before
    it reaches stderr, the malformed_lines table or the Data page."""

    path: str
    line: int
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", redact(str(self.reason)))


def task_lines(task: FileTask) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes without the newline) of each line in the task's range,
    read as a stream: a log is never held whole (nor split into a list of every line).  A last
    line cut by the range's end (the file changed since it was planned) ends at the range."""
    line = task.start_line
    offset = task.start
    with task.path.open("rb") as fh:
        fh.seek(task.start)
        while offset < task.end:
            raw = fh.readline(task.end - offset)
            if not raw:
                break
            line += 1
            here = offset
            offset += len(raw)
            yield line, here, raw[:-1] if raw.endswith(b"\n") else raw


def line_end_after(path: Path, pos: int, end: int) -> int:
    """Offset just past the first newline at or after `pos`, at most `end`."""
    with path.open("rb") as fh:
        fh.seek(pos)
        while pos < end:
            block = fh.read(min(65536, end - pos))
            if not block:
                return end
            idx = block.find(b"\n")
            if idx >= 0:
                return pos + idx + 1
            pos += len(block)
    return end


def count_newlines(path: Path, start: int, end: int) -> int:
    """How many newlines the bytes [start, end) of `path` hold (read in blocks)."""
    count = 0
    with path.open("rb") as fh:
        fh.seek(start)
        while start < end:
            block = fh.read(min(1 << 20, end - start))
            if not block:
                break
            count += block.count(b"\n")
            start += len(block)
    return count


def byte_at(path: Path, pos: int) -> bytes:
    """The byte at offset `pos` of `path` (b"" past its end)."""
    with path.open("rb") as fh:
        fh.seek(pos)
        return fh.read(1)
