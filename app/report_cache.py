"""A finished JSON or CSV report, kept beside the database until anything it depends on changes.

A scheduled `ingest` + `report` that finds nothing new should cost little more than starting
Python, and importing DuckDB alone takes about 0.2 s.  So `report` keys its output on everything
the output is made from, checked with a few `stat` calls and no DuckDB: the database file and
its WAL (size, mtime, inode: DuckDB rewrites one of them on every commit), the price files in
force, switchcost's own code and SQL files, and the command's arguments.  Anything else gives a
new key and the report is computed again.  Table output is never cached (it depends on the
terminal).  `SWITCHCOST_REPORT_CACHE=0` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from switchcost.queries.location import file_identity, shipped_price_file, user_price_file

KEEP = 32  # newest entries kept per database
_CODE_DIRS = ("app", "queries")
_CODE_SUFFIXES = (".py", ".sql", ".toml")


def folder(db: Path) -> Path:
    return db.with_name(db.name + ".report-cache")


def _code_files() -> list[tuple[str, int, int]]:
    root = Path(__file__).resolve().parent.parent
    out = []
    for name in _CODE_DIRS:
        stack = [str(root / name)]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir():
                        if not entry.name.startswith((".", "__")):
                            stack.append(entry.path)
                    elif entry.name.endswith(_CODE_SUFFIXES):
                        st = entry.stat()
                        out.append((entry.path, st.st_size, st.st_mtime_ns))
    return sorted(out)


def key(db: Path, prices: Path | None, args: list[str]) -> str | None:
    """The cache key of this report now, or None when it must not be cached."""
    if os.environ.get("SWITCHCOST_REPORT_CACHE", "1") == "0":
        return None
    database = file_identity(db)
    if database is None:
        return None
    user = user_price_file(prices)
    parts = {
        "db": [str(db.resolve()), database, file_identity(db.with_name(db.name + ".wal"))],
        "prices": [
            file_identity(shipped_price_file()),
            str(user) if user else None,
            file_identity(user),
        ],
        "code": _code_files(),
        "args": args,
    }
    return hashlib.blake2b(json.dumps(parts).encode(), digest_size=16).hexdigest()


def get(db: Path, cache_key: str) -> str | None:
    try:
        return (folder(db) / cache_key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def put(db: Path, cache_key: str, text: str) -> None:
    """Store the output (atomically) and drop the oldest entries; never fails the report."""
    where = folder(db)
    try:
        where.mkdir(exist_ok=True)
        tmp = where / f".{cache_key}.{os.getpid()}"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, where / cache_key)
        entries = sorted(
            (e for e in os.scandir(where) if not e.name.startswith(".")),
            key=lambda e: e.stat().st_mtime_ns,
        )
        for old in entries[:-KEEP]:
            os.unlink(old.path)
    except OSError:
        return
