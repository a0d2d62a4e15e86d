"""The first lines of a file, as format detection sees them: whole lines, never a cut one.

A log line can be tens of MiB (Claude Code writes a pasted file or a large tool result on one
line, and puts `uuid` after `message`), so the first few KiB of a file may not hold one whole
line.  `read_head` streams each of the first `HEAD_LINES` non-blank lines in blocks and keeps,
per line, its first and last `LINE_KEEP` bytes and which `MARKERS` occur anywhere in it: a
50 MiB line costs a read, never 50 MiB of memory.

`Head` is `bytes` (each kept line, first part then last part, joined by newlines), so a reader's
`detect(path, head)` that tests substrings of the head keeps working; `head.lines` gives the
per-line view with the markers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

HEAD_LINES = 5  # non-blank lines examined
LINE_KEEP = 16 * 1024  # bytes kept of each end of a line
BLOCK = 64 * 1024
# A "line" longer than this (a binary file with no newline) is examined up to here only.
LINE_SCAN_MAX = 256 * 1024 * 1024
MAX_BLANK = 1000  # blank lines skipped before giving up on finding content
# Found anywhere in a line, however long (JSON keys as compact JSON writes them).
MARKERS = (
    '"sessionId"',
    '"uuid"',
    '"message"',
    '"usage"',
    '"model"',
    '"type":"assistant"',
    '"message_start"',
    "gen_ai.",
)
_MARKER_BYTES = tuple(m.encode() for m in MARKERS)
_OVERLAP = max(len(m) for m in _MARKER_BYTES) - 1


@dataclass(frozen=True)
class HeadLine:
    """One line of a file's head: its ends, its length and the markers found in it."""

    first: bytes  # the first LINE_KEEP bytes (the whole line when it is short)
    last: bytes  # the last LINE_KEEP bytes after `first` (empty when the line fits in `first`)
    size: int  # the line's length without its newline
    ended: bool  # a newline ends it (False: the file ends mid-line, or it is too long to scan)
    markers: frozenset[str]

    @property
    def text(self) -> str:
        """The kept bytes as text (the whole line when it is at most 2 x LINE_KEEP bytes)."""
        return (self.first + self.last).decode("utf-8", errors="replace")

    @property
    def whole(self) -> bool:
        return self.size == len(self.first) + len(self.last)

    def has(self, needle: str) -> bool:
        """`needle` occurs in the line: one of MARKERS anywhere, anything else in its ends."""
        if needle in MARKERS:
            return needle in self.markers
        return needle in self.text


class Head(bytes):
    """The kept bytes of the first lines (for substring tests), with `lines` for the rest."""

    lines: tuple[HeadLine, ...]

    def __new__(cls, lines: tuple[HeadLine, ...] | list[HeadLine]) -> Head:
        obj = super().__new__(cls, b"\n".join(ln.first + ln.last for ln in lines))
        obj.lines = tuple(lines)
        return obj


def _markers(text: bytes) -> frozenset[str]:
    return frozenset(m for m, b in zip(MARKERS, _MARKER_BYTES, strict=True) if b in text)


def as_head(head: bytes) -> Head:
    """`head` itself when it is a Head; plain bytes (a test's, a caller's) split into lines."""
    if isinstance(head, Head):
        return head
    lines = [ln for ln in head.split(b"\n") if ln.strip()][:HEAD_LINES]
    return Head([HeadLine(ln, b"", len(ln), True, _markers(ln)) for ln in lines])


def _line(fh: BinaryIO, budget: int) -> tuple[HeadLine | None, bool]:
    """The next line streamed from `fh` in blocks: (its HeadLine, None at end of file; whether
    it is blank)."""
    first = bytearray()
    last = b""
    size = 0
    carry = b""
    found: set[str] = set()
    ended = False
    while size < budget:
        block = fh.readline(min(BLOCK, budget - size))
        if not block:
            break
        if block.endswith(b"\n"):
            block = block[:-1]
            ended = True
        window = carry + block
        found.update(m for m, b in zip(MARKERS, _MARKER_BYTES, strict=True) if b in window)
        carry = window[-_OVERLAP:]
        take = max(0, LINE_KEEP - len(first))
        first += block[:take]
        rest = block[take:]
        if rest:
            last = (last + rest)[-LINE_KEEP:]
        size += len(block)
        if ended:
            break
    if size == 0 and not ended:
        return None, False
    blank = not found and not (bytes(first) + last).strip()
    return HeadLine(bytes(first), last, size, ended, frozenset(found)), blank


def read_head(path: Path) -> Head:
    """The first HEAD_LINES non-blank lines of `path`, each read to its end (see module doc)."""
    lines: list[HeadLine] = []
    blanks = 0
    with path.open("rb") as fh:
        while len(lines) < HEAD_LINES and blanks <= MAX_BLANK:
            line, blank = _line(fh, LINE_SCAN_MAX)
            if line is None:
                break
            if blank:
                blanks += 1
                continue
            lines.append(line)
            if not line.ended:
                break  # the end of the file, or a line too long to scan: nothing follows
    return Head(lines)
