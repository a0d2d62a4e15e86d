"""`switchcost dashboard --host`: anything but loopback warns that the data is open to all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from switchcost.app import cli_dashboard
from switchcost.app.cli import app


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_is_quiet(host: str) -> None:
    assert cli_dashboard.exposure_warning(host, 8501) is None


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "dashboard.example.com", "myhost"]
)
def test_other_addresses_warn(host: str) -> None:
    line = cli_dashboard.exposure_warning(host, 8501)
    assert line is not None
    assert "\n" not in line
    assert f"{host}:8501" in line
    assert "no authentication" in line
    assert "reverse proxy" in line


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, list[Any]]:
    db = tmp_path / "sc.duckdb"
    duckdb.connect(str(db)).close()
    execs: list[Any] = []
    # The command ends by exec-ing Streamlit: record the call instead of starting a server.
    monkeypatch.setattr(os, "execvpe", lambda *a: execs.append(a))
    result = CliRunner().invoke(app, ["dashboard", "--db", str(db), *args])
    return result, execs


def test_command_warns_on_stderr_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, execs = _run(tmp_path, monkeypatch, "--host", "0.0.0.0", "--port", "9999")
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in result.stderr.splitlines() if "no authentication" in ln]
    assert len(warnings) == 1
    assert "0.0.0.0:9999" in warnings[0]
    assert result.stdout == ""
    argv = execs[0][1]
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"


def test_command_on_loopback_does_not_warn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, execs = _run(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "no authentication" not in result.stderr
    assert execs
