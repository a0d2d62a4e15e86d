"""The rollup (request_groups) gives exactly the numbers of the raw per-request path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from switchcost.queries import dashboard as qdash
from switchcost.queries import db, price_tables, projection, reports, rollup
from switchcost.queries.filters import Filters
from switchcost.queries.reports import usage_by
from switchcost.queries.run_sql import rows, run
from tests.rows import insert, request

T0 = dt.datetime(2026, 10, 5, 20, 30, tzinfo=dt.UTC)  # Sonnet 5.5's price changes on 10-07
MODELS = (
    "claude-sonnet-4-5-20250929",  # long context over 200K
    "claude-sonnet-5-5",  # cache-read price cut mid-window
    "claude-haiku-5-5",  # long context over 100K
    "claude-opus-4-5",
    "claude-mystery-1",  # unpriced
)
PROMPTS = (0, 1, 1023, 1024, 4095, 4096, 99_999, 100_000, 100_001, 200_000, 200_001, 1_000_001)
DIMS = ("day", "model", "workload", "session", "project", "source")


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(db_path)
    yield c
    c.close()


def _row(i: int, prompt: int, **over: Any) -> dict[str, Any]:
    cached = prompt // 3
    return request(
        request_key=f"r{i}",
        ts=T0 + dt.timedelta(minutes=37 * i),
        model=MODELS[i % len(MODELS)],
        input_tokens=prompt - cached,
        cache_write_5m=cached // 2,
        cache_write_1h=cached // 4,
        cache_read=cached - cached // 2 - cached // 4,
        output_tokens=10 + 7 * i,
        web_search_requests=i % 3,
        service_tier="batch" if i % 4 == 0 else "standard",
        speed="fast" if i % 5 == 0 else None,
        inference_geo="us" if i % 6 == 0 else None,
        platform="vertex" if i % 7 == 0 else "anthropic",
        endpoint_scope="regional" if i % 7 == 0 else None,
        workload=("triage", "planner", None)[i % 3],
        project=f"p{i % 2}",
        session_id=f"s{i // 4}",
        is_subagent=i % 2 == 1,
        **over,
    )


def _ingest(conn: duckdb.DuckDBPyConnection, run_id: int, *new: dict[str, Any]) -> str:
    """What the loader does: rows stamped with the run, then refresh in one transaction."""
    with db.transaction(conn):
        rollup.track_updates(conn)
        insert(conn, *[{**r, "run_id": run_id} for r in new])
        return rollup.refresh(conn, run_id)


def _raw(conn: duckdb.DuckDBPyConnection, by: str, f: Filters) -> pl.DataFrame:
    return run(conn, "usage_by", by=by, rollup=False, **f.params()).rename({"grp": by})


def _assert_same(conn: duckdb.DuckDBPyConnection, f: Filters) -> None:
    assert rollup.usable(conn, f.tz)
    for by in DIMS:
        assert_frame_equal(usage_by(conn, by, f), _raw(conn, by, f))
    raw_overview = run(conn, "dash_overview", rollup=False, **f.params())
    overview = run(conn, "dash_overview", rollup=True, **f.params())
    keys = ["dim", "grp", "day", "model"]
    assert_frame_equal(overview.sort(keys), raw_overview.sort(keys))


def _groups(conn: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return sorted(conn.execute("SELECT * FROM request_groups").fetchall(), key=repr)


def test_rollup_equals_raw_on_thresholds_tiers_and_price_changes(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    data = [_row(i, PROMPTS[i % len(PROMPTS)]) for i in range(120)]
    assert _ingest(conn, 1, *data) == "full"
    assert conn.execute("SELECT sum(requests) FROM request_groups").fetchall()[0][0] == 120
    for f in (
        Filters(),
        Filters(tz="Europe/Berlin", since=dt.date(2026, 10, 6), until=dt.date(2026, 10, 7)),
        Filters(tz="America/New_York", workloads=("triage", "(none)"), subagent=False),
        Filters(models=("claude-sonnet-5-5", "claude-mystery-1"), sources=("messages",)),
    ):
        _assert_same(conn, f)
    by_model = {r["model"]: r for r in usage_by(conn, "model").iter_rows(named=True)}
    assert by_model["claude-mystery-1"]["unpriced_requests"] == 24  # counted, never $0
    # Haiku 5.5 has no price before 2026-10-07: its earlier requests are unpriced on both paths.
    assert 0 < by_model["claude-haiku-5-5"]["unpriced_requests"] < 24
    long_context = rows(conn, "rollup_bounds")[0][0]
    assert 100_000 in long_context
    assert 200_000 in long_context


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prompts=st.lists(
        st.one_of(st.sampled_from(PROMPTS), st.integers(0, 1_200_000)), min_size=1, max_size=40
    )
)
def test_bands_decide_every_threshold_like_the_request(
    conn: duckdb.DuckDBPyConnection, prompts: list[int]
) -> None:
    """For every boundary T: requests in groups with band > T == requests with value > T."""
    with db.transaction(conn):
        conn.execute("DELETE FROM requests")
        conn.execute("DELETE FROM request_groups")
        conn.execute("DELETE FROM rollup_meta")
    _ingest(conn, 1, *[_row(i, p) for i, p in enumerate(prompts)])
    bounds = rollup.boundaries(conn)
    values = {
        "prompt": "input_tokens + cache_write_5m + cache_write_1h + cache_read",
        "cached": "cache_write_5m + cache_write_1h + cache_read",
        "output": "output_tokens",
    }
    for kind, expr in values.items():
        for t in bounds[kind]:
            grouped = conn.execute(
                f"SELECT coalesce(sum(requests), 0) FROM request_groups WHERE {kind}_band > {t}"
            ).fetchall()[0][0]
            raw = conn.execute(f"SELECT count(*) FROM requests WHERE {expr} > {t}").fetchall()[0][0]
            assert grouped == raw, (kind, t)
    _assert_same(conn, Filters())


def test_incremental_refresh_equals_full_rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    _ingest(conn, 1, *[_row(i, PROMPTS[i % len(PROMPTS)]) for i in range(60)])
    assert _ingest(conn, 2) == "none"
    # Run 3 only inserts: its sums are added to the groups of its hours.  Copies of stored
    # rows under new keys land in existing groups (the sums grow), the others in new hours.
    copies = [{**_row(i, PROMPTS[i % len(PROMPTS)]), "request_key": f"c{i}"} for i in (3, 4, 40)]
    assert _ingest(conn, 3, *[_row(i, 5000 + i) for i in range(60, 66)], *copies) == "added"
    added = _groups(conn)
    with db.transaction(conn):
        conn.execute("DELETE FROM rollup_meta")
        assert rollup.refresh(conn, 3) == "full"
    assert _groups(conn) == added
    assert conn.execute("SELECT max(requests) FROM request_groups").fetchall()[0][0] == 2
    # An update that moves a stored request to another hour: the loader records the old ts.
    with db.transaction(conn):
        rollup.track_updates(conn)
        conn.execute("INSERT INTO rollup_touched SELECT ts FROM requests WHERE request_key = 'r5'")
        conn.execute(
            "UPDATE requests SET ts = ts + INTERVAL 9 HOUR, output_tokens = 999, run_id = 4"
            " WHERE request_key = 'r5'"
        )
        assert rollup.refresh(conn, 4) == "hours"
    incremental = _groups(conn)
    with db.transaction(conn):
        conn.execute("DELETE FROM rollup_meta")
        assert rollup.refresh(conn, 4) == "full"
    assert _groups(conn) == incremental
    _assert_same(conn, Filters())


def test_new_price_boundary_falls_back_then_next_ingest_rebuilds(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _ingest(conn, 1, *[_row(i, PROMPTS[i % len(PROMPTS)]) for i in range(40)])
    assert rollup.usable(conn, "UTC")
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[[models]]\nid = "claude-mystery-1"\ncontext_window = 150000\n'
        "[[models.prices]]\neffective_from = 2026-01-01\ninput = 1\noutput = 5\n"
        "cache_write_5m = 1.25\ncache_write_1h = 2\ncache_read = 0.1\n"
        "long_context_threshold = 150000\nlong_context_input = 2\nlong_context_output = 10\n"
        "long_context_cache_write_5m = 2.5\nlong_context_cache_write_1h = 4\n"
        'long_context_cache_read = 0.2\nsource = "test"\n',
        encoding="utf-8",
    )
    price_tables.install(conn, user_file=prices)
    assert not rollup.usable(conn, "UTC")
    before = usage_by(conn, "model")  # the exact raw path
    mystery = before.filter(pl.col("model") == "claude-mystery-1")
    assert mystery["unpriced_requests"].item() == 0
    assert mystery["cost_usd"].item() > 0
    assert _ingest(conn, 2) == "full"
    assert rollup.usable(conn, "UTC")
    assert_frame_equal(usage_by(conn, "model"), before)
    _assert_same(conn, Filters())


def test_half_hour_time_zone_uses_the_raw_path(conn: duckdb.DuckDBPyConnection) -> None:
    _ingest(conn, 1, *[_row(i, PROMPTS[i % len(PROMPTS)]) for i in range(80)])
    kolkata = Filters(tz="Asia/Kolkata")
    assert rollup.usable(conn, "UTC")
    assert not rollup.usable(conn, "Asia/Kolkata")
    # Grouped by anything but the day, the time zone changes nothing: Kolkata (raw path) must
    # equal UTC (served from the rollup).
    for by in DIMS:
        if by != "day":
            assert_frame_equal(usage_by(conn, by, kolkata), usage_by(conn, by, Filters()))
    # Days, worked out here from each request's own timestamp (UTC + 5:30) and priced cost.
    ist = dt.timedelta(hours=5, minutes=30)
    priced = conn.execute("SELECT ts, cost_usd FROM priced_requests").fetchall()
    want_n: dict[str, int] = {}
    want_usd: dict[str, Decimal] = {}
    for ts, cost in priced:
        day = (ts.astimezone(dt.UTC) + ist).date().isoformat()
        want_n[day] = want_n.get(day, 0) + 1
        want_usd[day] = want_usd.get(day, Decimal(0)) + Decimal(cost or 0)
    # The data must tell the two paths apart: some request sits in a UTC hour that straddles
    # Kolkata midnight (hh:30), so an hourly rollup would put it on the wrong day.
    assert any(
        (ts.astimezone(dt.UTC).replace(minute=0) + ist).date()
        != (ts.astimezone(dt.UTC) + ist).date()
        for ts, _ in priced
    )
    by_day = usage_by(conn, "day", kolkata).sort("day")
    assert dict(zip(by_day["day"].to_list(), by_day["requests"].to_list(), strict=True)) == want_n
    got_usd = dict(zip(by_day["day"].to_list(), by_day["cost_usd"].to_list(), strict=True))
    assert {d: Decimal(v or 0) for d, v in got_usd.items()} == want_usd
    assert sorted(want_n) != usage_by(conn, "day")["day"].sort().to_list()  # UTC days differ


def test_overview_equals_the_report_queries(conn: duckdb.DuckDBPyConnection) -> None:
    _ingest(conn, 1, *[_row(i, PROMPTS[i % len(PROMPTS)]) for i in range(50)])
    for f in (Filters(), Filters(tz="Asia/Kolkata", subagent=True)):
        view = qdash.overview(conn, f)
        totals = reports.totals(usage_by(conn, "model", f))
        assert view.kpis.requests == totals["requests"]
        assert view.kpis.unpriced_requests == totals["unpriced_requests"]
        assert view.kpis.cost_usd == totals["cost_usd"]
        assert view.kpis.tokens == {t: totals[t] for t in view.kpis.tokens}
        per_day = (
            view.by_day_model.group_by("day")
            .agg(pl.col("requests").sum(), pl.col("cost_usd").sum())
            .sort("day")
        )
        by_day = usage_by(conn, "day", f).sort("day")
        assert per_day["requests"].to_list() == by_day["requests"].to_list()
        assert per_day["cost_usd"].to_list() == by_day["cost_usd"].to_list()
        assert [d.isoformat() for d in per_day["day"].to_list()] == by_day["day"].to_list()
        for by in ("workload", "model", "session", "project"):
            assert_frame_equal(getattr(view, f"by_{by}"), usage_by(conn, by, f))
    empty = qdash.overview(conn, Filters(workloads=("nothing",)))
    assert empty.kpis.requests == 0
    assert empty.by_model.is_empty()


@pytest.mark.parametrize("factor", [None, pytest.param(Decimal("1.2"), id="factor-override")])
def test_projection_sums_over_the_rollup_equal_the_raw_path(
    conn: duckdb.DuckDBPyConnection, factor: Decimal | None
) -> None:
    """Groups stand in where the token ratio is 1; models converting at another ratio (classic
    <-> v2 tokenizer) are read request by request; together they equal pricing every request."""
    data = [_row(i, PROMPTS[i % len(PROMPTS)]) for i in range(120)]
    _ingest(conn, 1, *data)
    targets = ("claude-haiku-4-5", "claude-sonnet-5-5")
    keys = ["workload", "target", "local_day", "is_subagent", "on_target", "priced"]
    for f in (
        Filters(),
        Filters(tz="Europe/Berlin", models=("claude-opus-4-5", "claude-sonnet-5-5")),
    ):
        assert rollup.usable(conn, f.tz)
        other = [m for (m,) in rows(conn, "project_other_models", targets=list(targets))]
        assert "claude-sonnet-5-5" in other  # v2 source vs classic target: not from groups
        combined = projection.units(conn, targets, factor, f)
        raw = run(
            conn,
            "project_units",
            rollup=False,
            pairs="all",
            targets=list(targets),
            tokenizer_factor=factor,
            **f.params(),
        )
        sort = [*keys, "ineligible_reason"]
        sums = [pl.col(c).sum() for c in raw.columns if c not in sort]
        assert_frame_equal(
            combined.group_by(sort).agg(sums).sort(sort, nulls_last=True),
            raw.group_by(sort).agg(sums).sort(sort, nulls_last=True),
        )
    spend = sum(usage_by(conn, "model")["cost_usd"].to_list(), Decimal(0))
    for name in ("all", "recommended", "subagents"):
        scenario = projection.builtin_scenario(name, targets)  # type: ignore[arg-type]
        totals = projection.project(conn, scenario).totals
        assert totals["requests"] == 120
        assert totals["current_cost_usd"] == spend


def test_hour_slices_close_a_run_at_the_hour_that_reaches_the_limit() -> None:
    from switchcost.queries.hour_slices import hour_slices

    # rows per hour 3, 1, 2, 5, 1 with a limit of 4: 3+1 reaches 4, 2+5 passes it, 1 is left
    counted = [(0, 3), (1, 1), (2, 2), (3, 5), (4, 1)]
    assert hour_slices(counted, 4) == [[0, 1], [2, 3], [4]]
    assert hour_slices([], 4) == []
    assert hour_slices(counted, 1) == [[0], [1], [2], [3], [4]]
