"""Latency percentiles from the rollup's histograms are within 1% of the exact ones.

The exact side is computed independently: numpy's percentile (linear interpolation) over the
values themselves, or DuckDB's quantile_cont over every request (latency_stats.sql).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchcost.queries import db, projection, rollup, sketch
from switchcost.queries.filters import Filters
from switchcost.queries.latency import blocks, latency_tables, target_speeds
from switchcost.queries.task_class import load_defaults
from tests.rows import insert, request

# The bound: 1%, plus float rounding at a bucket's edge.
TOL = sketch.ALPHA + 1e-9
PS = (0.5, 0.95, 0.99)
T0 = dt.datetime(2026, 9, 1, 0, 0, tzinfo=dt.UTC)

values = st.floats(min_value=1e-3, max_value=1e7, allow_nan=False, allow_infinity=False)


def close(approx: float | None, exact: float | None) -> bool:
    if approx is None or exact is None:
        return approx is None and exact is None
    return abs(approx - exact) <= TOL * abs(exact) + 1e-12


@given(st.lists(values, min_size=1, max_size=400))
def test_quantiles_from_buckets_are_within_one_percent_of_numpy(xs: list[float]) -> None:
    got = sketch.quantiles(sketch.histogram(xs), PS)
    want = np.percentile(np.array(xs), [p * 100 for p in PS])  # numpy's linear rule
    for g, w in zip(got, want, strict=True):
        assert close(g, float(w)), (g, w)


@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=100))
def test_zeros_keep_the_bound(xs: list[float]) -> None:
    got = sketch.quantiles(sketch.histogram(xs), PS)
    want = np.percentile(np.array(xs), [p * 100 for p in PS])
    for g, w in zip(got, want, strict=True):
        assert close(g, float(w)), (g, w)


@given(st.lists(st.floats(min_value=-1e4, max_value=1e4), min_size=1, max_size=100))
def test_negative_values_are_within_one_percent_of_their_magnitudes(xs: list[float]) -> None:
    """A latency below zero is bad data, but it is not lost: each ordered value is within 1%,
    so an interpolated percentile is within 1% of the interpolated magnitudes of its two
    neighbours (across a change of sign that can be more than 1% of the result itself)."""
    got = sketch.quantiles(sketch.histogram(xs), PS)
    ordered = sorted(xs)
    for g, p in zip(got, PS, strict=True):
        h = (len(xs) - 1) * p
        lo, hi, f = math.floor(h), math.ceil(h), h - math.floor(h)
        want = ordered[lo] + f * (ordered[hi] - ordered[lo])
        scale = (1 - f) * abs(ordered[lo]) + f * abs(ordered[hi])
        assert g is not None
        assert abs(g - want) <= TOL * scale + 1e-9, (g, want)


def test_representative_is_within_alpha_of_the_bucket_edges() -> None:
    # Bucket i holds (gamma^(i-1), gamma^i]; 2 gamma^i / (gamma + 1) is 1% from both ends.
    g = 1.01 / 0.99
    for i in (-300, -1, 0, 1, 57, 900):
        rep = sketch.representative(i)
        assert math.isclose(rep / g**i, 1 - 0.01, rel_tol=1e-12)
        assert math.isclose(rep / g ** (i - 1), 1 + 0.01, rel_tol=1e-12)
    assert sketch.bucket(0.0) == sketch.ZERO
    assert sketch.representative(sketch.ZERO) == 0
    assert sketch.bucket(float("nan")) is None


def test_blocks_tile_the_days_exactly() -> None:
    cases = ((0, 1), (20000, 20090), (20001, 20700), (-262144, 262144), (5, 5))
    for first, stop in cases:
        day = first
        for level, start in blocks(first, stop):
            span = 8 ** (level - 1)
            assert start % span == 0  # aligned, as the rollup builds them
            assert start == day  # each block starts where the last ended: no gap, no overlap
            day += span
        assert day == max(first, stop)
    assert len(blocks(20001, 20700)) <= 2 * 7 * 7


# --- the database: histograms kept by the rollup refresh, read by latency_sketch.sql --------------


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


MODELS = ("claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-5")
WORKLOADS = ("triage", "planner", None)


def _rows(seed: int, n: int, start: dt.datetime = T0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        timed = rng.random() < 0.8
        ttft = float(rng.lognormal(6, 0.7)) if timed else None
        gen = float(rng.lognormal(8, 1.0)) if timed else None
        out.append(
            request(
                request_key=f"s{seed}-{i}",
                ts=start + dt.timedelta(minutes=float(rng.integers(0, 60 * 24 * 40))),
                model=MODELS[int(rng.integers(0, 3))],
                workload=WORKLOADS[int(rng.integers(0, 3))],
                source=("messages", "claude-code")[int(rng.integers(0, 2))],
                is_subagent=bool(rng.random() < 0.3),
                output_tokens=int(rng.integers(0, 3)) * int(rng.integers(1, 2000)),
                latency_ms=None if ttft is None or gen is None else ttft + gen,
                ttft_ms=ttft if rng.random() < 0.9 else None,
            )
        )
    return out


COLUMNS = (
    "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "ttft_p50_ms", "ttft_p95_ms",
    "ttft_p99_ms", "tokens_per_s_p50", "tokens_per_s_p95", "tokens_per_s_p99",
)  # fmt: skip
COUNTS = ("requests", "latency_samples", "ttft_samples", "speed_samples")


def _assert_within(conn: duckdb.DuckDBPyConnection, f: Filters) -> None:
    approx = latency_tables(conn, f)
    exact = latency_tables(conn, f, exact=True)
    assert approx.approximate
    assert not exact.approximate
    assert approx.note == sketch.CAPTION
    assert exact.note is None
    for a, e, key in (
        (approx.by_model, exact.by_model, "model"),
        (approx.by_workload, exact.by_workload, "workload"),
    ):
        assert a[key].to_list() == e[key].to_list(), f
        for ra, re_ in zip(a.iter_rows(named=True), e.iter_rows(named=True), strict=True):
            for c in COUNTS:
                assert ra[c] == re_[c], (f, c, ra, re_)
            for c in COLUMNS:
                assert close(ra[c], re_[c]), (f, c, ra[c], re_[c])


ZONES = ("UTC", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati", "Europe/London")
days = st.one_of(st.none(), st.integers(-3, 45).map(lambda d: T0.date() + dt.timedelta(days=d)))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    since=days,
    until=days,
    tz=st.sampled_from(ZONES),
    workloads=st.one_of(st.none(), st.just(("triage", "(none)"))),
    models=st.one_of(st.none(), st.just(("claude-haiku-4-5",))),
    subagent=st.sampled_from((None, True, False)),
)
def test_histogram_percentiles_match_exact_for_every_filter(
    built: Path,
    since: dt.date | None,
    until: dt.date | None,
    tz: str,
    workloads: tuple[str, ...] | None,
    models: tuple[str, ...] | None,
    subagent: bool | None,
) -> None:
    f = Filters(
        since=since, until=until, tz=tz, workloads=workloads, models=models, subagent=subagent
    )
    with db.connect(built, read_only=True) as conn:
        _assert_within(conn, f)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 requests over 40 days, ingested in three runs (the first rebuilds, the others add)."""
    path = tmp_path_factory.mktemp("sketch") / "s.duckdb"
    with db.connect(path) as c:
        assert _ingest(c, 1, _rows(1, 600)) == "full"
        assert _ingest(c, 2, _rows(2, 600)) == "added"
        assert _ingest(c, 3, _rows(3, 300)) == "added"
    return path


