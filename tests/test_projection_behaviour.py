"""Task classes, scenarios, latency against numpy, property tests and the CLI."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import duckdb
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchcost.queries import db
from switchcost.queries.projection import (
    Scenario,
    ScenarioError,
    builtin_scenario,
    latency_stats,
    load_scenario_file,
    project,
    task_classes,
)
from tests.projection_db import add

HAIKU = "claude-haiku-4-5"


def test_task_classes_from_tags_names_and_source(db_path: Path) -> None:
    c = db.connect(db_path)
    add(c, workload="misc", tags={"task": "Summarise"})
    add(c, workload="docs-qa")
    add(c, workload="planner")
    add(c, workload="myrepo", source="claude-code")
    add(c, workload="zzz")
    got = {r["workload"]: r for r in task_classes(c).to_dicts()}
    assert got["misc"]["task_class"] == "transformation"
    assert got["docs-qa"]["task_class"] == "fact-lookup"
    assert got["planner"]["task_class"] == "planning"
    assert got["myrepo"]["task_class"] == "agentic-coding"
    assert got["zzz"]["task_class"] == "unknown"
    assert got["docs-qa"]["recommendation"] == "keep"


def test_recommended_and_subagents_scenarios(db_path: Path) -> None:
    c = db.connect(db_path)
    for wl, sub in [
        ("extraction", False),
        ("docs-qa", False),
        ("planner", False),
        ("planner", True),
    ]:
        add(c, workload=wl, is_subagent=sub, input_tokens=1000, output_tokens=100)
    rec = {
        r["workload"]: r["moved_requests"]
        for r in project(c, builtin_scenario("recommended", (HAIKU,))).rows.to_dicts()
    }
    assert rec == {"extraction": 1, "docs-qa": 0, "planner": 1}  # the planner's sub-agent only
    sub = {
        r["workload"]: r["moved_requests"]
        for r in project(c, builtin_scenario("subagents", (HAIKU,))).rows.to_dicts()
    }
    assert sub == {"extraction": 0, "docs-qa": 0, "planner": 1}


def test_latency_percentiles_match_numpy(db_path: Path) -> None:
    c = db.connect(db_path)
    rng = np.random.default_rng(7)
    lat = rng.uniform(500, 9000, 57).round(1)
    ttft = (lat * rng.uniform(0.05, 0.5, 57)).round(1)
    out = rng.integers(1, 3000, 57)
    for a, b, o in zip(lat, ttft, out, strict=True):
        add(c, workload="w", latency_ms=float(a), ttft_ms=float(b), output_tokens=int(o))
    add(c, workload="w")  # untimed: not a sample
    row = latency_stats(c, "workload").to_dicts()[0]
    assert row["requests"] == 58
    assert row["latency_samples"] == 57
    speed = out / ((lat - ttft) / 1000)
    for q in (50, 95, 99):
        assert row[f"latency_p{q}_ms"] == pytest.approx(np.percentile(lat, q))
        assert row[f"ttft_p{q}_ms"] == pytest.approx(np.percentile(ttft, q))
        assert row[f"tokens_per_s_p{q}"] == pytest.approx(np.percentile(speed, q))
    # Projected on Haiku 4.5 with no Haiku timings: own TTFT + generation time x (2.0 / 1.0)^-1.
    p = project(c, builtin_scenario("all", (HAIKU,)))
    r = p.rows.to_dicts()[0]
    assert r["latency_source"] == "default"
    assert r["current_p95_ms"] == pytest.approx(np.percentile(lat, 95))
    assert r["projected_p50_ms"] == pytest.approx(np.percentile(ttft + (lat - ttft) / 2, 50))


def test_projected_latency_uses_target_logs_when_enough_samples(db_path: Path) -> None:
    c = db.connect(db_path)
    # 25 Haiku requests at 100..124 tokens/s generation speed: median 112 tokens/s.
    for i in range(25):
        add(c, workload="h", model=HAIKU, output_tokens=100 + i, ttft_ms=100.0, latency_ms=1100.0)
    add(c, workload="s", output_tokens=560, ttft_ms=300.0, latency_ms=9000.0)
    rows = project(c, builtin_scenario("all", (HAIKU,))).rows.to_dicts()
    r = next(x for x in rows if x["workload"] == "s")
    assert r["latency_source"] == "logs"
    assert r["projected_p50_ms"] == pytest.approx(300.0 + 560 / 112 * 1000)


def test_requests_that_cannot_move_keep_their_latency(db_path: Path) -> None:
    """The latency query pairs requests with targets without the price join; it must apply the
    cost side's rules: an unpriced source model and a prompt over the target's context window
    stay on their model at their own latency."""
    c = db.connect(db_path)
    for i in range(25):  # Haiku's logged median: 112 output tokens/s
        add(c, workload="h", model=HAIKU, output_tokens=100 + i, ttft_ms=100.0, latency_ms=1100.0)
    add(c, workload="s", output_tokens=560, ttft_ms=300.0, latency_ms=9000.0)  # moves: 5300 ms
    add(c, workload="s", model="my-finetune", output_tokens=100, ttft_ms=100.0, latency_ms=7000.0)
    add(c, workload="s", input_tokens=250_000, output_tokens=10, ttft_ms=90.0, latency_ms=8000.0)
    r = next(
        x
        for x in project(c, builtin_scenario("all", (HAIKU,))).rows.to_dicts()
        if x["workload"] == "s"
    )
    assert r["moved_requests"] == 1
    assert r["ineligible_requests"] == 2
    assert r["current_p50_ms"] == pytest.approx(8000.0)  # of 9000, 7000, 8000
    assert r["projected_p50_ms"] == pytest.approx(7000.0)  # of 5300, 7000, 8000


# --------------------------------------------------------------------------- properties
# Opus 4.1 ($15/$75/$18.75/$30/$1.50) is dearer than Haiku 4.5 on every token type, even when
# Haiku's cache minimum turns its cached tokens into $1 input.
TOKENS = st.integers(min_value=0, max_value=150_000)
REQUEST = st.fixed_dictionaries(
    {
        "input_tokens": TOKENS,
        "cache_write_5m": st.integers(0, 20_000),
        "cache_write_1h": st.integers(0, 20_000),
        "cache_read": st.integers(0, 20_000),
        "output_tokens": st.integers(0, 60_000),
        "web_search_requests": st.integers(0, 3),
        "service_tier": st.sampled_from(["standard", "batch"]),
        "workload": st.sampled_from(["a", "b"]),
    }
)
PROPS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def pconn(db_path: Path) -> duckdb.DuckDBPyConnection:
    return db.connect(db_path)


def _load(c: duckdb.DuckDBPyConnection, reqs: list[dict[str, object]], model: str) -> None:
    c.execute("DELETE FROM requests").fetchall()
    for r in reqs:
        add(c, model=model, **r)


@PROPS
@given(
    reqs=st.lists(REQUEST, min_size=1, max_size=6),
    share=st.decimals(0, 1, places=2),
    esc=st.decimals(0, 1, places=2),
)
def test_savings_never_exceed_current_cost(
    pconn: duckdb.DuckDBPyConnection, reqs: list[dict[str, object]], share: D, esc: D
) -> None:
    _load(pconn, reqs, "claude-opus-4-1")
    p = project(pconn, Scenario("p", share=share, escalation=esc))
    for r in p.rows.to_dicts():
        assert r["savings_usd"] <= r["current_cost_usd"]
        # Without escalation nothing can cost more (web searches cost the same on both).
        assert esc > 0 or r["savings_usd"] >= 0
    assert p.totals["savings_usd"] == sum(r["savings_usd"] for r in p.rows.to_dicts())


@PROPS
@given(reqs=st.lists(REQUEST, min_size=1, max_size=6))
def test_moving_nothing_and_moving_twice(
    pconn: duckdb.DuckDBPyConnection, reqs: list[dict[str, object]]
) -> None:
    _load(pconn, reqs, "claude-sonnet-4-5")
    zero = project(pconn, Scenario("z", share=D(0)))
    assert all(r["projected_cost_usd"] == r["current_cost_usd"] for r in zero.rows.to_dicts())
    once = project(pconn, Scenario("o", workloads=("a",))).rows.to_dicts()
    twice = project(pconn, Scenario("t", workloads=("a", "a"))).rows.to_dicts()
    assert once == twice
    # Requests already on the target: a second move changes nothing.
    _load(pconn, reqs, HAIKU)
    again = project(pconn, Scenario("again"))
    assert all(r["savings_usd"] == 0 for r in again.rows.to_dicts())


# --------------------------------------------------------------------------- scenario file, CLI


def test_scenario_file(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text(
        '[[scenarios]]\nname = "half"\ntargets = ["claude-haiku-4-5", "claude-haiku-5-5"]\n'
        'workloads = ["a"]\nshare = 0.5\nescalation = 0.1\n'
        'output_ratio = {"*" = 1.2, a = 0.8}\n'
    )
    (s,) = load_scenario_file(f)
    assert s.share == D("0.5")
    assert s.ratio_for("a") == D("0.8")
    assert s.ratio_for("b") == D("1.2")
    f.write_text('[[scenarios]]\nname = "x"\nshare = 3\n')
    with pytest.raises(ScenarioError, match="share"):
        load_scenario_file(f)


def test_cli_project_json(db_path: Path, tmp_path: Path) -> None:
    from switchcost.app.cli import app

    c = db.connect(db_path)
    add(c, workload="extraction", input_tokens=5000, output_tokens=700)
    add(c, workload="docs-qa", input_tokens=3000, output_tokens=300)
    c.close()
    res = CliRunner().invoke(
        app,
        [
            "project",
            "--db",
            str(db_path),
            "--scenario",
            "all",
            "--format",
            "json",
            "--to",
            HAIKU,
        ],
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert set(body) == {"rows", "totals", "assumptions"}
    keys = {
        "workload",
        "target",
        "requests",
        "current_cost_usd",
        "projected_cost_usd",
        "savings_usd",
        "savings_pct",
        "ineligible_requests",
        "break_even_escalation",
        "task_class",
        "recommendation",
        "current_p50_ms",
        "projected_p50_ms",
        "latency_source",
    }
    assert keys <= set(body["rows"][0])
    for k in ("current_cost_usd", "projected_cost_usd", "savings_usd"):
        total = sum(D(str(r[k])) for r in body["rows"])
        assert abs(total - D(str(body["totals"][k]))) <= D("0.000001") * len(body["rows"])
    assert body["assumptions"]["escalation_rate"] == 0
    bad = CliRunner().invoke(app, ["project", "--db", str(db_path), "--to", "gpt-9"])
    assert bad.exit_code == 1


@pytest.mark.parametrize("rule", ["all", "recommended"])
def test_finishing_prepared_sums_equals_projecting_again(tmp_path: Path, rule: str) -> None:
    """The dashboard's sliders rescale one prepared projection; every share and escalation
    must give exactly what a full projection at that share and escalation gives."""
    from dataclasses import replace

    from switchcost.ingest.load import ingest_paths
    from switchcost.queries.projection import finish, prepare

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    path = tmp_path / "sample.duckdb"
    ingest_paths([sample], db_path=path)
    base = builtin_scenario(rule, (HAIKU, "claude-sonnet-4-5"))
    with db.connect(path, read_only=True) as c:
        prepared = prepare(c, base)
        for share, escalation in ((D(1), D(0)), (D("0.5"), D("0.1")), (D("0.25"), D("0.3"))):
            scenario = replace(base, share=share, escalation=escalation)
            again = project(c, scenario)
            quick = finish(prepared, share, escalation)
            assert quick.rows.equals(again.rows)
            assert quick.by_day.equals(again.by_day)
            assert quick.totals == again.totals
            assert quick.assumptions == again.assumptions
            assert quick.assumptions["share_moved"] == share


def test_one_base_serves_every_selection_and_output_ratio(tmp_path: Path) -> None:
    """The dashboard keeps one `Base` per (filters, targets) while the user edits which
    workloads move and the output ratio: built from it, each scenario must equal a full
    projection of that scenario, so the base holds nothing that depends on them."""
    from switchcost.ingest.load import ingest_paths
    from switchcost.queries.projection import (
        Scenario,
        assemble,
        finish,
        moves,
        prepare_base,
        prepare_latency,
    )

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    path = tmp_path / "sample.duckdb"
    ingest_paths([sample], db_path=path)
    targets = (HAIKU, "claude-sonnet-4-5")
    scenarios = [
        builtin_scenario("recommended", targets),
        builtin_scenario("subagents", targets),
        Scenario(name="chosen", targets=targets, workloads=("support-chatbot",)),
        Scenario(name="wordy", targets=targets, output_ratio=D("1.5")),
    ]
    with db.connect(path, read_only=True) as c:
        base = prepare_base(c, targets)
        seen = set()
        for scenario in scenarios:
            chosen = moves(base, scenario)
            speeds = tuple(base.speeds.values())
            latency = prepare_latency(c, base.targets, base.filters, speeds, chosen)
            quick = finish(assemble(base, scenario, chosen, latency))
            again = project(c, scenario)
            assert quick.rows.equals(again.rows)
            assert quick.totals == again.totals
            assert quick.by_day.equals(again.by_day)
            seen.add(str(quick.totals["projected_cost_usd"]))
        assert len(seen) == len(scenarios)  # the scenarios differ, so the check has teeth
