"""`switchcost project --measured` from a live replay against the fake API: the measured
figures, their intervals, the savings maths and the rule that overrides the task class."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from switchcost.ingest.capture import captured_keys
from tests.replay_fakeapi import (
    SMALL,
    original_usage,
    replay_api,
    small_counted,
    small_output_tokens,
)
from tests.replay_setup import API_KEY, cli, ingest, record, write_log

EXTRACT = list(range(100))  # n % 5 == 0 fails: 20%
CLEAN = [n for n in range(100, 140) if n % 5][:25]  # never fails
OTHER = list(range(200, 210))  # ingested without --capture: no replay


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]]]:
    tmp = tmp_path_factory.mktemp("measured")
    mp = pytest.MonkeyPatch()
    mp.setenv("ANTHROPIC_API_KEY", API_KEY)
    db = tmp / "s.duckdb"
    log = write_log(
        tmp / "calls.jsonl",
        [record(n, "extract") for n in EXTRACT] + [record(n, "clean") for n in CLEAN],
    )
    ingest(log, db)
    ingest(write_log(tmp / "other.jsonl", [record(n, "other") for n in OTHER]), db, capture=False)
    with replay_api() as (api, _state):
        result = cli(
            "replay", "--to", SMALL, "--mode", "live", "--grader", "json", "--yes",
            "--max-usd", "1", "--db", str(db), "--base-url", api.url,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    bodies = {}
    for scenario in ("all", "recommended"):
        out = cli(
            "project", "--to", SMALL, "--measured", "--scenario", scenario, "--format", "json",
            "--db", str(db),
        )  # fmt: skip
        assert out.exit_code == 0, out.output
        bodies[scenario] = json.loads(out.stdout)
    table = cli("project", "--to", SMALL, "--measured", "--db", str(db))
    assert table.exit_code == 0, table.output
    assert "measured: with at least 20 graded samples" in table.stdout
    csv = cli("project", "--to", SMALL, "--measured", "--format", "csv", "--db", str(db))
    assert csv.exit_code == 0, csv.output
    assert "move: 25 of 25 answers as good" in csv.stdout
    mp.undo()
    return db, bodies


def _row(body: dict[str, object], workload: str) -> dict[str, object]:
    rows = body["rows"]
    assert isinstance(rows, list)
    (row,) = [r for r in rows if r["workload"] == workload]
    return dict(row)


def _sampled(db: Path, workload: str) -> list[int]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as conn:
        keys = conn.execute(
            "SELECT request_key FROM replay_samples WHERE workload = ?", [workload]
        ).fetchall()
    return [int(k.removeprefix("msg:msg_orig_")) for (k,) in keys]


def test_no_capture_without_the_flag(replayed: tuple[Path, dict[str, dict[str, object]]]) -> None:
    db, _ = replayed
    keys = {k for k, _, _ in captured_keys(db)}
    assert len(keys) == len(EXTRACT) + len(CLEAN)
    assert not any(f"msg_orig_{n:04d}" in k for n in OTHER for k in keys)


def test_measured_fields_and_known_shares(
    replayed: tuple[Path, dict[str, dict[str, object]]],
) -> None:
    db, bodies = replayed
    row = _row(bodies["all"], "extract")
    m = row["measured"]
    assert isinstance(m, dict)
    numbers = _sampled(db, "extract")
    assert m["n"] == 50
    assert m["grader"] == "json"
    assert m["passed"] == sum(1 for n in numbers if n % 5)
    lo, hi = m["pass_rate_ci"]
    assert lo <= 0.8 <= hi  # the fake's known 20% failure share
    truth = Fraction(sum(small_output_tokens(n) for n in EXTRACT)) / sum(
        original_usage(n)["output_tokens"] for n in EXTRACT
    )
    rlo, rhi = m["output_ratio_ci"]
    assert rlo <= float(truth) <= rhi
    tf = Fraction(sum(small_counted(n) for n in numbers)) / sum(
        original_usage(n)["input_tokens"] for n in numbers
    )
    assert m["tokenizer_factor"] == pytest.approx(float(tf), abs=1e-4)
    assert m["latency_p50_ms"] is not None
    llo, lhi = m["latency_p50_ms_ci"]
    assert llo <= m["latency_p50_ms"] <= lhi
    for key in ("savings_usd_ci", "savings_pct_ci"):
        assert isinstance(row[key], list)


def test_measured_savings_by_hand(replayed: tuple[Path, dict[str, dict[str, object]]]) -> None:
    db, bodies = replayed
    row = _row(bodies["all"], "extract")
    numbers = _sampled(db, "extract")
    # Sonnet 4.5 $3/$15 per MTok now; on Haiku 4.5 $1/$5 with the measured factors:
    # projected = Σin·$1·k + r·Σout·$5 + e·current, k = counted/original input tokens of the
    # sample, r = Σ target out / Σ original out of the sample, e = failed share of the sample.
    tin = sum(original_usage(n)["input_tokens"] for n in EXTRACT)
    tout = sum(original_usage(n)["output_tokens"] for n in EXTRACT)
    current = Fraction(tin * 3 + tout * 15, 10**6)
    k = Fraction(sum(small_counted(n) for n in numbers)) / sum(
        original_usage(n)["input_tokens"] for n in numbers
    )
    r = Fraction(sum(small_output_tokens(n) for n in numbers)) / sum(
        original_usage(n)["output_tokens"] for n in numbers
    )
    e = Fraction(sum(1 for n in numbers if n % 5 == 0), len(numbers))
    projected = Fraction(tin, 10**6) * k + r * Fraction(tout * 5, 10**6) + e * current
    assert Decimal(row["current_cost_usd"]) == pytest.approx(
        Decimal(current.numerator) / current.denominator
    )
    want = current - projected
    got = Decimal(row["savings_usd"])
    assert float(got) == pytest.approx(float(want), abs=5e-7)  # JSON money: 6 places
    lo, hi = (Decimal(x) for x in row["savings_usd_ci"])
    assert lo <= got <= hi
    # The population's savings (e = 20%, its r and k) lie in the bootstrap interval too.
    k_all = Fraction(sum(small_counted(n) for n in EXTRACT), tin)
    r_all = Fraction(sum(small_output_tokens(n) for n in EXTRACT), tout)
    pop = current - (Fraction(tin, 10**6) * k_all + r_all * Fraction(tout * 5, 10**6) + current / 5)
    assert float(lo) <= float(pop) <= float(hi)


def test_recommendation_cites_evidence_and_rule(
    replayed: tuple[Path, dict[str, dict[str, object]]],
) -> None:
    _db, bodies = replayed
    body = bodies["recommended"]
    clean = _row(body, "clean")
    # 25 of 25: Wilson lower bound 1 - 0.1329 = 86.7% ≥ 80% → move, whatever the task class.
    assert clean["recommendation"] == "move: 25 of 25 answers as good (87%–100%)"
    assert clean["moved_requests"] == len(CLEAN)
    extract = _row(body, "extract")
    passed = extract["measured"]["passed"]  # type: ignore[index]
    assert 35 <= passed <= 45
    if passed <= 41:  # Wilson upper bound under 90% (41/50 → 89.9%)
        assert str(extract["recommendation"]).startswith(f"keep: {passed} of 50")
        assert extract["moved_requests"] == 0
    other = _row(body, "other")
    assert other["measured"] is None
    assert "(assumed: no replay)" in str(other["recommendation"])
    assert "measured_rule" in body["assumptions"]  # type: ignore[operator]


def test_switch_page_shows_the_measured_evidence(
    replayed: tuple[Path, dict[str, dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard's Switch page, with its toggle on, shows per workload what
    `project --measured` reports: the samples, the pass rate with its Wilson interval."""
    from streamlit.testing.v1 import AppTest

    db, bodies = replayed
    monkeypatch.setenv("SWITCHCOST_DB", str(db))
    entry = str(Path(__file__).resolve().parents[1] / "app" / "dashboard.py")
    at = AppTest.from_file(entry, default_timeout=120)
    at.run()
    at.switch_page("app_pages/switch.py")
    at.run()
    at.selectbox(key="sc_mode").set_value("Everything").run()
    assert not at.exception
    assert "Measured by replay" in [h.value for h in at.subheader]
    keys = [b.key for b in at.get("download_button")]
    shown = at.dataframe[keys.index("download-measured")].value.to_dict("records")
    by_workload = {r["workload"]: r for r in shown}
    assert set(by_workload) == {"extract", "clean"}  # "other" has no replay
    for workload, row in by_workload.items():
        m = _row(bodies["all"], workload)["measured"]
        assert isinstance(m, dict)
        lo, hi = m["pass_rate_ci"]
        want = f"{m['pass_rate'] * 100:.0f}% ({lo * 100:.0f}–{hi * 100:.0f}%)"
        assert (row["samples"], row["pass_rate_shown"]) == (m["n"], want)
    at.toggle(key="sc_measured").set_value(False).run()
    assert "download-measured" not in [b.key for b in at.get("download_button")]


def test_totals_carry_an_interval_of_the_summed_savings(
    replayed: tuple[Path, dict[str, dict[str, object]]],
) -> None:
    """The totals row's savings interval: it holds the point total, and since each measured
    workload draws its own resamples (independent strata), it is no wider than the workloads'
    intervals added up."""
    _, bodies = replayed
    body = bodies["all"]
    totals = body["totals"]
    assert isinstance(totals, dict)
    lo, hi = (Decimal(str(x)) for x in totals["savings_usd_ci"])
    assert lo <= Decimal(str(totals["savings_usd"])) <= hi
    widths = Decimal(0)
    for workload in ("extract", "clean"):
        row_lo, row_hi = (Decimal(str(x)) for x in _row(body, workload)["savings_usd_ci"])
        widths += row_hi - row_lo
    assert Decimal(0) < hi - lo <= widths
    pct_lo, pct_hi = (Decimal(str(x)) for x in totals["savings_pct_ci"])
    current = Decimal(str(totals["current_cost_usd"]))
    assert abs(pct_lo - lo / current * 100) < Decimal("0.001")  # lo is rounded to $0.000001
    assert abs(pct_hi - hi / current * 100) < Decimal("0.001")
