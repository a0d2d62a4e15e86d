"""The capture store: request and response bodies, kept apart from the usage database.

Only `switchcost ingest --capture` (or a replay) writes here.  It is a SQLite file next to the
database (`switchcost.duckdb` → `switchcost.capture.sqlite`), created with mode 0600 before
SQLite opens it (SQLite gives its journal the database file's mode), and holds:

- `captures`: one row per captured call, keyed by the request row's key (`msg:<id>`), with the
  call's time, workload, the create() arguments and the response content, as JSON;
- `answers`: a replay's target answer per sample (for grading now or again later);
- `reasons`: a grader's words (the LLM judge's reason) per sample.

Nothing else in switchcost stores text; `purge` deletes rows and rewrites the file (VACUUM) so
deleted text does not linger in free pages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    request_key TEXT PRIMARY KEY,
    ts          TEXT NOT NULL,
    workload    TEXT,
    request     TEXT NOT NULL,
    response    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    run_id      TEXT NOT NULL,
    request_key TEXT NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (run_id, request_key)
);
CREATE TABLE IF NOT EXISTS reasons (
    run_id      TEXT NOT NULL,
    request_key TEXT NOT NULL,
    grader      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (run_id, request_key, grader)
);
"""


def store_path(db: Path) -> Path:
    """The capture store beside the database file."""
    return db.with_name(f"{db.stem}.capture.sqlite")


@dataclass(frozen=True)
class Captured:
    request_key: str
    ts: str
    workload: str | None
    request: dict[str, Any]
    response: list[Any]


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file made by something else is narrowed too


@contextlib.contextmanager
def open_store(db: Path, *, create: bool = False) -> Iterator[sqlite3.Connection | None]:
    """The store's connection (None when there is none and `create` is false), committed on
    success."""
    path = store_path(db)
    if not path.exists():
        if not create:
            yield None
            return
        _create_private(path)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SCHEMA)
        yield conn
        conn.commit()
    finally:
        conn.close()


def put_captures(db: Path, items: Iterable[Captured]) -> int:
    """Store captured calls (a key seen before keeps its first copy); returns how many are new."""
    with open_store(db, create=True) as conn:
        assert conn is not None
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO captures VALUES (?, ?, ?, ?, ?)",
            [
                (c.request_key, c.ts, c.workload, _dumps(c.request), _dumps(c.response))
                for c in items
            ],
        )
        return conn.total_changes - before


def captured_keys(db: Path) -> list[tuple[str, str, str | None]]:
    """(request_key, ts, workload) of every captured call."""
    with open_store(db) as conn:
        if conn is None:
            return []
        return list(conn.execute("SELECT request_key, ts, workload FROM captures"))


def get_captures(db: Path, keys: Iterable[str]) -> dict[str, Captured]:
    wanted = list(keys)
    out: dict[str, Captured] = {}
    with open_store(db) as conn:
        if conn is None:
            return out
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, ts, workload, req, resp in conn.execute(
                f"SELECT * FROM captures WHERE request_key IN ({marks})", chunk
            ):
                out[key] = Captured(key, ts, workload, json.loads(req), json.loads(resp))
    return out


def put_answer(db: Path, run_id: str, key: str, content: list[Any]) -> None:
    with open_store(db, create=True) as conn:
        assert conn is not None
        conn.execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (run_id, key, _dumps(content))
        )


def get_answers(db: Path, run_id: str) -> dict[str, list[Any]]:
    with open_store(db) as conn:
        if conn is None:
            return {}
        rows = conn.execute("SELECT request_key, content FROM answers WHERE run_id = ?", (run_id,))
        return {key: json.loads(content) for key, content in rows}


def put_reason(db: Path, run_id: str, key: str, grader: str, reason: str) -> None:
    with open_store(db, create=True) as conn:
        assert conn is not None
        conn.execute(
            "INSERT OR REPLACE INTO reasons VALUES (?, ?, ?, ?)", (run_id, key, grader, reason)
        )


def purge(db: Path, before: dt.date | None = None, workload: str | None = None) -> int:
    """Delete captured calls (all, or those before a day / of a workload) with their replay
    answers and reasons; returns how many captured calls went."""
    with open_store(db) as conn:
        if conn is None:
            return 0
        where, args = ["1 = 1"], []
        if before is not None:
            where.append("ts < ?")
            args.append(before.isoformat())
        if workload is not None:
            where.append("workload = ?")
            args.append(workload)
        cond = " AND ".join(where)
        keys = f"SELECT request_key FROM captures WHERE {cond}"
        for table in ("answers", "reasons"):
            conn.execute(f"DELETE FROM {table} WHERE request_key IN ({keys})", args)
        gone = conn.execute(f"DELETE FROM captures WHERE {cond}", args).rowcount
        conn.commit()
        conn.execute("VACUUM")
        return int(gone)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
