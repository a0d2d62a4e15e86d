"""How the Claude Code reader hands its input to DuckDB: whole small files by path, everything
else as byte ranges in memory, in batches small enough that a parse always fits the reader's
memory pool, whatever the size of a file, of an append, or of one line.

Nothing is written to disk: the ranges hold prompt text, which never leaves the user's own
files.  A line longer than `GIANT_LINE` (a pasted file, a large tool result or a large
response) is never handed to DuckDB whole: Python parses it alone and passes on only the
fields the reader uses (envelope, message id, model, role and usage), so its content never
sits in DuckDB's pool, and the line keeps its number.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from switchcost.ingest.readers.messages import BadRecord, load_object
from switchcost.ingest.records import FileTask, Malformed

# One DuckDB query takes about this many bytes, as rows of at most a few MB each (whole small
# files, or pieces of larger ones).  A query's peak is about 1.5 times its input when its rows
# are small (about 3.5 times its largest row); pieces held in memory also sit in a table for the
# query's length.  Two queries run at once (one per core) within the reader's 128 MB pool;
# larger batches mean fewer queries (each costs ~40 ms to plan).
BATCH_BYTES = int(os.environ.get("SWITCHCOST_CC_BATCH_BYTES", 24 * 1024 * 1024))
RANGE_BATCH_BYTES = int(os.environ.get("SWITCHCOST_CC_RANGE_BATCH_BYTES", 8 * 1024 * 1024))
# A whole file up to this size is read by DuckDB from its path; larger ones, and the appended
# part of a file, are read here in pieces of about PIECE_BYTES.
WHOLE_FILE_BYTES = int(os.environ.get("SWITCHCOST_CC_WHOLE_BYTES", 4 * 1024 * 1024))
PIECE_BYTES = int(os.environ.get("SWITCHCOST_CC_PIECE_BYTES", 2 * 1024 * 1024))
# Lines longer than this are shrunk in Python before DuckDB sees them.
GIANT_LINE = int(os.environ.get("SWITCHCOST_CC_GIANT_LINE", 1024 * 1024))

# What the reader reads of a line (see claude_code_sql.COLUMNS); the rest is dropped.
_ENVELOPE = (
    "type",
    "timestamp",
    "sessionId",
    "isSidechain",
    "agentId",
    "requestId",
    "isApiErrorMessage",
)
_MESSAGE = ("id", "role", "model", "usage")


@dataclass
class Job:
    """One query's input: whole files by path, or pieces of byte ranges in memory."""

    paths: list[str]
    fis: list[int]  # the task of each path, or of each piece
    firsts: list[int] | None = None  # pieces: the number of each piece's first line in its task
    data: list[bytes] | None = None  # pieces: each piece's lines, without the last line end


def whole_jobs(tasks: list[FileTask], which: list[int]) -> list[Job]:
    """Whole files in batches of about BATCH_BYTES, largest first (they pace a run)."""
    jobs: list[Job] = []
    size = BATCH_BYTES
    for i in sorted(which, key=lambda i: -(tasks[i].end - tasks[i].start)):
        if size >= BATCH_BYTES:
            jobs.append(Job([], []))
            size = 0
        jobs[-1].paths.append(str(tasks[i].path))
        jobs[-1].fis.append(i)
        size += tasks[i].end - tasks[i].start
    return jobs


def pieces(task: FileTask, size: int) -> Iterator[bytes]:
    """The task's bytes in pieces of about `size`, each ending at a line end (a piece holds
    at least one whole line, however long)."""
    with task.path.open("rb") as fh:
        fh.seek(task.start)
        left = task.end - task.start
        parts: list[bytes] = []
        while left > 0:
            block = fh.read(min(size, left))
            if not block:
                break
            left -= len(block)
            cut = block.rfind(b"\n") + 1
            if not cut:  # still inside one long line: keep its parts, join once
                parts.append(block)
                continue
            head = b"".join([*parts, block[:cut]]) if parts else block[:cut]
            parts = [block[cut:]] if cut < len(block) else []
            yield head
        if parts:  # a task ends at a line end, so only if the file shrank meanwhile
            yield b"".join(parts)


