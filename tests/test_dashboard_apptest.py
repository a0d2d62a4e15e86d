"""Every dashboard page under Streamlit's AppTest, against a real DuckDB file built by the CLI.

The numbers on each page are compared with what `switchcost report` / `switchcost project` print
as JSON for the same filters, so the dashboard and the CLI cannot drift apart.  Latency
percentiles are recomputed from the raw rows with the standard library.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from switchcost.app.project_names import is_encoded, name
from tests import dashboard_db

ENTRY = str(Path(__file__).resolve().parents[1] / "app" / "dashboard.py")
PAGES = ("overview", "switch", "latency", "data_sources")
SIDEBAR_KEYS = {"tz", "window", "workloads", "models", "sources", "thread"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(database, home) built once for the module by generating logs and running the CLI."""
    root = tmp_path_factory.mktemp("dash")
    home = root / "home"
    home.mkdir()
    formats = Path(__file__).resolve().parent / "fixtures" / "formats"  # adds messages_api.jsonl
    return dashboard_db.build(root, home, formats), home


@pytest.fixture
def db(world: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SWITCHCOST_DB", str(world[0]))
    return world[0]


@pytest.fixture
def home(world: tuple[Path, Path]) -> Path:
    return world[1]


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def cents(value: Any) -> str:
    """How the page shows a dollar amount: rounded half up to the cent, with separators."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${amount:,}"


def table(at: AppTest, download_key: str) -> list[dict[str, Any]]:
    """The rows of the table whose CSV button has this key (tables and buttons come in pairs)."""
    keys = [b.key for b in at.get("download_button")]
    frame = at.dataframe[keys.index(download_key)].value
    return list(frame.to_dict("records"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_filters_tables_and_downloads(db: Path, page: str) -> None:
    at = open_page(page)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    widgets = {w.key for w in [*at.sidebar.selectbox, *at.sidebar.multiselect, *at.sidebar.radio]}
    assert widgets == SIDEBAR_KEYS
    assert len(at.dataframe) >= 2
    buttons = at.get("download_button")
    assert len(buttons) >= len(at.dataframe)  # every table has its CSV button
    if page != "data_sources":
        assert at.get("plotly_chart")
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert "Last ingested: 20" in caption


def test_overview_matches_report_json(db: Path, home: Path) -> None:
    at = open_page("overview")
    by_model = dashboard_db.cli_json(home, "report", "--by", "model", "--db", str(db))
    shown = metrics(at)
    assert shown["Spend in window"] == cents(by_model["totals"]["cost_usd"])
    assert shown["Requests"] == f"{by_model['totals']['requests']:,}"
    by_workload = dashboard_db.cli_json(home, "report", "--by", "workload", "--db", str(db))
    rows = table(at, "download-spend_by_workload")
    # Claude Code project folders are shown by their readable name (app/project_names.py)
    assert [r["workload"] for r in rows] == [name(r["workload"]) for r in by_workload["rows"]]
    for got, want in zip(rows, by_workload["rows"], strict=True):
        assert round(got["cost_usd"], 6) == want["cost_usd"]
        assert got["requests"] == want["requests"]
        assert got["cache_read_tokens"] == want["cache_read_tokens"]
    models = table(at, "download-spend_by_model")
    assert {r["model"]: round(r["cost_usd"], 6) for r in models} == {
        r["model"]: r["cost_usd"] for r in by_model["rows"]
    }
    sessions = dashboard_db.cli_json(home, "report", "--by", "session", "--db", str(db))
    top = table(at, "download-top_sessions")
    assert [r["session"] for r in top] == [r["session"] for r in sessions["rows"][:10]]


def test_overview_date_range_and_time_zone_match_report(db: Path, home: Path) -> None:
    at = open_page("overview")
    at.sidebar.selectbox(key="tz").set_value("America/Los_Angeles").run()
    at.sidebar.selectbox(key="window").set_value("Custom range").run()
    at.sidebar.date_input(key="dates").set_value((dt.date(2026, 11, 3), dt.date(2026, 11, 9)))
    at.run()
    assert not at.exception
    want = dashboard_db.cli_json(
        home,
        "report",
        "--by",
        "day",
        "--db",
        str(db),
        "--since",
        "2026-11-03",
        "--until",
        "2026-11-09",
        "--tz",
        "America/Los_Angeles",
    )
    shown = metrics(at)
    assert shown["Spend in window"] == cents(want["totals"]["cost_usd"])
    assert shown["Requests"] == f"{want['totals']['requests']:,}"
    everything = dashboard_db.cli_json(home, "report", "--by", "day", "--db", str(db))
    assert want["totals"]["requests"] < everything["totals"]["requests"]  # the filter bites
    days = table(at, "download-spend_by_day_model")
    assert {str(r["day"])[:10] for r in days} == {r["day"] for r in want["rows"]}
    # run-rate: the window's spend over its 7 days, times 30.4375
    rate = Decimal(str(want["totals"]["cost_usd"])) / 7 * Decimal("30.4375")
    assert shown["Monthly run-rate"] == cents(rate)


def test_overview_workload_filter_equals_that_workloads_report_row(db: Path, home: Path) -> None:
    at = open_page("overview")
    at.sidebar.multiselect(key="workloads").set_value(["docs-qa"]).run()
    want = dashboard_db.cli_json(home, "report", "--by", "workload", "--db", str(db))
    row = next(r for r in want["rows"] if r["workload"] == "docs-qa")
    assert metrics(at)["Spend in window"] == cents(row["cost_usd"])
    assert metrics(at)["Requests"] == f"{row['requests']:,}"


def _project(home: Path, db: Path, tmp: Path, **knobs: Any) -> dict[str, Any]:
    args = ["project", "--db", str(db)]
    if knobs:
        body = "[[scenarios]]\nname = 'recommended'\n" + "".join(
            f"{k} = {v}\n" for k, v in knobs.items()
        )
        path = tmp / "scenario.toml"
        path.write_text(body, encoding="utf-8")
        args += ["--scenario", str(path)]
    else:
        args += ["--scenario", "recommended"]
    result: dict[str, Any] = dashboard_db.cli_json(home, *args)
    return result


def _check_switch_totals(at: AppTest, want: dict[str, Any]) -> None:
    shown = metrics(at)
    totals = want["totals"]
    assert shown["Current cost"] == cents(totals["current_cost_usd"])
    assert shown["Projected cost"] == cents(totals["projected_cost_usd"])
    assert shown["Savings"] == cents(totals["savings_usd"])
    rows = table(at, "download-scenario_rows")
    assert [(r["workload"], r["target"]) for r in rows] == [
        (name(r["workload"]), r["target"]) for r in want["rows"]
    ]
    for got, exp in zip(rows, want["rows"], strict=True):
        assert round(got["projected_cost_usd"], 6) == exp["projected_cost_usd"]


def test_switch_defaults_match_project_json(db: Path, home: Path, tmp_path: Path) -> None:
    at = open_page("switch")
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key="sc_targets").value == ["claude-haiku-4-5"]
    assert at.selectbox(key="sc_mode").value == "Recommended workloads"
    want = _project(home, db, tmp_path)
    _check_switch_totals(at, want)
    recommended = table(at, "download-recommendations")
    moved = {r["workload"] for r in recommended if r["recommendation"] != "keep"}
    assert "json-extraction" in moved
    # the "Workloads to move" default is what the advice says may move
    assert set(at.multiselect(key="sc_workloads").value) >= {"json-extraction", "support-chatbot"}
    assert "docs-qa" not in at.multiselect(key="sc_workloads").value


def test_switch_sliders_change_the_projection_like_the_cli(
    db: Path, home: Path, tmp_path: Path
) -> None:
    at = open_page("switch")
    before = metrics(at)["Projected cost"]
    at.slider(key="sc_share").set_value(50).run()
    at.slider(key="sc_escalation").set_value(10).run()
    at.slider(key="sc_output_ratio").set_value(1.2).run()
    assert not at.exception
    assert metrics(at)["Projected cost"] != before
    want = _project(home, db, tmp_path, share=0.5, escalation=0.1, output_ratio=1.2)
    _check_switch_totals(at, want)


def test_switch_chosen_workloads_and_csv_download(db: Path, home: Path, tmp_path: Path) -> None:
    at = open_page("switch")
    at.selectbox(key="sc_mode").set_value("Chosen workloads").run()
    at.multiselect(key="sc_workloads").set_value(["json-extraction", "docs-qa"]).run()
    assert not at.exception
    body = "[[scenarios]]\nname = 'mine'\nworkloads = ['json-extraction', 'docs-qa']\n"
    (tmp_path / "s.toml").write_text(body, encoding="utf-8")
    want = dashboard_db.cli_json(
        home, "project", "--db", str(db), "--scenario", str(tmp_path / "s.toml")
    )
    _check_switch_totals(at, want)
    assert metrics(at)["Savings"] != cents(0)
    # The scenario CSV carries the settings on every row and a TOTAL line.
    button = next(b for b in at.get("download_button") if b.key == "download-scenario")
    assert button.label == "Download scenario and results (CSV)"
    from switchcost.app import data

    spec = at.session_state["scenario"]
    assert spec.workloads == ("json-extraction", "docs-qa")
    text = data.scenario_csv(spec, data.read_page("switch", db, at.session_state["filters"], spec))
    lines = text.splitlines()
    assert lines[0].startswith("scenario,targets,workloads_moved,share,escalation,output_ratio,")
    settings = "dashboard,claude-haiku-4-5,json-extraction docs-qa,1.000000,0.000000,1.000000,"
    assert all(ln.startswith(settings) for ln in lines[1:])
    assert len(lines) == 1 + len(want["rows"]) + 1
    assert lines[-1].split(",")[6] == "TOTAL"


def test_latency_percentiles_match_the_raw_rows(db: Path) -> None:
    at = open_page("latency")
    assert not at.exception
    rows = {r["model"]: r for r in table(at, "download-latency_by_model")}
    with duckdb.connect(str(db), read_only=True) as conn:
        raw = conn.execute(
            "SELECT model, latency_ms, ttft_ms FROM requests WHERE latency_ms IS NOT NULL"
        ).fetchall()
    per_model: dict[str, list[float]] = {}
    for model, latency, _ttft in raw:
        model_id = re.sub(r"-\d{8}$", "", model)  # the dated id's alias, as the page shows
        per_model.setdefault(model_id, []).append(latency)
    assert per_model
    for model, values in per_model.items():
        if len(values) < 2:
            continue
        got = rows[model]
        assert got["latency_samples"] == len(values)
        # within 1%: the page may read percentiles from the rollup's log-bucketed histograms
        assert got["latency_p50_ms"] == pytest.approx(statistics.median(values), rel=0.01)
        # quantile_cont = linear interpolation = statistics.quantiles(method="inclusive")
        p95 = statistics.quantiles(values, n=100, method="inclusive")[94]
        assert got["latency_p95_ms"] == pytest.approx(p95, rel=0.01)
    assert len(at.get("plotly_chart")) >= 3
    projected = table(at, "download-latency_projected")
    assert projected
    # Haiku is the faster model (by default, and in these logs, Claude Code's timing included:
    # its median output speed is about twice Sonnet's), so moved timed workloads get quicker.
    faster = [r for r in projected if r["latency_source"].startswith(("default", "logs"))]
    assert faster
    # (the page's percentiles come from log buckets, within 1%: a workload whose projected and
    # current medians land in one bucket shows them equal)
    assert all(r["projected_p50_ms"] <= r["current_p50_ms"] * 1.01 for r in faster)
    assert any(r["projected_p50_ms"] < r["current_p50_ms"] * 0.99 for r in faster)


def test_data_page_matches_the_database_and_prices(db: Path, home: Path) -> None:
    at = open_page("data_sources")
    shown = metrics(at)
    with duckdb.connect(str(db), read_only=True) as conn:
        files = conn.execute("SELECT count(*) FROM source_files").fetchall()[0][0]
        bad = conn.execute("SELECT count(*) FROM malformed_lines").fetchall()[0][0]
    assert shown["Files ingested"] == f"{files:,}"
    assert shown["Malformed lines"] == f"{bad:,}"
    assert bad >= 1  # the generated app log has one broken line
    prices = dashboard_db.cli_json(home, "prices")
    priced = [r for r in prices["rows"] if r["effective_from"] is not None]
    table_rows = table(at, "download-prices")
    assert len(table_rows) == len(priced)
    assert {(r["model"], str(r["effective_from"])[:10]) for r in table_rows} == {
        (r["model"], r["effective_from"]) for r in priced
    }
    assert table(at, "download-malformed_lines")[0]["reason"]


def test_missing_database_explains_how_to_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHCOST_DB", str(tmp_path / "nope.duckdb"))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    assert "No database at" in at.error[0].value
    assert "switchcost ingest" in at.code[0].value


def test_empty_database_explains_how_to_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchcost.queries import db as qdb

    path = tmp_path / "empty.duckdb"
    qdb.connect(path).close()
    monkeypatch.setenv("SWITCHCOST_DB", str(path))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    assert "holds no requests yet" in at.error[0].value
    assert f"--db {path}" in at.code[0].value


HOLD_LOCK = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("BEGIN TRANSACTION")
conn.execute("INSERT INTO ingest_runs VALUES (999, now(), now(), 0, 0, 0, 0, 0)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
conn.close()
"""


@pytest.fixture
def copy_db(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the database, for a test that writes to it."""
    path = tmp_path / "copy.duckdb"
    path.write_bytes(db.read_bytes())
    monkeypatch.setenv("SWITCHCOST_DB", str(path))
    return path


def test_busy_database_shows_last_results_then_new_data(copy_db: Path) -> None:
    at = open_page("overview")
    spend = metrics(at)["Spend in window"]
    assert "(run 999)" not in " ".join(c.value for c in at.sidebar.caption)
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(copy_db), "6"], stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "locked"
        copy_db.touch()  # the writer has the file; make sure the stamp moves on
        started = time.monotonic()
        at.run()
        assert time.monotonic() - started < 10
        assert not at.exception, [e.message for e in at.exception]
        assert any("ingest is writing" in i.value for i in at.info)
        assert metrics(at)["Spend in window"] == spend
        writer.wait(timeout=30)
    at.run()
    assert not at.exception
    assert not any("ingest is writing" in i.value for i in at.info)
    assert "(run 999)" in " ".join(c.value for c in at.sidebar.caption)


# ------------------------------------------------------------------- formatting, on every page

NUMBER_TYPES = ("int", "float", "decimal")


def _tables(at: AppTest) -> list[tuple[dict[str, Any], Any, str]]:
    """(column config, shown frame, placeholder) of every table on the page."""
    import json

    return [(json.loads(df.proto.columns), df.value, df.proto.placeholder) for df in at.dataframe]


def _check_formatting(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    for config, frame, placeholder in _tables(at):
        assert placeholder == "—"  # an empty cell is an em dash, never "None"
        for column in frame.columns:
            cfg = config[column]
            label = cfg["label"]
            assert "_" not in label, label  # a human label, not cache_write_5m_tokens
            assert label[:1] == label[:1].upper(), label
            numeric = frame[column].dtype.kind in "iuf"
            fmt = cfg.get("type_config", {}).get("format")
            if numeric:
                assert fmt, f"{label}: a number column needs a format (separators, $, %)"
            if column.endswith("_usd"):
                assert fmt == "dollar", label  # $1,234.56
            if column in ("savings_pct", "break_even_escalation"):
                assert fmt == "%.1f%%", label
            if column.endswith("_tokens") or column == "requests":
                assert fmt == "localized", label  # 1,234,567
            empty = frame[column].isna().any()
            if empty:
                assert "—" in (cfg.get("help") or ""), f"{label}: empty cells need a why"
            texts = [v for v in frame[column].tolist() if isinstance(v, str)]
            assert "None" not in texts
            if column in ("workload", "project"):  # Claude Code folders by readable name
                assert not any(is_encoded(v) for v in texts), texts
    for metric in at.metric:
        assert "None" not in metric.value
        assert len(metric.value) <= 12, f"{metric.label}: {metric.value!r} would be cut off"
    for caption in at.caption:
        assert "None" not in caption.value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_follows_the_formatting_rules(db: Path, page: str) -> None:
    _check_formatting(open_page(page))


def test_switch_page_with_two_targets_and_chosen_workloads_is_formatted(db: Path) -> None:
    at = open_page("switch")
    at.multiselect(key="sc_targets").set_value(["claude-haiku-4-5", "claude-sonnet-4-5"]).run()
    at.selectbox(key="sc_mode").set_value("Chosen workloads").run()
    at.multiselect(key="sc_workloads").set_value(["docs-qa"]).run()
    _check_formatting(at)
    labels = [c["label"] for cfg, _, _ in _tables(at) for c in cfg.values() if "label" in c]
    assert "Savings on claude-sonnet-4-5" in labels  # the matrix, one column per target


def test_break_even_shows_as_a_percentage(db: Path, home: Path, tmp_path: Path) -> None:
    at = open_page("switch")
    want = _project(home, db, tmp_path)
    rows = table(at, "download-scenario_rows")
    for got, exp in zip(rows, want["rows"], strict=True):
        if exp["break_even_escalation"] is None:
            continue
        # the fraction 0.676 is shown as 67.6 with the format "%.1f%%"
        assert got["break_even_escalation"] == pytest.approx(exp["break_even_escalation"] * 100)
    assert metrics(at)["Break-even escalation"] == (
        f"{Decimal(str(want['totals']['break_even_escalation'])) * 100:.1f}%"
    )


def test_switch_page_opens_with_the_answer(db: Path, home: Path, tmp_path: Path) -> None:
    at = open_page("switch")
    want = _project(home, db, tmp_path)
    answer = at.markdown[0].value
    t = want["totals"]
    moved = [r for r in want["rows"] if r["moved_requests"] > 0]
    assert answer.startswith("#### Moving **")
    first = max(moved, key=lambda r: r["savings_usd"])["workload"]
    assert name(first).replace("-", "\\-") in answer  # names are Markdown-escaped
    assert f"{cents(t['monthly_savings_usd'])} a month" in answer
    assert f"({t['savings_pct']:.1f}% of this selection's spend)" in answer
    # the median before and after, in seconds (percentiles may be read from histograms, within
    # 1%, so the rounded tenth of a second is compared with that slack)
    found = re.search(r"median latency goes from ([\d,.]+) s to ([\d,.]+) s \(([-+]\d+)%\)", answer)
    assert found, answer
    now, then = (float(found.group(i).replace(",", "")) for i in (1, 2))
    assert now == pytest.approx(t["current_p50_ms"] / 1000, abs=0.05 + t["current_p50_ms"] / 1e5)
    assert then == pytest.approx(
        t["projected_p50_ms"] / 1000, abs=0.05 + t["projected_p50_ms"] / 1e5
    )


def test_every_moved_timed_workload_has_a_projected_latency(db: Path) -> None:
    at = open_page("switch")
    at.selectbox(key="sc_mode").set_value("Everything").run()
    rows = table(at, "download-scenario_rows")
    timed = [r for r in rows if r["moved_requests"] > 0 and not _missing(r["current_p50_ms"])]
    assert timed
    for r in timed:
        assert not _missing(r["projected_p50_ms"]), r["workload"]
        assert not _missing(r["projected_p95_ms"]), r["workload"]
    at.switch_page("app_pages/latency.py").run()
    caption = " ".join(c.value for c in at.caption)
    assert "Switch page scenario: everything to claude\\-haiku\\-4\\-5" in caption


def _missing(value: Any) -> bool:
    return value is None or value != value  # None or NaN


def test_claude_code_projects_by_readable_name_with_path_in_csv(db: Path) -> None:
    at = open_page("overview")
    rows = table(at, "download-top_projects")
    with duckdb.connect(str(db), read_only=True) as conn:
        stored = {r[0] for r in conn.execute("SELECT DISTINCT project FROM requests").fetchall()}
    encoded = {p for p in stored if p and p.startswith("-")}
    assert encoded
    shown = {r["project"] for r in rows}
    assert {name(p) for p in encoded} <= shown
    assert not shown & encoded
    for r in rows:
        if r["project"] == "(none)":
            assert _missing(r["project_path"])  # not a Claude Code project: shown as —
        else:
            assert r["project_path"].startswith("/")
            assert r["project_path"].endswith("/" + r["project"])


def test_latency_page_follows_the_switch_pages_default_before_it_is_opened(db: Path) -> None:
    at = open_page("latency")
    caption = " ".join(c.value for c in at.caption)
    assert "Switch page scenario: the recommended workloads to claude\\-haiku\\-4\\-5" in caption
    rows = table(at, "download-latency_projected")
    switch = open_page("switch")
    want = table(switch, "download-scenario_rows")
    assert [r["workload"] for r in rows] == [r["workload"] for r in want]
    for got, exp in zip(rows, want, strict=True):
        for col in ("projected_p50_ms", "projected_p95_ms"):
            assert _missing(got[col]) == _missing(exp[col])
            if not _missing(got[col]):
                assert got[col] == pytest.approx(exp[col])
