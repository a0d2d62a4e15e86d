"""The priced view against hand-worked bills (USD per MTok from Anthropic's pricing page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from switchcost.queries import db
from switchcost.queries.run_sql import rows
from tests.rows import insert, request


def cost_of(conn: duckdb.DuckDBPyConnection, key: str) -> Decimal | None:
    rows = conn.execute(
        "SELECT cost_usd FROM priced_requests WHERE request_key = $k", {"k": key}
    ).fetchall()
    value = rows[0][0]
    return None if value is None else Decimal(value)


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(db_path)
    yield c
    c.close()


def test_sonnet_45_every_token_type(conn: duckdb.DuckDBPyConnection) -> None:
    # 1,000 in x $3 + 2,000 5m x $3.75 + 4,000 1h x $6 + 10,000 read x $0.30 + 500 out x $15
    # = 3,000 + 7,500 + 24,000 + 3,000 + 7,500 = 45,000 per million = $0.045
    insert(
        conn,
        request(
            request_key="a",
            input_tokens=1000,
            cache_write_5m=2000,
            cache_write_1h=4000,
            cache_read=10000,
            output_tokens=500,
        ),
    )
    assert cost_of(conn, "a") == Decimal("0.045")


def test_batch_halves_everything(conn: duckdb.DuckDBPyConnection) -> None:
    # Haiku 4.5 batch: (10,000 x $1 + 2,000 x $5) x 0.5 = 10,000 -> $0.01
    insert(
        conn,
        request(
            request_key="b",
            model="claude-haiku-4-5-20251001",
            service_tier="batch",
            input_tokens=10000,
            output_tokens=2000,
        ),
    )
    assert cost_of(conn, "b") == Decimal("0.01")


def test_long_context_bills_the_whole_request(conn: duckdb.DuckDBPyConnection) -> None:
    # Sonnet 4.5, prompt 150,000 input + 60,000 cache read = 210,000 > 200,000: every token at
    # the long rates: 150,000 x $6 + 60,000 x $0.60 + 1,000 out x $22.50
    # = 900,000 + 36,000 + 22,500 = 958,500 per million = $0.9585
    insert(
        conn, request(request_key="lc", input_tokens=150000, cache_read=60000, output_tokens=1000)
    )
    # Exactly 200,000 is not above the threshold: 200,000 x $3 + 1,000 x $15 = $0.615
    insert(conn, request(request_key="edge", input_tokens=200000, output_tokens=1000))
    assert cost_of(conn, "lc") == Decimal("0.9585")
    assert cost_of(conn, "edge") == Decimal("0.615")


def test_fast_mode_and_us_geo_stack(conn: duckdb.DuckDBPyConnection) -> None:
    # Opus 5.5 ($4/$20) fast (2x) in the US (1.1x): (1,000 x 4 + 1,000 x 20) x 2.2 = 52,800
    insert(
        conn,
        request(
            request_key="f",
            model="claude-opus-5-5",
            speed="fast",
            inference_geo="us",
            input_tokens=1000,
            output_tokens=1000,
        ),
    )
    assert cost_of(conn, "f") == Decimal("0.0528")


def test_web_search_is_ten_dollars_per_thousand(conn: duckdb.DuckDBPyConnection) -> None:
    # 3 searches x $0.01 + 100 in x $3/M = $0.03 + $0.0003
    insert(conn, request(request_key="w", web_search_requests=3, input_tokens=100))
    assert cost_of(conn, "w") == Decimal("0.0303")


def test_price_change_applies_from_its_day(conn: duckdb.DuckDBPyConnection) -> None:
    # Sonnet 5.5 cache read: $0.20 before 2026-10-07, $0.10 from that day.
    day_before = dt.datetime(2026, 10, 6, 23, 59, tzinfo=dt.UTC)
    day_of = dt.datetime(2026, 10, 7, 0, 0, tzinfo=dt.UTC)
    insert(
        conn,
        request(request_key="old", model="claude-sonnet-5-5", ts=day_before, cache_read=1000000),
        request(request_key="new", model="claude-sonnet-5-5", ts=day_of, cache_read=1000000),
    )
    assert cost_of(conn, "old") == Decimal("0.20")
    assert cost_of(conn, "new") == Decimal("0.10")


def test_unknown_model_is_unpriced_not_free(conn: duckdb.DuckDBPyConnection) -> None:
    insert(conn, request(request_key="u", model="claude-mystery-9", input_tokens=5))
    got = conn.execute(
        "SELECT priced, cost_usd FROM priced_requests WHERE request_key = 'u'"
    ).fetchall()
    assert got == [(False, None)]
    audit = rows(conn, "unpriced_models", folder="checks")
    assert [r[0] for r in audit] == ["claude-mystery-9"]


def test_user_price_file_overrides_and_adds(db_path: Path, tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(
        '[[models]]\nid = "claude-mystery-9"\n[[models.prices]]\neffective_from = 2020-01-01\n'
        "input = 2.0\noutput = 8.0\ncache_write_5m = 2.5\ncache_write_1h = 4.0\n"
        'cache_read = 0.2\nsource = "our contract"\n',
        encoding="utf-8",
    )
    with db.connect(db_path, prices=user) as conn:
        insert(
            conn,
            request(
                request_key="m", model="claude-mystery-9", input_tokens=1000, output_tokens=1000
            ),
        )
        # 1,000 x $2 + 1,000 x $8 = 10,000 per million
        assert cost_of(conn, "m") == Decimal("0.01")


def test_sum_is_exact_over_many_tiny_costs(conn: duckdb.DuckDBPyConnection) -> None:
    # 10,000 requests of 1 cache-read token on Haiku 5.5 ($0.01/M) = 10,000 x $0.00000001
    conn.execute(
        "INSERT INTO requests (request_key, source, source_file, source_line, ts, model,"
        " input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens, run_id)"
        " SELECT 't' || i, 'x', 'f', i, TIMESTAMPTZ '2026-11-01 00:00:00+00', 'claude-haiku-5-5',"
        " 0, 0, 0, 1, 0, 1 FROM range(10000) r(i)"
    )
    total = conn.execute(
        "SELECT sum(cost_usd) FROM priced_requests WHERE request_key LIKE 't%'"
    ).fetchall()[0][0]
    assert Decimal(total) == Decimal("0.0001")


def test_located_units_keep_exactly_the_rows_filtered_units_keep(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    """located_units writes the shared filters a second time (without prices): same rows."""
    from switchcost.queries import macro_registry, rollup

    for i in range(48):
        insert(
            conn,
            request(
                request_key=f"f{i}",
                # 22:00 UTC on Nov 1 .. 21:00 on Nov 3: local days differ by time zone
                ts=dt.datetime(2026, 11, 1, 22, tzinfo=dt.UTC) + dt.timedelta(hours=i),
                model=("claude-sonnet-4-5", "claude-haiku-4-5-20251001", "claude-x-1")[i % 3],
                source=("messages", "claude-code")[i % 2],
                workload=("triage", None, "planner", "docs")[i % 4],
                is_subagent=i % 5 == 0,
                input_tokens=10 + i,
            ),
        )
    with db.transaction(conn):
        rollup.refresh(conn, 1)
    args = "$tz, $since, $until, $workloads, $models, $sources, $subagent, $r"
    for filters in (
        {},
        {"tz": "Europe/Berlin", "since": dt.date(2026, 11, 2), "until": dt.date(2026, 11, 2)},
        {"tz": "America/Los_Angeles", "workloads": ["(none)", "docs"], "subagent": False},
        {"models": ["claude-sonnet-4-5-20250929", "claude-x-1"], "sources": ["messages"]},
        {"subagent": True, "until": dt.date(2026, 11, 2)},
    ):
        params = {
            "tz": "UTC",
            "since": None,
            "until": None,
            "workloads": None,
            "models": None,
            "sources": None,
            "subagent": None,
            **filters,
        }
        for use_rollup in (False, True):
            got = {}
            for macro in ("filtered_units", "located_units"):
                text = (
                    f"SELECT local_day, model_id, coalesce(workload, '-'), source, is_subagent,"
                    f" sum(n), sum(input_tokens) FROM {macro}({args}) GROUP BY ALL ORDER BY ALL"
                )
                macro_registry.prepare(conn, text)
                got[macro] = conn.execute(text, {**params, "r": use_rollup}).fetchall()
            assert got["located_units"] == got["filtered_units"], (filters, use_rollup)
            assert got["located_units"], filters
