"""The replay tables (migration 0005): runs, samples and verdicts, read and written by id.

Plain SQL over a connection the caller holds; the replay opens the database for each write
and closes it again, so a dashboard or an ingest is never locked out for a whole run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

RUN_FIELDS = (
    "run_id",
    "started_at",
    "target",
    "mode",
    "grader",
    "seed",
    "sample_size",
    "max_usd",
    "estimate_usd",
    "batch_id",
    "status",
)
SAMPLE_FIELDS = (
    "run_id",
    "request_key",
    "workload",
    "stratum",
    "original_model",
    "original_input_tokens",
    "original_output_tokens",
    "counted_input_tokens",
    "status",
    "target_input_tokens",
    "target_output_tokens",
    "cost_usd",
    "latency_ms",
    "ttft_ms",
    "dropped_params",
    "error",
)
UPDATABLE = frozenset(SAMPLE_FIELDS) - {"run_id", "request_key"}


@dataclass(frozen=True)
class Frame:
    """A captured request's row in the usage database: what the sample is drawn from."""

    request_key: str
    workload: str
    model: str
    input_tokens: int  # input + cache writes + cache reads
    output_tokens: int
    ts: dt.datetime


def frame(
    conn: duckdb.DuckDBPyConnection, keys: list[str], workloads: list[str] | None
) -> list[Frame]:
    """The stored, completed requests among `keys` (one row each), in key order."""
    conn.execute("CREATE OR REPLACE TEMP TABLE replay_keys (request_key VARCHAR)")
    conn.executemany("INSERT INTO replay_keys VALUES (?)", [(k,) for k in keys])
    got = conn.execute(
        """
        SELECT r.request_key, coalesce(r.workload, '(none)'), r.model,
               r.input_tokens + r.cache_write_5m + r.cache_write_1h + r.cache_read,
               r.output_tokens, r.ts
        FROM requests AS r JOIN replay_keys AS k USING (request_key)
        WHERE r.complete AND ($w IS NULL OR coalesce(r.workload, '(none)') IN $w)
        ORDER BY r.request_key
        """,
        {"w": workloads},
    ).fetchall()
    conn.execute("DROP TABLE replay_keys")
    return [Frame(*row) for row in got]


def put_run(conn: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> None:
    """Insert the run, or update a run already there (same id: a resumed replay)."""
    cols = ", ".join(RUN_FIELDS)
    marks = ", ".join(f"${f}" for f in RUN_FIELDS)
    sets = ", ".join(f"{f} = excluded.{f}" for f in RUN_FIELDS if f not in ("run_id", "started_at"))
    conn.execute(
        f"INSERT INTO replay_runs ({cols}) VALUES ({marks}) ON CONFLICT DO UPDATE SET {sets}",
        {f: run.get(f) for f in RUN_FIELDS},
    )


def get_run(conn: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any] | None:
    found = _dicts(conn, "SELECT * FROM replay_runs WHERE run_id = $r", {"r": run_id})
    return found[0] if found else None


def runs(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(conn, "SELECT * FROM replay_runs ORDER BY started_at DESC, run_id", {})


def set_run_status(conn: duckdb.DuckDBPyConnection, run_id: str, status: str) -> None:
    conn.execute("UPDATE replay_runs SET status = $s WHERE run_id = $r", {"s": status, "r": run_id})


def add_samples(conn: duckdb.DuckDBPyConnection, items: Iterable[dict[str, Any]]) -> None:
    """New samples (a sample already in the run keeps its state: nothing is paid twice)."""
    cols = ", ".join(SAMPLE_FIELDS)
    marks = ", ".join("?" for _ in SAMPLE_FIELDS)
    conn.executemany(
        f"INSERT OR IGNORE INTO replay_samples ({cols}) VALUES ({marks})",
        [tuple(item.get(f) for f in SAMPLE_FIELDS) for item in items],
    )


def update_sample(conn: duckdb.DuckDBPyConnection, run_id: str, key: str, **fields: Any) -> None:
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValueError(f"not sample fields: {sorted(unknown)}")
    sets = ", ".join(f"{f} = ${f}" for f in fields)
    conn.execute(
        f"UPDATE replay_samples SET {sets} WHERE run_id = $run_id AND request_key = $key",
        {**fields, "run_id": run_id, "key": key},
    )


def samples(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    return _dicts(
        conn,
        "SELECT * FROM replay_samples WHERE run_id = $r ORDER BY workload, request_key",
        {"r": run_id},
    )


def put_verdict(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    key: str,
    grader: str,
    passed: bool,
    detail: str | None,
    cost_usd: Decimal = Decimal(0),
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO replay_verdicts VALUES ($r, $k, $g, $p, $d, $c, now())",
        {"r": run_id, "k": key, "g": grader, "p": passed, "d": detail, "c": cost_usd},
    )


def verdicts(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    return _dicts(
        conn,
        "SELECT * FROM replay_verdicts WHERE run_id = $r ORDER BY request_key, grader",
        {"r": run_id},
    )


def spent(conn: duckdb.DuckDBPyConnection, run_id: str) -> Decimal:
    """What the run has cost so far: its answered calls plus its judge calls."""
    row = conn.execute(
        """
        SELECT coalesce((SELECT sum(cost_usd) FROM replay_samples WHERE run_id = $r), 0)
             + coalesce((SELECT sum(cost_usd) FROM replay_verdicts WHERE run_id = $r), 0)
        """,
        {"r": run_id},
    ).fetchone()
    return Decimal(row[0]) if row else Decimal(0)


def _dicts(
    conn: duckdb.DuckDBPyConnection, text: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    cursor = conn.execute(text, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
