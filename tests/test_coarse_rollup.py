"""The coarse rollups (usage_hours, session_hours, file_requests) give exactly what the pages
read from request_groups and from every request: tiny hand-made rows, every refresh mode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from switchcost.queries import coarse_rollup, db, rollup
from switchcost.queries import dashboard as qdash
from switchcost.queries import dashboard_hours as qhours
from switchcost.queries.filters import Filters
from switchcost.queries.run_sql import run
from tests.rows import insert, request

T0 = dt.datetime(2026, 10, 5, 21, 30, tzinfo=dt.UTC)  # 23:30 in Berlin: the next local day
SONNET = "claude-sonnet-4-5-20250929"  # $3 in / $15 out; over 200K prompt: $6 / $22.50
HAIKU = "claude-haiku-4-5-20251001"  # $1 in / $5 out
FILTERS = (
    Filters(),
    Filters(tz="Europe/Berlin", since=dt.date(2026, 10, 6), until=dt.date(2026, 10, 6)),
    Filters(workloads=("triage", "(none)")),
    Filters(tz="America/New_York", models=("claude-haiku-4-5",), subagent=True),
)


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(db_path)
    yield c
    c.close()


def _rows() -> list[dict[str, Any]]:
    """Two sessions that share an hour, project and workload (one group in usage_hours, two in
    session_hours), a long-context request, batch, a sub-agent Haiku call, an unpriced model,
    requests with no workload or session, spread over two UTC days and three files."""
    hour = dt.timedelta(hours=1)
    base = {"project": "p1", "workload": "triage", "source_file": "a.jsonl"}
    return [
        # Session s1: 1,000 in + 100 out on Sonnet = 3,000 + 1,500 -> $0.0045
        request(
            request_key="a", ts=T0, session_id="s1", input_tokens=1000, output_tokens=100, **base
        ),
        # Session s2, same hour: 2,000 in + 10 out = 6,000 + 150 -> $0.00615
        request(
            request_key="b",
            ts=T0 + dt.timedelta(minutes=5),
            session_id="s2",
            input_tokens=2000,
            output_tokens=10,
            **base,
        ),
        # s2, long context: 200,001 in x $6 + 1,000 out x $22.50 = 1,200,006 + 22,500 -> $1.222506
        request(
            request_key="c",
            ts=T0 + hour,
            session_id="s2",
            input_tokens=200_001,
            output_tokens=1000,
            **base,
        ),
        # s1 sub-agent on Haiku, batch (x0.5): (4,000 x $1 + 200 x $5) x 0.5 = 2,500 -> $0.0025
        request(
            request_key="d",
            ts=T0 + 3 * hour,
            session_id="s1",
            model=HAIKU,
            is_subagent=True,
            service_tier="batch",
            input_tokens=4000,
            output_tokens=200,
            project="p2",
            workload="planner",
            source_file="b.jsonl",
        ),
        # no session, no workload: 10,000 in on Haiku -> $0.01
        request(
            request_key="e",
            ts=T0 + 30 * hour,
            model=HAIKU,
            input_tokens=10_000,
            source_file="b.jsonl",
        ),
        # unpriced: counted, never $0
        request(
            request_key="f",
            ts=T0 + 2 * hour,
            model="claude-mystery-1",
            session_id="s3",
            input_tokens=50,
            source="claude-code",
            source_file="c.jsonl",
        ),
    ]


def _ingest(conn: duckdb.DuckDBPyConnection, run_id: int, *new: dict[str, Any]) -> str:
    with db.transaction(conn):
        rollup.track_updates(conn)
        insert(conn, *[{**r, "run_id": run_id} for r in new])
        return rollup.refresh(conn, run_id)


def _assert_pages_exact(conn: duckdb.DuckDBPyConnection, top: int = 10) -> None:
    """The coarse path equals dash_overview over request_groups and over every request."""
    assert rollup.usable(conn, "UTC")
    for f in FILTERS:
        coarse = qhours.overview(conn, f, top=top)
        grouped = qdash.overview(conn, f)  # request_groups
        raw = run(conn, "dash_overview", rollup=False, **f.params())
        total = raw.filter(pl.col("dim") == "total")
        if total.height:
            assert coarse.kpis.cost_usd == Decimal(total["cost_usd"].item())
            assert coarse.kpis.requests == total["requests"].item()
        assert coarse.kpis == grouped.kpis
        for name in ("by_day_model", "by_workload", "by_model", "by_project"):
            assert_frame_equal(getattr(coarse, name), getattr(grouped, name))
        assert_frame_equal(coarse.by_session, grouped.by_session.head(top))
    sources, files, unpriced = qhours.data_tables(conn)
    assert_frame_equal(sources, qdash.sources(conn))
    assert_frame_equal(files, qdash.source_files(conn))
    assert_frame_equal(unpriced, qdash.unpriced(conn))


def test_hand_worked_sums_in_a_zone_window_and_for_workloads(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    assert _ingest(conn, 1, *_rows()) == "full"
    # s1 and s2 share one usage_hours group (hour, model, project, workload, bands alike).
    assert conn.execute("SELECT count(*) FROM usage_hours").fetchall()[0][0] == 5
    assert conn.execute("SELECT count(*) FROM session_hours").fetchall()[0][0] == 6
    whole = qhours.overview(conn, Filters())
    assert whole.kpis.cost_usd == Decimal("1.245656")  # 0.0045+0.00615+1.222506+0.0025+0.01
    assert whole.kpis.requests == 6
    assert whole.kpis.unpriced_requests == 1
    # Berlin (UTC+2), 2026-10-06 only: 21:30 and 21:35 UTC on the 5th are the 5th there (out);
    # 22:30, 23:30 and 00:30 UTC are the 6th (in); 03:30 UTC on the 7th is the 7th (out).
    berlin = qhours.overview(conn, FILTERS[1])
    assert berlin.kpis.requests == 3
    assert berlin.kpis.unpriced_requests == 1
    assert berlin.kpis.cost_usd == Decimal("1.225006")  # 1.222506 + 0.0025
    triage = qhours.overview(conn, FILTERS[2])
    assert triage.kpis.cost_usd == Decimal("1.243156")  # a, b, c and e (no workload)
    sessions = dict(zip(whole.by_session["session"], whole.by_session["cost_usd"], strict=True))
    assert sessions == {
        "s2": Decimal("1.228656"),
        "(none)": Decimal("0.01"),
        "s1": Decimal("0.007"),
        "s3": Decimal(0),
    }
    assert qhours.overview(conn, Filters(), top=2).by_session["session"].to_list() == [
        "s2",
        "(none)",
    ]
    conn.execute(
        "INSERT INTO source_files SELECT source_file, any_value(source), 0, 0, 0, 0, 'h', 0, 1"
        " FROM requests GROUP BY source_file"
    )
    files = {r["path"]: r["requests"] for r in qhours.data_tables(conn)[1].iter_rows(named=True)}
    assert files == {"a.jsonl": 3, "b.jsonl": 2, "c.jsonl": 1}
    _assert_pages_exact(conn)
    _assert_pages_exact(conn, top=1)


def test_every_refresh_mode_keeps_them_exact(conn: duckdb.DuckDBPyConnection) -> None:
    _ingest(conn, 1, *_rows())
    # Only inserts: folded into the hours and files they touch.
    more = [
        request(
            request_key="g",
            ts=T0,
            session_id="s1",
            input_tokens=7,
            project="p1",
            workload="triage",
            source_file="a.jsonl",
        ),
        request(
            request_key="h", ts=T0 + dt.timedelta(days=3), input_tokens=9, source_file="d.jsonl"
        ),
        # Haiku 5.5 has a price from 2026-10-07 only: unpriced on the 5th, priced on the 8th.
        request(request_key="i", ts=T0, model="claude-haiku-5-5", input_tokens=5),
        request(request_key="j", ts=T0 + dt.timedelta(days=3), model="claude-haiku-5-5"),
    ]
    assert _ingest(conn, 2, *more) == "added"
    unpriced = qhours.data_tables(conn)[2]
    assert dict(zip(unpriced["model"], unpriced["requests"], strict=True)) == {
        "claude-mystery-1": 1,
        "claude-haiku-5-5": 1,
    }
    _assert_pages_exact(conn)
    # An update that moves a stored request to another hour and out of its file, which this
    # run did not otherwise read: every file is recounted.
    with db.transaction(conn):
        rollup.track_updates(conn)
        conn.execute("INSERT INTO rollup_touched SELECT ts FROM requests WHERE request_key = 'e'")
        conn.execute(
            "UPDATE requests SET ts = ts + INTERVAL 5 HOUR, source_file = 'a.jsonl', run_id = 3,"
            " output_tokens = 3 WHERE request_key = 'e'"
        )
        assert rollup.refresh(conn, 3) == "hours"
    counted = dict(conn.execute("SELECT source_file, requests FROM file_requests").fetchall())
    assert counted == {"a.jsonl": 5, "b.jsonl": 1, "c.jsonl": 1, "d.jsonl": 1, "hand.jsonl": 2}
    _assert_pages_exact(conn)
    tables = ("usage_hours", "session_hours", "file_requests")
    incremental = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    # A rebuild (in slices of one hour's groups here) gives the same rows.
    with db.transaction(conn):
        conn.execute("DELETE FROM rollup_meta")
        old = coarse_rollup.SLICE_GROUPS
        coarse_rollup.SLICE_GROUPS = 1
        try:
            assert rollup.refresh(conn, 3) == "full"
        finally:
            coarse_rollup.SLICE_GROUPS = old
    rebuilt = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    assert rebuilt == incremental
    _assert_pages_exact(conn)


def test_a_stale_rollup_falls_back_to_the_exact_path(conn: duckdb.DuckDBPyConnection) -> None:
    _ingest(conn, 1, *_rows())
    with db.transaction(conn):
        insert(conn, request(request_key="late", ts=T0, input_tokens=100_000, run_id=2))
    assert not rollup.usable(conn, "UTC")  # requests the rollup has not seen
    view = qhours.overview(conn, Filters(), top=1)
    assert view.kpis.cost_usd == Decimal("1.545656")  # + 100,000 x $3
    assert view.by_session.height == 1
    sources, _, _ = qhours.data_tables(conn)
    assert sources["requests"].sum() == 7
