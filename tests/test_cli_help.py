"""Every command documents itself, and the help lists exactly the readers that exist."""

from __future__ import annotations

from click.testing import CliRunner

from switchcost.app.cli import app
from switchcost.app.cli_core import FORMATS
from switchcost.ingest.readers import REGISTRY


def test_format_help_names_every_reader() -> None:
    assert FORMATS.split(", ") == list(REGISTRY)


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for name in (
        "ingest",
        "report",
        "export",
        "prices",
        "project",
        "dashboard",
        "fetch",
        "reconcile",
        "report-api",
    ):
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output
