"""CSV injection: every CSV switchcost writes goes through one rule (app.output.csv_cell).

Hostile workload names are ingested from a Messages-API app log, then written by each writer
(`export`, `report --format csv`, `project --format csv`, the dashboard's download buttons) and
read back with Python's csv module: formula-looking text cells start with `'`, no cell is split
into two rows, and numeric columns (including negative amounts) are untouched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchcost.app.output import csv_cell, csv_text

# value -> what a spreadsheet must be handed (read back by csv)
HOSTILE = {
    "\r=1+1": "'\r=1+1",  # CR then =: a spreadsheet splitting rows on CR would see =1+1
    '=HYPERLINK("https://example.com","x")': '\'=HYPERLINK("https://example.com","x")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(A1:A2)": "'@SUM(A1:A2)",
    "\t=1": "'\t=1",
    "  =2": "'  =2",  # leading spaces, then =
    "\n@x": "'\n@x",  # LF, then @
    "\uff1d1+1": "'\uff1d1+1",  # full-width =
    "\uff0b1": "'\uff0b1",  # full-width +
    "\uff0d1": "'\uff0d1",  # full-width -
    "\uff20x": "'\uff20x",  # full-width @
    'a,b"c': 'a,b"c',  # delimiter and quote: quoted, not prefixed
    "line1\nline2": "line1\nline2",  # LF inside: quoted, one cell
    "plain-name": "plain-name",  # a - inside is harmless
}


def _line(i: int, workload: str) -> str:
    usage = {"input_tokens": 1000, "output_tokens": 100}
    return json.dumps(
        {
            "ts": f"2026-11-02T10:{i:02d}:00Z",
            "request_id": f"req_sec_{i:03d}",
            "tags": {"feature": workload},
            "request": {"model": "claude-sonnet-4-5-20250929", "max_tokens": 1024},
            "response": {
                "id": f"msg_sec_{i:03d}",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-5-20250929",
                "content": [],
                "stop_reason": "end_turn",
                "usage": usage,
            },
        }
    )


# Each request: 1000 input x $3/MTok + 100 output x $15/MTok = $0.003 + $0.0015 = $0.0045.
COST_EACH = Decimal("0.0045")


def sc(home: Path, *args: str) -> str:
    """stdout as bytes decoded by hand: text mode would turn a CR inside a cell into LF."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHCOST_", "ANTHROPIC_"))}
    env.update(HOME=str(home), SWITCHCOST_REPORT_CACHE="0", COLUMNS="200")
    done = subprocess.run([sys.executable, "-m", "switchcost", *args], capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("csvsec")
    home = root / "home"
    home.mkdir()
    log = root / "logs" / "app.jsonl"
    log.parent.mkdir()
    log.write_text("\n".join(_line(i, w) for i, w in enumerate(HOSTILE)) + "\n", encoding="utf-8")
    db = root / "sc.duckdb"
    sc(home, "ingest", str(log), "--db", str(db))
    return home, db


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _check_workloads(rows: list[dict[str, str]], column: str = "workload") -> None:
    got = [r[column] for r in rows if r[column]]
    assert sorted(got) == sorted(HOSTILE.values())


# --------------------------------------------------------------------------- the one rule


@pytest.mark.parametrize(("value", "want"), list(HOSTILE.items()))
def test_csv_cell_reads_back_neutralised_in_one_cell(value: str, want: str) -> None:
    text = csv_text([{"name": value, "cost": Decimal("-1.5"), "n": -3}], ["name", "cost", "n"])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["name", "cost", "n"], [want, "-1.500000", "-3"]]


def test_cr_is_quoted_so_no_spreadsheet_splits_the_row() -> None:
    # The old writer gave '<CR>=1 unquoted; a CR inside a field must be inside quotes.
    assert csv_cell("\r=1") == '"\'\r=1"'
    assert csv_cell("a\rb") == '"a\rb"'


def test_numbers_are_never_prefixed() -> None:
    assert csv_cell(Decimal("-1.5")) == "-1.500000"  # money: micro-dollars
    assert csv_cell(-2) == "-2"
    assert csv_cell(-0.25) == "-0.25"
    assert csv_cell(None) == ""
    assert csv_cell("-1.5") == "'-1.5"  # text that looks like a number is still text


# --------------------------------------------------------------------------- every CLI writer


def test_report_csv(hostile_db: tuple[Path, Path]) -> None:
    home, db = hostile_db
    out = sc(home, "report", "--by", "workload", "--db", str(db), "--format", "csv")
    rows = _read(out)
    body = [r for r in rows if r["workload"] in HOSTILE.values()]
    _check_workloads(body)
    assert len(body) == len(HOSTILE)
    for r in body:
        assert int(r["requests"]) == 1
        assert Decimal(r["cost_usd"]) == COST_EACH


def test_export_csvs(hostile_db: tuple[Path, Path], tmp_path: Path) -> None:
    home, db = hostile_db
    sc(home, "export", "--out", str(tmp_path / "out"), "--db", str(db))
    for name in ("spend_by_workload.csv", "requests_priced.csv"):
        with (tmp_path / "out" / name).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == len(HOSTILE), name
        _check_workloads(rows)
        for r in rows:
            assert Decimal(r["cost_usd"]) == COST_EACH


def test_project_csv_keeps_negative_savings_numeric(
    hostile_db: tuple[Path, Path], tmp_path: Path
) -> None:
    home, db = hostile_db
    # Every request moves to Haiku 4.5 and all of them escalate (re-run on Sonnet 4.5): each
    # costs 1000 x $1/MTok + 100 x $5/MTok = $0.0015 on Haiku plus $0.0045 again, so the
    # "savings" are -$0.0015 per request, a negative number that must stay a number.
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[[scenarios]]\nname = "=evil()"\ntarget = "claude-haiku-4-5"\nworkloads = '
        + json.dumps(list(HOSTILE))
        + "\nescalation = 1.0\n",
        encoding="utf-8",
    )
    out = sc(home, "project", "--db", str(db), "--scenario", str(scenario), "--format", "csv")
    rows = _read(out)
    per_workload = [r for r in rows if r["workload"] in HOSTILE.values()]
    _check_workloads(per_workload)
    for r in per_workload:
        assert r["scenario"] == "'=evil()"
        assert Decimal(r["savings_usd"]) == Decimal("-0.0015")


# --------------------------------------------------------------------------- dashboard downloads


def test_dashboard_download_buttons(
    hostile_db: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    from switchcost.app import data, ui

    _, db = hostile_db
    monkeypatch.setenv("SWITCHCOST_DB", str(db))
    captured: dict[str, Any] = {}

    def fake_button(label: str, data: str, file_name: str, **kw: Any) -> None:
        captured[file_name] = data

    monkeypatch.setattr(st, "download_button", fake_button)
    monkeypatch.setattr(st, "dataframe", lambda *a, **k: None)
    from switchcost.queries.filters import Filters

    view = data.read_page("overview", db, Filters())  # the Overview page's bundle
    ui.table(view.by_workload, "spend_by_workload")
    rows = _read(captured["spend_by_workload.csv"])
    _check_workloads(rows)
    spec = data.ScenarioSpec(workloads=tuple(HOSTILE), escalation=Decimal(1), name="workloads")
    result = data.read_page("switch", db, Filters(), spec)
    rows = _read(data.scenario_csv(spec, result))
    per_workload = [r for r in rows if r.get("workload") in HOSTILE.values()]
    _check_workloads(per_workload)
    for r in per_workload:
        assert Decimal(r["savings_usd"]) == Decimal("-0.0015")
