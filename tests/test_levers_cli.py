"""`switchcost project` shows the other levers: columns in JSON and CSV, a table below the
projection's, each lever's assumption stated.  Rows and dollars as in tests/test_levers.py."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from switchcost.queries import db
from tests.projection_db import add
from tests.test_levers import CHAT, CHAT_PAYBACK, CHAT_SWITCH, CLASSIFY, NIGHTLY, REPORTS, SONNET


@pytest.fixture
def db_file(db_path: Path) -> Path:
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
    c.close()
    return db_path


def sc(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_json_rows_totals_and_assumptions(db_file: Path) -> None:
    out = sc("project", "--db", str(db_file), "--scenario", "all", "--format", "json",
             "--batchable", "nightly").stdout  # fmt: skip
    body = json.loads(out)
    rows = {r["workload"]: r for r in body["rows"]}
    assert D(str(rows["chat"]["switch_cost_usd"])) == CHAT_SWITCH
    assert D(str(rows["chat"]["payback_days"])) == CHAT_PAYBACK
    # nightly: batch now $0.06225, on Haiku $0.04075 (tests/test_levers.py works them out)
    assert rows["nightly"]["batchable"] == "marked"
    assert D(str(rows["nightly"]["batch_current_usd"])) == D("0.06225")
    assert D(str(rows["nightly"]["batch_target_usd"])) == D("0.04075")
    assert D(str(rows["classify"]["caching_savings_usd"])) == D("0.0078")
    total = body["totals"]["by_target"]["claude-haiku-4-5"]
    assert D(str(total["switch_cost_usd"])) == CHAT_SWITCH  # the only workload with a cache
    assert D(str(total["caching_savings_usd"])) == D("0.0078")
    assert set(body["assumptions"]["levers"]) == {"switch_cost", "batch", "caching"}


def test_without_the_flag_only_logged_batch_traffic_counts(db_file: Path) -> None:
    body = json.loads(sc("project", "--db", str(db_file), "--scenario", "all",
                         "--format", "json").stdout)  # fmt: skip
    rows = {r["workload"]: r for r in body["rows"]}
    assert rows["nightly"]["batchable"] is None
    assert rows["reports"]["batchable"] == "batch traffic in the logs"


def test_csv_has_the_lever_columns(db_file: Path) -> None:
    out = sc("project", "--db", str(db_file), "--scenario", "all", "--format", "csv").stdout
    rows = {r["workload"]: r for r in csv.DictReader(io.StringIO(out))}
    assert D(rows["chat"]["switch_cost_usd"]) == CHAT_SWITCH
    assert D(rows["classify"]["caching_savings_usd"]) == D("0.0078")


def test_table_has_an_other_levers_section(db_file: Path) -> None:
    out = sc("project", "--db", str(db_file), "--scenario", "all",
             "--batchable", "nightly").stdout  # fmt: skip
    assert "other levers" in out
    section = out.split("other levers", 1)[1]
    chat = next(line for line in section.splitlines() if line.startswith("chat "))
    assert "$0.02" in chat  # $0.016675 to the cent
    assert "0.3" in chat
    nightly = next(line for line in section.splitlines() if line.startswith("nightly "))
    assert "marked" in nightly
    assert "$0.06" in nightly  # $0.06225
    assert "$0.04" in nightly  # $0.04075
    for lever in ("switch cost:", "batch:", "caching:"):
        assert lever in section
