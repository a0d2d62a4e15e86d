"""The dashboard's own queries on tiny hand-made rows, against numbers worked out by hand.

A test price file defines two models with round rates, so every expected dollar amount below
is arithmetic on the rows here, not a figure read back from the shipped price file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from switchcost.queries import dashboard, db
from switchcost.queries.filters import Filters

PRICES = """
[[models]]
id = "test-big"
aliases = ["test-big-20260101"]
family = "test"
  [[models.prices]]
  effective_from = 2025-01-01
  input = 3.0
  output = 15.0
  cache_write_5m = 3.75
  cache_write_1h = 6.0
  cache_read = 0.30
  batch_multiplier = 0.5
  long_context_threshold = 200000
  long_context_input = 6.0
  long_context_output = 22.5
  long_context_cache_write_5m = 7.5
  long_context_cache_write_1h = 12.0
  long_context_cache_read = 0.60
  source = "test rates"

[[models]]
id = "test-small"
family = "test"
  [[models.prices]]
  effective_from = 2025-01-01
  input = 1.0
  output = 5.0
  cache_write_5m = 1.25
  cache_write_1h = 2.0
  cache_read = 0.10
  source = "test rates"
"""

# key, source, ts (UTC), model, input, cw5m, cw1h, read, output, workload, subagent, tier
ROWS = [
    ("r1", "messages", "2026-01-10 10:00:00", "test-big-20260101", 1000, 2000, 0, 10000, 500,
     "chat", False, None),
    ("r2", "messages", "2026-01-11 23:30:00", "test-small", 100, 0, 0, 4000, 200,
     "extract", True, None),
    ("r3", "claude-code", "2026-01-11 12:00:00", "mystery-model", 50, 0, 0, 0, 50,
     None, False, None),
    ("r4", "messages", "2026-01-12 08:00:00", "test-big", 2000, 0, 0, 1000, 100,
     "chat", False, "batch"),
    ("r5", "claude-code", "2026-01-12 09:00:00", "test-big", 150000, 0, 0, 60000, 1000,
     None, False, None),
]  # fmt: skip
# Hand-computed per request (USD): cost, cache savings = read x (input - read rate) x multiplier.
#  r1: (1000*3 + 2000*3.75 + 10000*0.30 + 500*15)/1e6 = 0.021      saving 10000*2.70/1e6 = 0.027
#  r2: (100*1 + 4000*0.10 + 200*5)/1e6                = 0.0015     saving 4000*0.90/1e6  = 0.0036
#  r3: unpriced (NULL cost, no saving)
#  r4: (2000*3 + 1000*0.30 + 100*15)/1e6 * 0.5 = 0.0039   saving 1000*2.70*0.5/1e6 = 0.00135
#  r5: prompt 210000 > 200000, long-context rates for every token type:
#      (150000*6 + 60000*0.60 + 1000*22.5)/1e6        = 0.9585     saving 60000*5.40/1e6 = 0.324


@pytest.fixture
def conn(tmp_path: Path, db_path: Path):  # type: ignore[no-untyped-def]
    prices = tmp_path / "prices.toml"
    prices.write_text(PRICES, encoding="utf-8")
    with db.connect(db_path) as writer:
        writer.execute(
            "INSERT INTO ingest_runs VALUES "
            "(1, '2026-01-12 10:00:00+00', '2026-01-12 10:00:05+00', 2, 5, 0, 2, 1),"
            "(2, '2026-01-13 10:00:00+00', '2026-01-13 10:00:01+00', 1, 0, 3, 0, 0)"
        ).fetchall()
        for key, source, ts, model, inp, cw5, cw1, read, out, wl, sub, tier in ROWS:
            writer.execute(
                "INSERT INTO requests (request_key, source, source_file, source_line, ts, model,"
                " input_tokens, cache_write_5m, cache_write_1h, cache_read, output_tokens,"
                " workload, is_subagent, service_tier, run_id)"
                " VALUES (?, ?, ?, 1, CAST(? AS TIMESTAMP) AT TIME ZONE 'UTC', ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?, 1)",
                [key, source, f"/logs/{source}.jsonl", ts, model, inp, cw5, cw1, read, out, wl,
                 sub, tier],
            ).fetchall()  # fmt: skip
        writer.execute(
            "INSERT INTO source_files VALUES"
            " ('/logs/messages.jsonl', 'messages', 900, 1.0, 900, 7, 'h1', 0, 1),"
            " ('/logs/claude-code.jsonl', 'claude-code', 400, 1.0, 400, 3, 'h2', 1, 2),"
            " ('/logs/empty.jsonl', 'messages', 0, 1.0, 0, 0, 'h3', 0, 2)"
        ).fetchall()
        writer.execute(
            "INSERT INTO malformed_lines VALUES ('/logs/messages.jsonl', 4, 'not JSON', 1),"
            " ('/logs/messages.jsonl', 2, 'no usage block', 1)"
        ).fetchall()
    reader = db.connect(db_path, read_only=True, prices=prices)
    yield reader
    reader.close()


def test_kpis_whole_history(conn) -> None:  # type: ignore[no-untyped-def]
    k = dashboard.overview(conn, Filters()).kpis
    assert k.requests == 5
    assert k.unpriced_requests == 1
    assert k.cost_usd == Decimal("0.9849")
    assert k.cache_savings_usd == Decimal("0.35595")
    assert k.tokens == {
        "input_tokens": 153150,
        "cache_write_5m_tokens": 2000,
        "cache_write_1h_tokens": 0,
        "cache_read_tokens": 75000,
        "output_tokens": 1850,
    }
    assert k.cache_hit_rate == Decimal(75000) / Decimal(153150 + 2000 + 75000)
    assert (k.first_day, k.last_day, k.days) == (dt.date(2026, 1, 10), dt.date(2026, 1, 12), 3)
    # 0.9849 over 3 days = 0.3283 a day, times 30.4375 days a month
    assert k.monthly_run_rate_usd == Decimal("9.99263125")


def test_kpis_time_zone_moves_a_request_to_the_next_day(conn) -> None:  # type: ignore[no-untyped-def]
    # r2 is 23:30 UTC on the 11th = 00:30 on the 12th in Berlin.
    k = dashboard.overview(conn, Filters(since=dt.date(2026, 1, 12), tz="Europe/Berlin")).kpis
    assert k.requests == 3
    assert k.cost_usd == Decimal("0.0015") + Decimal("0.0039") + Decimal("0.9585")
    utc = dashboard.overview(conn, Filters(since=dt.date(2026, 1, 12))).kpis
    assert utc.requests == 2


def test_kpis_run_rate_uses_the_filter_window_not_the_data_span(conn) -> None:  # type: ignore[no-untyped-def]
    k = dashboard.overview(
        conn, Filters(since=dt.date(2026, 1, 1), until=dt.date(2026, 1, 30))
    ).kpis
    assert k.days == 30
    assert k.monthly_run_rate_usd == Decimal("0.9849") / 30 * Decimal("30.4375")


def test_kpis_subagent_and_workload_filters(conn) -> None:  # type: ignore[no-untyped-def]
    sub = dashboard.overview(conn, Filters(subagent=True)).kpis
    assert (sub.requests, sub.cost_usd, sub.cache_savings_usd) == (
        1,
        Decimal("0.0015"),
        Decimal("0.0036"),
    )
    none_wl = dashboard.overview(conn, Filters(workloads=("(none)",))).kpis
    assert none_wl.requests == 2
    assert none_wl.unpriced_requests == 1
    assert none_wl.cost_usd == Decimal("0.9585")


def test_kpis_empty_window(conn) -> None:  # type: ignore[no-untyped-def]
    k = dashboard.overview(conn, Filters(models=("nothing",))).kpis
    assert (k.requests, k.cost_usd, k.days, k.monthly_run_rate_usd) == (0, 0, 0, 0)
    assert k.cache_hit_rate is None


def test_spend_by_day_model(conn) -> None:  # type: ignore[no-untyped-def]
    frame = dashboard.overview(conn, Filters()).by_day_model
    got = [
        (r["day"].isoformat(), r["model"], r["requests"], r["cost_usd"], r["unpriced_requests"])
        for r in frame.to_dicts()
    ]
    assert got == [
        ("2026-01-10", "test-big", 1, Decimal("0.021"), 0),
        ("2026-01-11", "mystery-model", 1, Decimal(0), 1),
        ("2026-01-11", "test-small", 1, Decimal("0.0015"), 0),
        ("2026-01-12", "test-big", 2, Decimal("0.9624"), 0),
    ]


def test_choices_and_bounds(conn) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.choices(conn) == {
        "model": ["test-big", "mystery-model", "test-small"],
        "source": ["messages", "claude-code"],
        "workload": ["(none)", "chat", "extract"],
    }
    assert dashboard.date_bounds(conn, "UTC") == (dt.date(2026, 1, 10), dt.date(2026, 1, 12))
    assert dashboard.date_bounds(conn, "Asia/Tokyo") == (
        dt.date(2026, 1, 10),
        dt.date(2026, 1, 12),
    )
    assert dashboard.date_bounds(conn, "America/Los_Angeles")[0] == dt.date(2026, 1, 10)


def test_data_page_queries(conn) -> None:  # type: ignore[no-untyped-def]
    last = dashboard.last_ingest(conn)
    assert last is not None
    assert last["run_id"] == 2
    assert dashboard.ingest_runs(conn, 1)["run_id"].to_list() == [2]
    files = dashboard.source_files(conn).select("path", "requests", "lines", "resets")
    assert files.rows() == [
        ("/logs/claude-code.jsonl", 2, 3, 1),
        ("/logs/empty.jsonl", 0, 0, 0),
        ("/logs/messages.jsonl", 3, 7, 0),
    ]
    assert dashboard.sources(conn).select("source", "requests", "files").rows() == [
        ("messages", 3, 1),
        ("claude-code", 2, 1),
    ]
    total, bad = dashboard.malformed(conn, limit=1)
    assert total == 2
    assert bad.select("line", "reason").rows() == [(2, "no usage block")]
    assert dashboard.unpriced(conn).select("model", "requests").rows() == [("mystery-model", 1)]
    table = dashboard.price_table(conn)
    test_rows = table.filter(table["model"].str.starts_with("test-"))
    assert test_rows.select("model", "input", "cache_read", "source").rows() == [
        ("test-big", Decimal("3.000000"), Decimal("0.300000"), "test rates"),
        ("test-small", Decimal("1.000000"), Decimal("0.100000"), "test rates"),
    ]


def test_last_ingest_none_before_first_run(db_path: Path) -> None:
    db.connect(db_path).close()
    with db.connect(db_path, read_only=True) as reader:
        assert dashboard.last_ingest(reader) is None
        assert dashboard.date_bounds(reader) == (None, None)
        assert dashboard.overview(reader).kpis.requests == 0
