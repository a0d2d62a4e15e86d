"""The inputs of the last completed ingest, so a scheduled run with nothing new stays cheap.

After a run commits, the loader writes `<db>.ingest-stamp`: a digest of every input file's
path, size and modification time as they were when the run started, and the database file's
size, modification time and inode once it was closed.  A later run over the same paths whose
files and database both still match has nothing to read, and says so without opening the
database (or importing DuckDB).  Anything else - a changed, new or removed file, another
command that wrote the database, a different --format - takes the full path, which is always
correct; the stamp only ever skips work that the full path would find empty.  No stamp is
written while a file is only partly read (an unfinished stream waits for time, not for bytes).

The stamp also keeps the tree the run walked (`discover.Tree`) and its file list, so the next
run can skip the walk itself: while every directory keeps its mtime, no file was added, removed
or renamed, and a `stat` of each known file gives what the walk would (`files_if_unchanged`).
A directory whose mtime was within two seconds of the walk is not trusted to that (a coarse
clock could hide an entry added in the same tick), and the walk is done again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchcost.ingest.discover import Tree, roots
from switchcost.queries.location import file_identity

VERSION = 2
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Stamp:
    inputs: str
    skipped: list[tuple[str, str]]


def location(db: Path) -> Path:
    return db.with_name(db.name + ".ingest-stamp")


def inputs_digest(files: list[tuple[str, int, int]], fmt: str) -> str:
    """Digest of the file list with each file's size and mtime (taken before reading)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{VERSION}\0{fmt}\n".encode())
    for path, size, mtime_ns in files:
        digest.update(f"{path}\0{size}\0{mtime_ns}\n".encode())
    return digest.hexdigest()


def _db_identity(db: Path) -> list[int] | None:
    """Size, mtime and inode of a closed database; None while it has a write-ahead log."""
    if os.path.exists(str(db) + ".wal"):
        return None
    identity = file_identity(db)
    return list(identity) if identity is not None else None  # as it reads back from JSON


def _stored(db: Path) -> dict[str, Any] | None:
    """The stamp as this version writes it, or None.  A quiet run asks twice (for the file list,
    then for the match): the file is read and parsed once while it stays the same file."""
    where = location(db)
    return _parse(str(where), file_identity(where))


@functools.lru_cache(maxsize=4)
def _parse(where: str, identity: tuple[int, int, int] | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    try:
        stored = json.loads(Path(where).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored if isinstance(stored, dict) and stored.get("version") == VERSION else None


def matching(db: Path, digest: str) -> Stamp | None:
    """The stored stamp if it still describes these inputs and this database, else None."""
    stored = _stored(db)
    identity = _db_identity(db)
    if (
        stored is None
        or stored.get("inputs") != digest
        or identity is None
        or stored.get("db") != identity
    ):
        return None
    return Stamp(digest, [(str(p), str(w)) for p, w in stored.get("skipped", [])])


def files_if_unchanged(
    db: Path, paths: list[Path]
) -> tuple[list[tuple[str, int, int]], Tree] | None:
    """`discover.walk(paths)` without walking, when the last stamp's tree is unchanged.

    Only the file list is reused: each file is stat'ed now, so a file that grew is seen.
    """
    stored = _stored(db)
    if stored is None or "tree" not in stored:
        return None
    try:
        tree = stored["tree"]
        if tree["roots"] != roots(paths):
            return None
        for folder, mtime_ns in tree["dirs"].items():
            if os.stat(folder).st_mtime_ns != mtime_ns:
                return None
        out = []
        for path in tree["files"]:
            st = os.stat(path)
            out.append((path, st.st_size, st.st_mtime_ns))
        skipped = [(str(p), str(w)) for p, w in tree.get("skipped", [])]
        same = Tree(list(tree["roots"]), dict(tree["dirs"]), int(tree["started_ns"]), skipped)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return out, same


def write(
    db: Path,
    digest: str,
    skipped: list[tuple[str, str]],
    tree: Tree | None = None,
    files: list[tuple[str, int, int]] | None = None,
) -> None:
    """Record a completed run (atomically: a reader sees the old stamp or the new one)."""
    identity = _db_identity(db)
    target = location(db)
    if identity is None:
        clear(db)
        return
    tmp = target.with_name(target.name + ".tmp")
    payload: dict[str, object] = {
        "version": VERSION,
        "inputs": digest,
        "db": identity,
        "skipped": skipped,
    }
    if tree is not None and files is not None:
        racy = tree.started_ns - RACY_NS
        if all(mtime_ns < racy for mtime_ns in tree.dirs.values()):
            payload["tree"] = {
                "roots": tree.roots,
                "started_ns": tree.started_ns,
                "dirs": tree.dirs,
                "files": [path for path, _, _ in files],
                "skipped": tree.skipped,
            }
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, target)


def clear(db: Path) -> None:
    location(db).unlink(missing_ok=True)
