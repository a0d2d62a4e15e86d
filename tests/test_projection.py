"""Hand-worked projections: every expected dollar below is computed in the comments from the
published rates (USD per million tokens), not by the code under test.

Sonnet 4.5: input 3, output 15, 5m write 3.75, 1h write 6, read 0.30; prompts > 200K: 6 / 22.50
/ 7.50 / 12 / 0.60 for every token.  Haiku 4.5: 1 / 5 / 1.25 / 2 / 0.10, 200K window, caches only
prompts with >= 4,096 cached tokens, no regional inference.  Batch x0.5.  Web search $10 / 1,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from switchcost.queries import db
from switchcost.queries.filters import Filters
from switchcost.queries.projection import Scenario, ScenarioError, builtin_scenario, project
from tests.projection_db import add

HAIKU = "claude-haiku-4-5"

# Workload "extract", all on Sonnet 4.5 unless noted:
# R1 2,000 in + 3,000 5m + 1,000 1h + 4,000 read + 800 out (cached 8,000 >= 4,096: stays cached)
#    Sonnet 6,000 + 11,250 + 6,000 + 1,200 + 12,000 = 36,450 -> $0.03645
#    Haiku  2,000 +  3,750 + 2,000 +   400 +  4,000 = 12,150 -> $0.01215
R1 = {
    "input_tokens": 2000,
    "cache_write_5m": 3000,
    "cache_write_1h": 1000,
    "cache_read": 4000,
    "output_tokens": 800,
}
# R2 batch: 10,000 in + 2,000 out. Sonnet (30,000 + 30,000) x 0.5 -> $0.03;
#    Haiku (10,000 + 10,000) x 0.5 -> $0.01
R2 = {"input_tokens": 10000, "output_tokens": 2000, "service_tier": "batch"}
# R3 web search: 1,000 in + 100 out + 3 searches. Sonnet 3,000 + 1,500 -> $0.0045 + $0.03 = $0.0345
#    Haiku 1,000 + 500 -> $0.0015 + $0.03 = $0.0315
R3 = {"input_tokens": 1000, "output_tokens": 100, "web_search_requests": 3}
# R4 small cache: 500 in + 1,000 5m + 2,000 read + 200 out. Sonnet 1,500 + 3,750 + 600 + 3,000
#    = 8,850 -> $0.00885. Haiku: 3,000 cached < 4,096, so 3,500 uncached: 3,500 + 1,000 -> $0.0045
R4 = {"input_tokens": 500, "cache_write_5m": 1000, "cache_read": 2000, "output_tokens": 200}
# R5 long context: 150,000 in + 60,000 read + 1,000 out = 210,000 prompt > 200K (Sonnet tier):
#    900,000 + 36,000 + 22,500 = 958,500 -> $0.9585. Over Haiku's 200K window: cannot move.
R5 = {"input_tokens": 150000, "cache_read": 60000, "output_tokens": 1000}
# R6 Sonnet 4.6 pinned to the US (x1.1): (3,000 + 1,500) x 1.1 -> $0.00495. Haiku has no
#    regional inference: cannot move.
R6 = {
    "model": "claude-sonnet-4-6",
    "input_tokens": 1000,
    "output_tokens": 100,
    "inference_geo": "us",
}

CURRENT = D("0.03645") + D("0.03") + D("0.0345") + D("0.00885") + D("0.9585") + D("0.00495")
MOVED_NOW = D("0.03645") + D("0.03") + D("0.0345") + D("0.00885")  # R1-R4
MOVED_ON_HAIKU = D("0.01215") + D("0.01") + D("0.0315") + D("0.0045")


@pytest.fixture
def conn(db_path: Path) -> duckdb.DuckDBPyConnection:
    c = db.connect(db_path)
    for r in (R1, R2, R3, R4, R5, R6):
        add(c, workload="extract", **r)
    return c


def _row(p: object, workload: str, target: str = HAIKU) -> dict[str, object]:
    rows = [r for r in p.rows.to_dicts() if r["workload"] == workload and r["target"] == target]  # type: ignore[attr-defined]
    assert len(rows) == 1
    return rows[0]


def test_hand_worked_costs_on_haiku(conn: duckdb.DuckDBPyConnection) -> None:
    p = project(conn, builtin_scenario("all", (HAIKU,)))
    row = _row(p, "extract")
    assert row["requests"] == 6
    assert row["moved_requests"] == 4
    assert row["current_cost_usd"] == CURRENT
    assert row["moved_target_cost_usd"] == MOVED_ON_HAIKU
    assert row["projected_cost_usd"] == CURRENT - MOVED_NOW + MOVED_ON_HAIKU
    assert row["savings_usd"] == MOVED_NOW - MOVED_ON_HAIKU
    assert row["ineligible_requests"] == 2
    assert "prompt exceeds target context window (1)" in str(row["ineligible_reasons"])
    assert "inference_geo us" in str(row["ineligible_reasons"])
    assert row["break_even_escalation"] == (1 - MOVED_ON_HAIKU / MOVED_NOW).quantize(D("1e-12"))
    assert p.totals["savings_usd"] == row["savings_usd"]
    assert p.by_day["projected_cost_usd"].to_list() == [row["projected_cost_usd"]]


@pytest.mark.parametrize(("share", "esc"), [(D(1), D("0.2")), (D("0.5"), D("0.2")), (D(0), D(1))])
def test_share_and_escalation_arithmetic(conn: duckdb.DuckDBPyConnection, share: D, esc: D) -> None:
    p = project(conn, Scenario("esc", workloads=("extract",), share=share, escalation=esc))
    row = _row(p, "extract")
    # savings = share x ((1 - e) x C - T) with C, T the hand-worked moved totals
    assert row["savings_usd"] == share * ((1 - esc) * MOVED_NOW - MOVED_ON_HAIKU)


def test_break_even_escalation_saves_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    be = _row(project(conn, builtin_scenario("all", (HAIKU,))), "extract")["break_even_escalation"]
    assert isinstance(be, D)
    row = _row(project(conn, Scenario("be", escalation=be)), "extract")
    assert abs(D(str(row["savings_usd"]))) < D("1e-12")
    worse = _row(project(conn, Scenario("be", escalation=min(D(1), be + D("0.01")))), "extract")
    assert D(str(worse["savings_usd"])) < 0


def test_output_ratio_scales_only_output(conn: duckdb.DuckDBPyConnection) -> None:
    # Output of R1-R4 on Haiku: 800 + 2,000 x 0.5 (batch) + 100 + 200 = 2,100 tokens-equivalent
    # at $5 -> $0.0105; ratio 1.5 adds half of that: $0.00525 more projected cost.
    base = _row(project(conn, Scenario("r")), "extract")
    more = _row(project(conn, Scenario("r", output_ratio={"extract": D("1.5")})), "extract")
    assert D(str(more["projected_cost_usd"])) - D(str(base["projected_cost_usd"])) == D("0.00525")


def test_projecting_onto_own_model_saves_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    p = project(conn, builtin_scenario("all", ("claude-sonnet-4-5",)))
    row = _row(p, "extract", "claude-sonnet-4-5")
    assert row["savings_usd"] == 0
    assert row["already_on_target"] == 5  # R6 is on Sonnet 4.6, so it moves (1:1 tokenizer)


def test_tokenizer_conversion_and_target_rules(db_path: Path) -> None:
    c = db.connect(db_path)
    # Opus 4.7 (v2 tokenizer, $5/$25): 13,000 in + 1,300 out -> 65,000 + 32,500 = $0.0975.
    # On Haiku 4.5 (classic) tokens / 1.3: 10,000 in + 1,000 out -> 10,000 + 5,000 = $0.015.
    # With an override factor 1.25: 10,400 + 1,040 -> 10,400 + 5,200 = $0.0156.
    add(c, workload="tok", model="claude-opus-4-7", input_tokens=13000, output_tokens=1300)
    # Opus 4.6 fast (x6): (5,000 + 2,500) x 6 = $0.045. Haiku has no fast mode: 1,000 + 500
    # = $0.0015 at standard speed.
    add(
        c,
        workload="fast",
        model="claude-opus-4-6",
        input_tokens=1000,
        output_tokens=100,
        speed="fast",
    )
    # Sonnet 4.5 -> Haiku 5.5 (v2, x1.3): 80,000 in -> 104,000 > Haiku 5.5's 100K tier: every
    # token at 0.50 / 2.50: 52,000 + 1,000 out -> 1,300 x 2.5 = 3,250 -> $0.05525.
    add(c, workload="lc55", input_tokens=80000, output_tokens=1000)
    p = project(c, builtin_scenario("all", (HAIKU, "claude-haiku-5-5")))
    assert _row(p, "tok")["moved_target_cost_usd"] == D("0.015")
    assert _row(p, "tok")["current_cost_usd"] == D("0.0975")
    assert _row(p, "fast")["current_cost_usd"] == D("0.045")
    assert _row(p, "fast")["moved_target_cost_usd"] == D("0.0015")
    assert _row(p, "lc55", "claude-haiku-5-5")["moved_target_cost_usd"] == D("0.05525")
    over = project(c, Scenario("o", tokenizer_factor=D("1.25")), Filters(workloads=("tok",)))
    assert _row(over, "tok")["moved_target_cost_usd"] == D("0.0156")
    assert over.assumptions["tokenizer_factor"] == D("1.25")


def test_filters_and_run_rate(db_path: Path) -> None:
    c = db.connect(db_path)
    # Two days 9 days apart -> a 10-day window; $0.03 + $0.03 over 10 days -> x 30.4375 / 10.
    for day in (1, 10):
        add(c, workload="w", ts=dt.datetime(2026, 11, day, 8, tzinfo=dt.UTC), **R2)
    p = project(c, builtin_scenario("all", (HAIKU,)))
    assert p.assumptions["window_days"] == 10
    assert _row(p, "w")["monthly_current_usd"] == D("0.06") * D("30.4375") / 10
    only = project(c, builtin_scenario("all", (HAIKU,)), Filters(since=dt.date(2026, 11, 5)))
    assert _row(only, "w")["requests"] == 1


def test_unknown_or_unpriced_target_is_an_error(conn: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ScenarioError, match="unknown target"):
        project(conn, builtin_scenario("all", ("gpt-9",)))
    with pytest.raises(ScenarioError, match="no price"):
        project(conn, builtin_scenario("all", ("claude-mythos-5-2",)))
    with pytest.raises(ScenarioError, match="share"):
        project(conn, Scenario("bad", share=D(2)))
