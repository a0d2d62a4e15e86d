"""The other levers beside a switch (queries/levers.py), on hand-made rows: every expected
dollar is worked in the comments from the published rates (USD per million tokens).

Sonnet 4.5: input 3, output 15, 5m write 3.75, 1h write 6, read 0.30; caches prompts of 1,024+
tokens.  Haiku 4.5: 1 / 5 / 1.25 / 2 / 0.10; caches 4,096+.  Batch x0.5.  Web search $10/1,000.
All requests on 2026-11-03 (UTC), so the window is one day and monthly = x 30.4375.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import duckdb
import pytest

from switchcost.queries import db, levers
from switchcost.queries.filters import Filters
from switchcost.queries.levers import Batch, TargetRates
from switchcost.queries.projection import Scenario, ScenarioError, builtin_scenario, project
from tests.projection_db import add

HAIKU = "claude-haiku-4-5"
SONNET = "claude-sonnet-4-5"


def at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2026, 11, 3, hh, mm, tzinfo=dt.UTC)


# "chat": cached traffic in two sessions (12:00 is a multiple of 300 s: one 5-minute window
# holds 12:00-12:04:59).
#   A s1 12:00  100 in, 10,000 5m write, 100 out
#   B s1 12:02  100 in, 2,000 5m write, 10,000 read, 100 out   (cached prefix 12,000)
#   C s2 12:03  100 in, 5,000 5m write, 100 out                (5,000 >= Haiku's 4,096: cached)
#   D s1 12:20  100 in, 12,000 read, 100 out
# Windows: 12:00 holds s1's largest prefix 12,000 + s2's 5,000 = 17,000; 12:20 holds 12,000.
# Mean over the 2 windows = 29,000 / 2 = 14,500 tokens.  All writes are 5m: TTL 5 min.
# Rebuild on Haiku = 14,500 x (1.25 - 0.10) / 1e6 = 16,675 / 1e6 = $0.016675.
CHAT: list[dict[str, Any]] = [
    {
        "ts": at(12, 0),
        "session_id": "s1",
        "input_tokens": 100,
        "output_tokens": 100,
        "cache_write_5m": 10000,
    },
    {
        "ts": at(12, 2),
        "session_id": "s1",
        "input_tokens": 100,
        "output_tokens": 100,
        "cache_write_5m": 2000,
        "cache_read": 10000,
    },
    {
        "ts": at(12, 3),
        "session_id": "s2",
        "input_tokens": 100,
        "output_tokens": 100,
        "cache_write_5m": 5000,
    },
    {
        "ts": at(12, 20),
        "session_id": "s1",
        "input_tokens": 100,
        "output_tokens": 100,
        "cache_read": 12000,
    },
]
CHAT_SWITCH = D("0.016675")
# Costs, Sonnet -> Haiku (micro-dollars):
#   A 300 + 37,500 + 1,500 = 39,300      -> 100 + 12,500 + 500 = 13,100
#   B 300 + 7,500 + 3,000 + 1,500 = 12,300 -> 100 + 2,500 + 1,000 + 500 = 4,100
#   C 300 + 18,750 + 1,500 = 20,550      -> 100 + 6,250 + 500 = 6,850
#   D 300 + 3,600 + 1,500 = 5,400        -> 100 + 1,200 + 500 = 1,800
# current $0.07755, on Haiku $0.02585: saves $0.0517 a day, so the switch pays back in
# 0.016675 / 0.0517 = 0.32 days -> 0.3.
CHAT_PAYBACK = D("0.3")

# "nightly" (marked batchable), Sonnet, no cache:
#   E 10,000 in + 2,000 out: 30,000 + 30,000 = $0.06; batch $0.03; Haiku 10,000 + 10,000 = $0.02
#   G 1,000 in + 100 out + 3 web searches: 3,000 + 1,500 = $0.0045 + $0.03 web = $0.0345;
#     batch $0.00225 + $0.03 = $0.03225; Haiku 1,000 + 500 = $0.0015 + $0.03 = $0.0315
# batch now = 0.03 + 0.03225 = $0.06225.  On Haiku, web $0.03 stays and the token cost
# (0.02 + 0.0015 = 0.0215, none batched now) halves: 0.03 + 0.01075 = $0.04075.
NIGHTLY: list[dict[str, Any]] = [
    {"input_tokens": 10000, "output_tokens": 2000},
    {"input_tokens": 1000, "output_tokens": 100, "web_search_requests": 3},
]

# "reports": one request already batched, so the logs make it batchable:
#   F batch 10,000 in + 2,000 out: (30,000 + 30,000) x 0.5 = $0.03; Haiku (10,000 + 10,000)
#     x 0.5 = $0.01
#   H 1,000 in (below 1,024: never a caching candidate): $0.003; batch $0.0015; Haiku $0.001
# batch now = 0.03 + 0.0015 = $0.0315.  On Haiku: 1/11 of today's token cost (0.003 / 0.033) is
# not batched, so 0.011 x (1 - 1/11 x 0.5) = $0.0105 (= F 0.01 + H 0.0005).
REPORTS: list[dict[str, Any]] = [
    {"input_tokens": 10000, "output_tokens": 2000, "service_tier": "batch"},
    {"input_tokens": 1000},
]

# "classify": Sonnet, no cache reads or writes:
#   P1 12:00 3,000 in; P2 12:03 2,000 in; P3 12:07 2,500 in; P4 12:30 2,000 in (each 10 out)
#   P5 12:31 500 in (below 1,024: not a candidate)
# Prefix = the smallest candidate prompt, 2,000.  P2 (3 min after P1) and P3 (4 min after P2)
# read it: each saves 2,000 x (3 - 0.30) = 5,400 -> $0.0108 for both.  P1 and P4 (23 min gap)
# write it: each costs 2,000 x (3.75 - 3) = 1,500 more -> $0.003.  Net $0.0078.
CLASSIFY: list[dict[str, Any]] = [
    {"ts": at(12, 0), "input_tokens": 3000, "output_tokens": 10},
    {"ts": at(12, 3), "input_tokens": 2000, "output_tokens": 10},
    {"ts": at(12, 7), "input_tokens": 2500, "output_tokens": 10},
    {"ts": at(12, 30), "input_tokens": 2000, "output_tokens": 10},
    {"ts": at(12, 31), "input_tokens": 500, "output_tokens": 10},
]


@pytest.fixture
def conn(db_path: Path) -> duckdb.DuckDBPyConnection:
    c = db.connect(db_path)
    workloads: dict[str, list[dict[str, Any]]] = {
        "chat": CHAT,
        "nightly": NIGHTLY,
        "reports": REPORTS,
        "classify": CLASSIFY,
    }
    for name, rows in workloads.items():
        for fields in rows:
            add(c, model=SONNET, workload=name, **fields)
    return c


def lever_rows(
    conn: duckdb.DuckDBPyConnection, scenario: Scenario, batchable: tuple[str, ...] = ()
) -> dict[str, dict[str, Any]]:
    p = project(conn, scenario, Filters())
    found = levers.for_projection(conn, scenario, Filters(), p, batchable)
    rows = levers.with_levers(p.rows.to_dicts(), found)
    return {r["workload"]: r for r in rows}


def test_switch_cost_and_payback(conn: duckdb.DuckDBPyConnection) -> None:
    rows = lever_rows(conn, builtin_scenario("all", (HAIKU,)))
    chat = rows["chat"]
    assert chat["current_cost_usd"] == D("0.07755")  # the projection agrees with the comments
    assert chat["projected_cost_usd"] == D("0.02585")
    assert chat["switch_cost_usd"] == CHAT_SWITCH
    assert chat["payback_days"] == CHAT_PAYBACK
    assert rows["classify"]["switch_cost_usd"] == 0  # nothing cached: nothing to rebuild


def test_switch_cost_only_for_what_moves(conn: duckdb.DuckDBPyConnection) -> None:
    moved = Scenario(name="some", targets=(HAIKU,), workloads=("classify",))
    rows = lever_rows(conn, moved)
    assert rows["chat"]["switch_cost_usd"] is None
    assert rows["chat"]["payback_days"] is None


def test_one_hour_cache_uses_hour_windows_and_its_rate(db_path: Path) -> None:
    # 1h writes outweigh 5m ones: hour windows.  s1 at 12:00 writes 6,000 (1h); s1 at 12:40
    # reads 6,000 and writes 1,000 (5m), prefix 7,000: one hour window, s1's largest 7,000.
    # Blended write rate on Haiku = (6,000 x 2 + 1,000 x 1.25) / 7,000 = 13,250 / 7,000.
    # Rebuild = 7,000 x (13,250 / 7,000 - 0.10) / 1e6 = (13,250 - 700) / 1e6 = $0.01255.
    c = db.connect(db_path)
    add(c, model=SONNET, workload="w", session_id="s1", ts=at(12, 0), cache_write_1h=6000)
    add(
        c,
        model=SONNET,
        workload="w",
        session_id="s1",
        ts=at(12, 40),
        cache_read=6000,
        cache_write_5m=1000,
    )
    rows = lever_rows(c, builtin_scenario("all", (HAIKU,)))
    assert rows["w"]["switch_cost_usd"] == D("0.01255")


def test_prefix_the_target_cannot_cache_needs_no_rebuild(db_path: Path) -> None:
    # 3,000 cached tokens are below Haiku's 4,096 minimum: billed as input there, never cached.
    c = db.connect(db_path)
    add(c, model=SONNET, workload="w", session_id="s1", ts=at(12, 0), cache_write_5m=3000)
    assert lever_rows(c, builtin_scenario("all", (HAIKU,)))["w"]["switch_cost_usd"] == 0


def test_batch_marked_and_from_logs(conn: duckdb.DuckDBPyConnection) -> None:
    rows = lever_rows(conn, builtin_scenario("all", (HAIKU,)), batchable=("nightly",))
    nightly, reports = rows["nightly"], rows["reports"]
    assert nightly["batchable"] == "marked"
    assert nightly["batch_current_usd"] == D("0.06225")
    assert nightly["batch_target_usd"] == D("0.04075")
    assert reports["batchable"] == "batch traffic in the logs"
    assert reports["batch_current_usd"] == D("0.0315")
    assert reports["batch_target_usd"] == D("0.0105")
    assert rows["chat"]["batchable"] is None
    assert rows["chat"]["batch_current_usd"] is None


def test_batchable_from_a_scenario_file(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from switchcost.queries.projection import load_scenario_file

    path = tmp_path / "s.toml"
    path.write_text(
        '[[scenarios]]\nname = "n"\ntarget = "claude-haiku-4-5"\nbatchable = ["nightly"]\n',
        encoding="utf-8",
    )
    (scenario,) = load_scenario_file(path)
    assert lever_rows(conn, scenario)["nightly"]["batch_current_usd"] == D("0.06225")


def test_caching_what_if(conn: duckdb.DuckDBPyConnection) -> None:
    rows = lever_rows(conn, builtin_scenario("all", (HAIKU,)))
    classify = rows["classify"]
    assert classify["caching_requests"] == 4
    assert classify["caching_savings_usd"] == D("0.0078")
    for name in ("chat", "nightly", "reports"):  # cached already, or one candidate only
        assert rows[name]["caching_savings_usd"] is None


def test_rebuild_arithmetic_on_its_own() -> None:
    haiku = TargetRates(D("1.25"), D("2"), D("0.10"), D("0.5"))
    # 3 windows holding 9,000 tokens in all: 3,000 per window x (1.25 - 0.10) / 1e6 = $0.00345
    assert levers.rebuild_cost(9000, 3, 500, 0, 300, haiku).usd == D("0.00345")
    # no writes in the window but reads, TTL 1 h: 1h rate; 4,000 x (2 - 0.10) / 1e6 = $0.0076
    assert levers.rebuild_cost(4000, 1, 0, 0, 3600, haiku).usd == D("0.0076")
    # $1 of switch cost, $30.4375 saved a month = $1 a day: one day
    assert levers.payback_days(D(1), D("30.4375")) == D("1.0")
    assert levers.payback_days(D(1), D(0)) is None  # a move that saves nothing never pays back


def test_batch_on_target_arithmetic() -> None:
    # $1 now: $0.20 web, $0.80 tokens of which $0.40 unbatched (half).  Projected $0.60:
    # tokens 0.40, of which half at x0.5 -> 0.40 x (1 - 0.5 x 0.5) = 0.30; + 0.20 web = $0.50
    b = Batch(4, 2, D("1"), D("0.20"), D("0.40"), D("0.80"), "marked")
    assert levers.batch_on_target(D("0.60"), b, D("0.5")) == D("0.5")


def test_switch_cost_reads_the_last_week_of_the_window(db_path: Path) -> None:
    # s1 held 20,000 cached tokens on 1 October and 5,000 on 3 November (both >= Haiku's 4,096).
    # Only the week before the window's last request counts: 5,000 x (1.25 - 0.10) / 1e6 =
    # $0.00575 (both windows would give 12,500 x 1.15 / 1e6 = $0.014375).  With the window
    # ending on 1 October, that day's window alone: 20,000 x 1.15 / 1e6 = $0.023.
    c = db.connect(db_path)
    old = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    add(c, model=SONNET, workload="w", session_id="s1", ts=old, cache_write_5m=20000)
    add(c, model=SONNET, workload="w", session_id="s1", ts=at(9, 0), cache_write_5m=5000)
    scenario = builtin_scenario("all", (HAIKU,))
    assert lever_rows(c, scenario)["w"]["switch_cost_usd"] == D("0.00575")
    until = Filters(until=dt.date(2026, 10, 1))
    p = project(c, scenario, until)
    found = levers.for_projection(c, scenario, until, p)
    (row,) = levers.with_levers(p.rows.to_dicts(), found)
    assert row["switch_cost_usd"] == D("0.023")


def test_scenario_file_batchable_must_be_a_list_of_names(tmp_path: Path) -> None:
    from switchcost.queries.projection import load_scenario_file

    path = tmp_path / "s.toml"
    path.write_text('[[scenarios]]\nname = "n"\nbatchable = "nightly"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scenarios\[0\]\.batchable: expected a list"):
        load_scenario_file(path)