def shrink(raw: bytes) -> bytes:
    """A giant line reduced to the fields the reader uses, as one compact JSON object.
    Raises BadRecord when it is not one JSON object."""
    import orjson

    obj = load_object(raw)
    small: dict[str, Any] = {k: obj[k] for k in _ENVELOPE if k in obj}
    message = obj.get("message")
    if isinstance(message, dict):
        small["message"] = {k: message[k] for k in _MESSAGE if k in message}
    elif "message" in obj:
        small["message"] = message
    return orjson.dumps(small)


def _long_lines(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every line in `data` longer than GIANT_LINE.  Any such line contains a
    whole aligned window of GIANT_LINE // 2 bytes with no line end, so a few `find` calls per
    piece settle it; only the windows without one are looked at closely."""
    found: list[tuple[int, int]] = []
    step = max(GIANT_LINE // 2, 1)
    pos = 0
    while pos < len(data):
        if data.find(b"\n", pos, pos + step) >= 0:
            pos += step
            continue
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        if end - start > GIANT_LINE and (not found or found[-1] != (start, end)):
            found.append((start, end))
        pos = end + 1
    return found


@dataclass
class Ranges:
    """Byte ranges of several tasks collected into in-memory batches of about RANGE_BATCH_BYTES."""

    jobs: list[Job] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    _fis: list[int] = field(default_factory=list)
    _firsts: list[int] = field(default_factory=list)
    _data: list[bytes] = field(default_factory=list)
    _size: int = 0

    def add(self, i: int, task: FileTask) -> None:
        """Add task `i`'s byte range, a piece at a time (a huge file is never held whole).

        A response whose lines straddle two batches comes out once per batch; the reader
        merges the copies of one task.
        """
        for _ in self._add(i, task):
            pass

    def stream(self, items: list[tuple[int, FileTask]]) -> Iterator[Job]:
        """The jobs of these tasks' ranges, each read when asked for: only the batches being
        scanned are held, not every range of the chunk (a chunk of large sessions held them
        all, 664 MiB at peak for 1.1 GB of them)."""
        for i, task in items:
            for _ in self._add(i, task):
                yield from self._take()
        self.flush()
        yield from self._take()

    def _take(self) -> list[Job]:
        jobs, self.jobs = self.jobs, []
        return jobs

    def _add(self, i: int, task: FileTask) -> Iterator[None]:
        """`add`, pausing after each batch it completes."""
        for data in pieces(task, PIECE_BYTES):
            before = self.lines.get(i, 0)
            data = self._mend(task, data, before).removesuffix(b"\n")
            if self._size + len(data) > RANGE_BATCH_BYTES:
                self.flush()
                yield
            self.lines[i] = before + data.count(b"\n") + 1
            self._fis.append(i)
            self._firsts.append(before + 1)
            self._data.append(data)
            self._size += len(data)

    def _mend(self, task: FileTask, data: bytes, before: int) -> bytes:
        """Shrink giant lines, and blank lines that are not UTF-8 or not JSON (naming them):
        line numbers stay put."""
        if not _long_lines(data):
            try:
                data.decode("utf-8")
                return data
            except UnicodeDecodeError:
                pass
        lines = data.split(b"\n")
        for n, line in enumerate(lines, 1):
            where = task.start_line + before + n
            try:
                line.decode("utf-8")
                if len(line) > GIANT_LINE:
                    lines[n - 1] = shrink(line)
            except (UnicodeDecodeError, BadRecord) as err:
                reason = str(err) if isinstance(err, BadRecord) else reason_for(line)
                self.malformed.append(Malformed(str(task.path), where, reason))
                lines[n - 1] = b""
        return b"\n".join(lines)

    def flush(self) -> None:
        if self._fis:
            self.jobs.append(Job([], self._fis, self._firsts, self._data))
        self._fis, self._firsts, self._data, self._size = [], [], [], 0


def reason_for(raw: bytes) -> str:
    """Why this line is not a usable JSON object (DuckDB reports only that it is not)."""
    try:
        load_object(raw)
    except BadRecord as err:
        return str(err)
    return "a field has the wrong type"
