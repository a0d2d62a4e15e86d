"""The inputs of the last completed ingest, so a scheduled run with nothing new stays cheap.

After a run commits, the loader writes `<db>.ingest-stamp`: a digest of every input file's
path, size and modification time as they were when the run started, and the database file's
size, modification time and inode once it was closed.  A later run over the same paths whose
files and database both still match has nothing to read, and says so without opening the
database (or importing DuckDB).  Anything else - a changed, new or removed file, another
command that wrote the database, a different --format - takes the full path, which is always
correct; the stamp only ever skips work that the full path would find empty.  No stamp is
written while a file is only partly read (an unfinished stream waits for time, not for bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

VERSION = 1


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
    try:
        st = db.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def matching(db: Path, digest: str) -> Stamp | None:
    """The stored stamp if it still describes these inputs and this database, else None."""
    try:
        stored = json.loads(location(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    identity = _db_identity(db)
    if (
        not isinstance(stored, dict)
        or stored.get("version") != VERSION
        or stored.get("inputs") != digest
        or identity is None
        or stored.get("db") != identity
    ):
        return None
    return Stamp(digest, [(str(p), str(w)) for p, w in stored.get("skipped", [])])


def write(db: Path, digest: str, skipped: list[tuple[str, str]]) -> None:
    """Record a completed run (atomically: a reader sees the old stamp or the new one)."""
    identity = _db_identity(db)
    target = location(db)
    if identity is None:
        clear(db)
        return
    tmp = target.with_name(target.name + ".tmp")
    payload = {"version": VERSION, "inputs": digest, "db": identity, "skipped": skipped}
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, target)


def clear(db: Path) -> None:
    location(db).unlink(missing_ok=True)
