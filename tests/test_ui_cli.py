"""The CLI as a user reads it: tables within 120 columns, words for headers, an em dash for an
empty cell, `--version`, `report` by day by default, and one example at the end of every help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from switchcost.app.cli import app

REPO = Path(__file__).resolve().parents[1]


def sc(*args: str, columns: int = 240) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns)},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def widest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, ingested once."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    sc("ingest", str(REPO / "data" / "sample"), "--db", str(db))
    return db


def test_version_is_the_packages() -> None:
    with (REPO / "pyproject.toml").open("rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    assert sc("--version").strip() == f"switchcost {version}"


def test_report_without_by_reports_by_day(sample_db: Path) -> None:
    plain = json.loads(sc("report", "--db", str(sample_db), "--format", "json"))
    by_day = json.loads(sc("report", "--by", "day", "--db", str(sample_db), "--format", "json"))
    assert plain == by_day
    assert plain["rows"][0]["day"] == "2026-10-26"  # the sample's first day


def test_every_command_help_ends_with_one_example() -> None:
    runner = CliRunner()
    top = [ln.strip() for ln in runner.invoke(app, ["--help"]).output.splitlines() if ln.strip()]
    assert top[-2:] == [
        "Example:",
        "switchcost ingest ~/.claude/projects && switchcost report --by workload",
    ]
    for name, command in app.commands.items():
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        lines = [ln.strip() for ln in result.output.splitlines() if ln.strip()]
        assert lines[-2] == "Example:", (name, lines[-2:])
        assert lines[-1].split(" ").count("switchcost") == 1, lines[-1]
        assert f"switchcost {name}" in lines[-1], (name, lines[-1])
        assert command.epilog


def test_project_fits_120_columns_and_wide_has_every_column(sample_db: Path) -> None:
    narrow = sc("project", "--scenario", "all", "--db", str(sample_db))
    assert widest(narrow) <= 120
    assert "None" not in narrow
    assert "search-svc" in narrow  # -Users-dana-code-search-svc, by its readable name
    assert "-Users-dana" not in narrow
    assert "$83.56" in narrow  # the sample's current cost, money with a $ and cents
    wide = sc("project", "--scenario", "all", "--wide", "--db", str(sample_db))
    assert widest(wide) > 120
    for header in ("task class", "requests", "p95 ms", "latency from", "cannot"):
        assert header in wide


def test_project_json_gives_every_timed_moved_workload_a_projected_latency(
    sample_db: Path,
) -> None:
    out = json.loads(sc("project", "--scenario", "all", "--db", str(sample_db), "--format", "json"))
    timed = [r for r in out["rows"] if r["moved_requests"] and r["current_p50_ms"] is not None]
    names = {r["workload"] for r in timed}
    assert {"json-extraction", "code-review", "planner", "planner-subagent"} <= names
    for r in timed:
        assert r["projected_p50_ms"] is not None, r["workload"]
        assert r["projected_p95_ms"] is not None, r["workload"]
    assert "same model and workload" in out["assumptions"]["latency_not_streamed"]


def test_prices_fits_120_columns_with_sources_on_request() -> None:
    table = sc("prices")
    assert widest(table) <= 120
    assert "source" not in table.splitlines()[1]
    assert "$0.30" in table  # Sonnet 4.5's cache read, $0.30 per million tokens
    assert "None" not in table
    with_sources = sc("prices", "--sources")
    assert "Anthropic" in with_sources
    one = sc("prices", "claude-haiku-4-5")
    assert "Anthropic" in one
    assert "$1.00" in one  # Haiku 4.5: $1 input, $5 output per million tokens
    assert "$5.00" in one


def test_report_table_has_words_for_headers_and_json_keeps_names(sample_db: Path) -> None:
    table = sc("report", "--by", "workload", "--db", str(sample_db))
    assert "cache_write_5m_tokens" not in table
    assert "cache write" in table
    data = json.loads(sc("report", "--by", "workload", "--db", str(sample_db), "--format", "json"))
    assert "cache_write_5m_tokens" in data["rows"][0]
    assert any(r["workload"] == "-Users-dana-code-search-svc" for r in data["rows"])
