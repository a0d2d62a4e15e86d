"""The latency histograms an appending run folds in (queries/rollup.py, `add`) equal a rebuild's.

An ingest run that only inserted adds its own histogram counts to latency_hours and to the
latency_blocks of every level; a run that updated a stored request recomputes the hours it
touched and their blocks from below.  Whatever the sequence of runs, both tables must hold
exactly the rows a full rebuild of the same requests gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchcost.queries import db, rollup
from tests.rows import insert, request

T0 = dt.datetime(2026, 10, 5, 20, 30, tzinfo=dt.UTC)  # UTC day 20731 since 1970-01-01
# Day offsets from T0 whose blocks part at different levels: -9000 days is another level-5
# block (4,096 days) but the same level-6 one; -400 another level-4 block; -8..8 cross the
# 8-day and 64-day edges (day 20728 starts a level-2 block, day 20736 the next); 600 is new.
DAYS = (-9000, -400, -8, -4, -1, 0, 1, 3, 8, 600)
MODELS = ("claude-sonnet-4-5-20250929", "claude-haiku-4-5")
WORKLOADS = ("triage", "planner", None)
# Few values, so runs often land in a bucket an hour or block already has (the update branch)
# as well as in new ones; 0, negative and missing timings have buckets of their own or none.
LATENCIES = (None, 0.0, -5.0, 100.0, 250.0, 251.0, 10_000.0)
TTFTS = (None, 0.0, 100.0, 250.0)
OUTPUTS = (0, 1, 500)

LEVEL_BUCKET_100MS = 231  # ceil(ln 100 / ln(1.01/0.99)) = ceil(230.2...)
LEVEL_BUCKET_5MS = 81  # ceil(ln 5 / ln(1.01/0.99)) = ceil(80.4...)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """One migrated database for every generated example (each starts by emptying it)."""
    c = db.connect(tmp_path_factory.mktemp("blocks") / "b.duckdb")
    yield c
    c.close()


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(db_path)
    yield c
    c.close()


def _ingest(conn: duckdb.DuckDBPyConnection, run_id: int, rows: list[dict[str, Any]]) -> str:
    """What the loader does: rows stamped with the run, then refresh in one transaction."""
    with db.transaction(conn):
        rollup.track_updates(conn)
        insert(conn, *[{**r, "run_id": run_id} for r in rows])
        return rollup.refresh(conn, run_id)


def _update(conn: duckdb.DuckDBPyConnection, run_id: int, key: str, hours: int) -> str:
    """What the loader does for a stored request seen again with other values: record the hour
    it leaves, move and change it, refresh."""
    with db.transaction(conn):
        rollup.track_updates(conn)
        conn.execute(
            "INSERT INTO rollup_touched SELECT ts FROM requests WHERE request_key = $k", {"k": key}
        )
        conn.execute(
            "UPDATE requests SET ts = ts + to_hours($h), latency_ms = 251.0, ttft_ms = 100.0,"
            " output_tokens = 500, run_id = $r WHERE request_key = $k",
            {"h": hours, "r": run_id, "k": key},
        )
        return rollup.refresh(conn, run_id)


def _hist(conn: duckdb.DuckDBPyConnection) -> tuple[list[Any], list[Any]]:
    return (
        conn.execute("SELECT * FROM latency_hours ORDER BY ALL").fetchall(),
        conn.execute("SELECT * FROM latency_blocks ORDER BY ALL").fetchall(),
    )


def _rebuilt(conn: duckdb.DuckDBPyConnection, run_id: int) -> tuple[list[Any], list[Any]]:
    """The histograms a full rebuild of the stored requests gives, then rolled back."""
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute("UPDATE rollup_meta SET hist_requests = NULL")
        assert rollup.refresh(conn, run_id) == "full"
        return _hist(conn)
    finally:
        conn.execute("ROLLBACK")


def _row(key: str, spec: tuple[int, int, int, int, bool, int, int, int]) -> dict[str, Any]:
    day, hour, model, workload, subagent, latency, ttft, output = spec
    return request(
        request_key=key,
        ts=T0 + dt.timedelta(days=DAYS[day], hours=hour),
        model=MODELS[model],
        workload=WORKLOADS[workload],
        source=("messages", "claude-code")[hour % 2],
        is_subagent=subagent,
        latency_ms=LATENCIES[latency],
        ttft_ms=TTFTS[ttft],
        output_tokens=OUTPUTS[output],
    )


SPEC = st.tuples(
    st.integers(0, len(DAYS) - 1),
    st.integers(0, 5),
    st.integers(0, len(MODELS) - 1),
    st.integers(0, len(WORKLOADS) - 1),
    st.booleans(),
    st.integers(0, len(LATENCIES) - 1),
    st.integers(0, len(TTFTS) - 1),
    st.integers(0, len(OUTPUTS) - 1),
)
# A run: new requests, and optionally one stored request updated (moved by some hours).
RUN = st.tuples(st.lists(SPEC, max_size=8), st.one_of(st.none(), st.integers(-30, 30)))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=st.lists(SPEC, min_size=1, max_size=10), runs=st.lists(RUN, min_size=1, max_size=4))
def test_every_sequence_of_runs_leaves_the_histograms_a_rebuild_gives(
    shared: duckdb.DuckDBPyConnection,
    first: list[tuple[int, int, int, int, bool, int, int, int]],
    runs: list[tuple[list[tuple[int, int, int, int, bool, int, int, int]], int | None]],
) -> None:
    conn = shared
    for table in ("requests", "request_groups", "latency_hours", "latency_blocks", "rollup_meta"):
        conn.execute(f"DELETE FROM {table}")
    keys = [f"a{i}" for i in range(len(first))]
    assert _ingest(conn, 1, [_row(k, s) for k, s in zip(keys, first, strict=True)]) == "full"
    assert _hist(conn) == _rebuilt(conn, 1)
    for run_id, (specs, moved) in enumerate(runs, start=2):
        new = [f"r{run_id}-{i}" for i in range(len(specs))]
        if moved is None:
            want = "added" if specs else "none"
            assert (
                _ingest(conn, run_id, [_row(k, s) for k, s in zip(new, specs, strict=True)]) == want
            )
        else:
            with db.transaction(conn):
                insert(
                    conn,
                    *[{**_row(k, s), "run_id": run_id} for k, s in zip(new, specs, strict=True)],
                )
            assert _update(conn, run_id, keys[run_id % len(keys)], moved) == "hours"
        keys += new
        assert _hist(conn) == _rebuilt(conn, run_id), run_id


def test_an_appending_run_adds_its_counts_to_every_level(conn: duckdb.DuckDBPyConnection) -> None:
    """Hand-worked: one timed request, then a run adding one in the same hour and bucket and
    one 9,000 days earlier (another block up to level 5, the same block at levels 6 and 7)."""
    base = {"model": MODELS[0], "output_tokens": 0, "ttft_ms": None}
    assert _ingest(conn, 1, [request(request_key="a", ts=T0, latency_ms=100.0, **base)]) == "full"
    old = T0 - dt.timedelta(days=9000)
    added = [
        request(request_key="b", ts=T0 + dt.timedelta(minutes=10), latency_ms=100.0, **base),
        request(request_key="c", ts=old, latency_ms=5.0, **base),
    ]
    assert _ingest(conn, 2, added) == "added"
    hour = T0.replace(minute=0)
    assert conn.execute(
        "SELECT hour, metric, bucket, n FROM latency_hours ORDER BY hour, metric"
    ).fetchall() == [
        (old.replace(minute=0), 0, LEVEL_BUCKET_5MS, 1),
        (old.replace(minute=0), 3, 0, 1),
        (hour, 0, LEVEL_BUCKET_100MS, 2),
        (hour, 3, 0, 2),
    ]
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for level in range(1, 8):
        got = conn.execute(
            "SELECT start, metric, bucket, n FROM latency_blocks WHERE level = $l"
            " ORDER BY start, metric, bucket",
            {"l": level},
        ).fetchall()
        span = 8 ** (level - 1)
        if level >= 6:  # day 20731 and day 11731 both in the block from day 0
            assert got == [
                (epoch, 0, LEVEL_BUCKET_5MS, 1),
                (epoch, 0, LEVEL_BUCKET_100MS, 2),
                (epoch, 3, 0, 3),
            ], level
        else:
            start_old = epoch + dt.timedelta(days=11731 // span * span)
            start_new = epoch + dt.timedelta(days=20731 // span * span)
            assert got == [
                (start_old, 0, LEVEL_BUCKET_5MS, 1),
                (start_old, 3, 0, 1),
                (start_new, 0, LEVEL_BUCKET_100MS, 2),
                (start_new, 3, 0, 2),
            ], level
    assert _hist(conn) == _rebuilt(conn, 2)
