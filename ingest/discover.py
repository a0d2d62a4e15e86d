"""Find log files under the paths the user gave, and work out what is new in each."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from switchcost.ingest.errors import InputError
from switchcost.ingest.head import Head as Head
from switchcost.ingest.head import read_head as read_head
from switchcost.ingest.tasks import QUIET_SECONDS, FileTask, byte_at

__all__ = ["Head", "InputError", "Tree", "plan", "read_head", "snapshot", "walk"]

HEAD_BYTES = 4096  # hashed to tell a replaced file from a grown one (detection: ingest/head.py)
SUFFIXES = (".jsonl", ".ndjson", ".log", ".json", ".csv")


@dataclass(frozen=True)
class FileState:
    """What the database remembers of a file from earlier runs."""

    path: str
    format: str
    size: int
    mtime: float
    bytes_done: int
    lines_done: int
    head_hash: str
    resets: int

    def unchanged(self, size: int, mtime: float) -> bool:
        """Same size and modification time as when it was last read: nothing to read now."""
        return size == self.size and mtime == self.mtime


def _kind(mode: int) -> str:
    """What a path that is not a regular file or folder is, in words."""
    for test, name in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _unreadable(err: OSError, link: bool) -> str:
    if err.errno == errno.ELOOP:
        return "a symbolic link loop"
    if link and err.errno == errno.ENOENT:
        return "a broken symbolic link (its target does not exist)"
    return f"cannot be read: {err.strerror or err}"


def _given(given: Path) -> tuple[Path, os.stat_result]:
    """A path the user named, and its stat (through symlinks); one clear error if it has none."""
    path = given.expanduser()
    try:
        return path, path.stat()
    except OSError as err:
        if err.errno == errno.ENOENT and not path.is_symlink():
            raise InputError(f"{given}: no such file or directory") from None
        raise InputError(f"{given}: {_unreadable(err, path.is_symlink())}") from None


def _candidates(
    paths: list[Path],
    dirs: dict[str, int] | None = None,
    skipped: list[tuple[str, str]] | None = None,
) -> dict[str, os.stat_result]:
    """Each candidate file's full path and stat: directories walked with scandir, which
    carries the name and type of each entry, so thousands of files cost one stat each.
    `dirs`, when given, receives each walked directory's mtime (ns), read before listing it;
    `skipped` receives each path that is not read, with why (a FIFO, a device, a symbolic
    link loop or a broken link with a log's name, a folder that cannot be listed)."""
    found: dict[str, os.stat_result] = {}
    skip = skipped if skipped is not None else []
    for given in paths:
        path, st = _given(given)
        root = os.path.realpath(path)
        if stat.S_ISREG(st.st_mode):
            found[root] = st
            continue
        if not stat.S_ISDIR(st.st_mode):
            skip.append((str(path), _kind(st.st_mode)))
            continue
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                if dirs is not None:
                    dirs[folder] = os.stat(folder).st_mtime_ns
                with os.scandir(folder) as entries:
                    for entry in entries:
                        _entry(entry, stack, found, skip)
            except OSError as err:
                skip.append((folder, f"folder {_unreadable(err, False)}"))
    return found


def _entry(
    entry: os.DirEntry[str],
    stack: list[str],
    found: dict[str, os.stat_result],
    skip: list[tuple[str, str]],
) -> None:
    """Sort one directory entry: a folder to walk, a candidate file, or a skipped path."""
    link = entry.is_symlink()
    if entry.is_dir(follow_symlinks=False):
        if not entry.name.startswith("."):  # like os.walk: hidden folders are not entered
            stack.append(entry.path)
        return
    if not entry.name.endswith(SUFFIXES):
        return  # symlinked folders (not entered, like os.walk) and other files
    try:
        st = entry.stat()  # through a symlink
    except OSError as err:
        skip.append((entry.path, _unreadable(err, link)))
        return
    if stat.S_ISREG(st.st_mode):
        found[entry.path] = st
    elif not stat.S_ISDIR(st.st_mode):
        skip.append((entry.path, _kind(st.st_mode)))


def snapshot(
    paths: list[Path],
    dirs: dict[str, int] | None = None,
    skipped: list[tuple[str, str]] | None = None,
) -> list[tuple[str, int, int]]:
    """(path, size, mtime in ns) of every candidate file, sorted: what the stamp compares."""
    found = _candidates(paths, dirs, skipped)
    return [(p, found[p].st_size, found[p].st_mtime_ns) for p in sorted(found)]


@dataclass(frozen=True)
class Tree:
    """The shape of a walk: the paths given, each directory walked with its mtime (read before
    it was listed), and when the walk started.  While no directory's mtime has changed, no
    file was added, removed or renamed, so the walk would find the same files.  `skipped`:
    the paths the walk passed over, with why (see `_candidates`)."""

    roots: list[str]
    dirs: dict[str, int]
    started_ns: int
    skipped: list[tuple[str, str]] = field(default_factory=list)


def roots(paths: list[Path]) -> list[str]:
    # realpath, not Path.resolve: it never raises, even on a symbolic link loop
    return [os.path.realpath(p.expanduser()) for p in paths]


def walk(paths: list[Path]) -> tuple[list[tuple[str, int, int]], Tree]:
    """`snapshot` and the tree it walked."""
    started = time.time_ns()
    dirs: dict[str, int] = {}
    skipped: list[tuple[str, str]] = []
    files = snapshot(paths, dirs, skipped)
    return files, Tree(roots(paths), dirs, started, sorted(skipped))


def head_hash(path: Path, length: int) -> str:
    with path.open("rb") as fh:
        return hashlib.blake2b(fh.read(length), digest_size=16).hexdigest()


def last_line_end(path: Path, size: int) -> int:
    """Offset just past the last newline: a trailing line without one may still be written."""
    if size == 0:
        return 0
    with path.open("rb") as fh:
        pos = size
        step = 4096  # most files end in a newline: one small read settles it
        while pos > 0:
            step = min(step, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            idx = chunk.rfind(b"\n")
            if idx >= 0:
                return pos - step + idx + 1
            pos -= step
            step = 65536
    return 0


def plan(
    path: Path, state: FileState | None, *, whole_file: bool = False, now: float | None = None
) -> tuple[FileTask | None, bool]:
    """The byte range to read now, and whether the file was replaced or truncated.

    A `whole_file` format (a CSV with its header, a JSON document) has no meaningful byte
    offset: when it changed at all it is read again from the start, to its last byte.

    A last line without a newline is left for later (it may still be written) unless the file
    has not changed for QUIET_SECONDS: then the range runs to the file's size (`open_end`) and
    the reader takes that line (a record if it parses, else a malformed line).  A later append
    is read from just past it; a newline the writer puts first only closes that line.
    """
    info = path.stat()
    if state is not None and state.unchanged(info.st_size, info.st_mtime):
        return None, False
    now = time.time() if now is None else now
    size = info.st_size
    seen = (size, info.st_mtime)
    if whole_file:
        return (FileTask(path, 0, size, 0, *seen) if size > 0 else None), False
    end = last_line_end(path, size)
    open_end = end < size and now - info.st_mtime > QUIET_SECONDS
    if open_end:
        end = size

    def task(start: int, line: int) -> FileTask | None:
        return FileTask(path, start, end, line, *seen, open_end=open_end) if end > start else None

    if state is None:
        return task(0, 0), False
    known = min(HEAD_BYTES, state.bytes_done)
    replaced = size < state.bytes_done or head_hash(path, known) != state.head_hash
    if replaced:
        return task(0, 0), True
    start = state.bytes_done
    if start > 0 and byte_at(path, start - 1) != b"\n" and byte_at(path, start) == b"\n":
        start += 1  # the last run took an unterminated last line; this newline ends it
    return task(start, state.lines_done), False