def _hist(conn: duckdb.DuckDBPyConnection) -> tuple[list[Any], list[Any]]:
    return (
        conn.execute("SELECT * FROM latency_hours ORDER BY ALL").fetchall(),
        conn.execute("SELECT * FROM latency_blocks ORDER BY ALL").fetchall(),
    )


def test_every_refresh_mode_leaves_the_histograms_a_rebuild_would(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    assert _ingest(conn, 1, _rows(4, 300)) == "full"
    assert _ingest(conn, 2, _rows(5, 300)) == "added"
    # An update that moves a stored request to another hour: the hours mode.
    with db.transaction(conn):
        rollup.track_updates(conn)
        conn.execute(
            "INSERT INTO rollup_touched SELECT ts FROM requests WHERE request_key = 's4-0'"
        )
        conn.execute(
            "UPDATE requests SET ts = ts + INTERVAL 30 DAY, latency_ms = 123.0, run_id = 3"
            " WHERE request_key = 's4-0'"
        )
        assert rollup.refresh(conn, 3) == "hours"
    kept = _hist(conn)
    with db.transaction(conn):
        conn.execute("UPDATE rollup_meta SET hist_requests = NULL")
        assert rollup.refresh(conn, 3) == "full"
    assert _hist(conn) == kept
    # and the hour histograms are the requests' own, bucketed by queries/sketch.py
    lat = [r[0] for r in conn.execute("SELECT latency_ms FROM requests").fetchall()]
    want = sketch.histogram(x for x in lat if x is not None)
    got = dict(
        conn.execute(
            "SELECT bucket, sum(n) FROM latency_hours WHERE metric = 0 GROUP BY bucket"
        ).fetchall()
    )
    assert got == want
    requests = conn.execute("SELECT count(*) FROM requests").fetchall()[0][0]
    for level in range(1, rollup.BLOCK_LEVELS + 1):
        total = conn.execute(
            "SELECT sum(n) FROM latency_blocks WHERE metric = 3 AND level = $l", {"l": level}
        ).fetchall()[0][0]
        assert total == requests, level


def test_a_rollup_from_before_the_histograms_is_rebuilt_and_read_exactly_until_then(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    _ingest(conn, 1, _rows(6, 200))
    with db.transaction(conn):
        conn.execute("DELETE FROM latency_hours")
        conn.execute("DELETE FROM latency_blocks")
        conn.execute("UPDATE rollup_meta SET hist_requests = NULL")  # as migration 0006 leaves it
    assert rollup.status(conn, "UTC") == (True, False)
    assert not latency_tables(conn).approximate
    assert _ingest(conn, 2, _rows(7, 10)) == "full"
    assert rollup.status(conn, "UTC") == (True, True)
    _assert_within(conn, Filters())


def test_target_speed_from_histograms_is_within_one_percent(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    _ingest(conn, 1, _rows(8, 800))
    d = load_defaults()
    targets = ("claude-haiku-4-5", "claude-opus-4-5")
    approx = target_speeds(conn, targets, d)
    exact = target_speeds(conn, targets, d, exact=True)
    for t in targets:
        assert approx[t].source == exact[t].source == "logs"
        assert approx[t].samples == exact[t].samples
        assert close(approx[t].tokens_per_s, exact[t].tokens_per_s)


@pytest.mark.parametrize("scenario", ["all", "subagents", "recommended"])
@pytest.mark.parametrize("target", ["claude-haiku-4-5", "claude-sonnet-4-5"])
def test_projected_latency_from_buckets_is_within_one_percent(
    built: Path, scenario: str, target: str
) -> None:
    """The Switch page's current and projected p50/p95 (project_latency_sketch.sql) against
    project_latency.sql's exact ones, on the same scenario, speeds and selection."""
    with db.connect(built, read_only=True) as c:
        s = projection.builtin_scenario(scenario, (target,))  # type: ignore[arg-type]
        base = projection.prepare_base(c, s.targets, s.tokenizer_factor)
        chosen = projection.moves(base, s)
        args = (c, base.targets, base.filters, tuple(base.speeds.values()), chosen)
        approx = projection.prepare_latency(*args, exact=False)
        exact = projection.prepare_latency(*args, exact=True)
    assert approx.keys() == exact.keys()
    assert any(e["moved_projected"] for e in exact.values()) or scenario != "all"
    for key, e in exact.items():
        a = approx[key]
        for col in ("latency_samples", "projected_samples", "moved_projected", "ttft_estimated"):
            assert a[col] == e[col], (key, col)
        for col in ("current_p50_ms", "current_p95_ms", "projected_p50_ms", "projected_p95_ms"):
            assert close(a[col], e[col]), (key, col, a[col], e[col])
