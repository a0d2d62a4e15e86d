"""The monthly run-rate has one rule (queries/run_rate.py) on every page and in `project`.

Hand-made rows: one Sonnet 4.5 request a day on 2026-11-01 .. 2026-11-10 (10 days of data), each
100,000 input + 10,000 output tokens, standard tier:
    Sonnet 4.5  100,000 x $3/MTok + 10,000 x $15/MTok = $0.30 + $0.15 = $0.45 a day
    Haiku 4.5   100,000 x $1/MTok + 10,000 x  $5/MTok = $0.10 + $0.05 = $0.15 a day
so the 10 days cost $4.50 now and $1.50 on Haiku ($3.00 saved).

Over a 30-day window (2026-10-12 .. 2026-11-10, the dashboard's "Last 30 days"):
    monthly current = $4.50 x 30.4375 / 30 = $4.565625  (shown $4.57)
    monthly savings = $3.00 x 30.4375 / 30 = $3.04375   (shown $3.04)
With no date filter ("All time") the window is the data's 10 days:
    monthly current = $4.50 x 30.4375 / 10 = $13.696875 (shown $13.70)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from switchcost.queries import dashboard, db, run_rate
from switchcost.queries.filters import Filters
from switchcost.queries.projection import builtin_scenario, project
from tests.projection_db import add

HAIKU = "claude-haiku-4-5"
ENTRY = str(Path(__file__).resolve().parents[1] / "app" / "dashboard.py")
THIRTY = Filters(since=dt.date(2026, 10, 12), until=dt.date(2026, 11, 10))
MONTHLY_30 = D("4.565625")
SAVINGS_30 = D("3.04375")
MONTHLY_ALL = D("13.696875")


@pytest.fixture
def ten_days(db_path: Path) -> Path:
    with db.connect(db_path) as c:
        for day in range(1, 11):
            add(
                c,
                workload="extract",
                ts=dt.datetime(2026, 11, day, 9, tzinfo=dt.UTC),
                input_tokens=100_000,
                output_tokens=10_000,
            )
    return db_path


def test_the_window_is_the_filter_s_days_clipped_to_the_data_when_open() -> None:
    first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 10)
    assert run_rate.window(THIRTY, first, last).days == 30
    assert run_rate.window(Filters(), first, last).days == 10
    # open end: from the filter's first day to the last day with data (11-05 .. 11-10)
    assert run_rate.window(Filters(since=dt.date(2026, 11, 5)), first, last).days == 6
    assert run_rate.window(Filters(until=dt.date(2026, 11, 3)), first, last).days == 3
    assert run_rate.window(Filters(), None, None).monthly(D(5)) is None
    assert run_rate.window(THIRTY, first, last).monthly(D("4.50")) == MONTHLY_30


def test_overview_and_projection_agree_over_a_bounded_window(ten_days: Path) -> None:
    with db.connect(ten_days, read_only=True) as c:
        kpis = dashboard.overview(c, THIRTY).kpis
        p = project(c, builtin_scenario("all", (HAIKU,)), THIRTY)
    assert kpis.cost_usd == D("4.50")
    assert kpis.monthly_run_rate_usd == MONTHLY_30
    assert p.totals["monthly_current_usd"] == MONTHLY_30
    assert p.totals["monthly_savings_usd"] == SAVINGS_30
    assert p.assumptions["window_days"] == 30
    assert p.assumptions["window_first_day"] == dt.date(2026, 10, 12)


def test_overview_and_projection_agree_over_all_time(ten_days: Path) -> None:
    with db.connect(ten_days, read_only=True) as c:
        kpis = dashboard.overview(c, Filters()).kpis
        p = project(c, builtin_scenario("all", (HAIKU,)))
    assert kpis.monthly_run_rate_usd == MONTHLY_ALL
    assert p.totals["monthly_current_usd"] == MONTHLY_ALL


def _open(page: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.run()
    at.sidebar.selectbox(key="window").set_value("Last 30 days").run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def test_both_pages_show_the_same_monthly_figure(
    ten_days: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHCOST_DB", str(ten_days))
    overview = _open("overview")
    assert {m.label: m.value for m in overview.metric}["Monthly run-rate"] == "$4.57"
    assert any("/ 30 days" in c.value for c in overview.caption)

    switch = _open("switch")
    switch.selectbox(key="sc_mode").set_value("Everything").run()
    keys = [b.key for b in switch.get("download_button")]
    rows = switch.dataframe[keys.index("download-scenario_rows")].value.to_dict("records")
    assert [r["workload"] for r in rows] == ["extract"]
    assert rows[0]["monthly_current_usd"] == pytest.approx(float(MONTHLY_30))
    assert "saves **$3.04 a month**" in switch.markdown[0].value
    assert any("/ 30 days" in c.value for c in switch.caption)
