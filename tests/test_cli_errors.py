"""Errors meant for the user are one line; anything else is a bug and keeps its traceback.

The CLI prints `switchcost: <message>` for a `UserError` (queries/errors.py) and its
subclasses only.  It used to print any `ValueError` the same way, which hid real bugs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from switchcost.app import commands_data
from switchcost.app.cli import app
from switchcost.queries import db
from switchcost.queries.errors import UserError


def _report_raises(monkeypatch: pytest.MonkeyPatch, err: Exception) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise err

    monkeypatch.setattr(commands_data, "report", boom)


def test_an_unexpected_value_error_is_not_swallowed(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    _report_raises(monkeypatch, ValueError("a bug, not the user's doing"))
    result = CliRunner().invoke(app, ["report", "--db", str(db_path)])
    # the exception reaches the caller (the console script shows its traceback)...
    assert isinstance(result.exception, ValueError)
    assert str(result.exception) == "a bug, not the user's doing"
    # ...and is not dressed up as a message for the user
    assert "switchcost: a bug" not in result.output


def test_a_user_error_is_one_line_and_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    _report_raises(monkeypatch, UserError("the thing you named is wrong"))
    result = CliRunner().invoke(app, ["report", "--db", str(db_path)])
    assert result.exit_code == 1
    assert result.output.strip() == "switchcost: the thing you named is wrong"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["project", "--scenario", "nope.toml"], "--scenario 'nope.toml': not one of"),
        (["project", "--to", "gpt-9"], "unknown target model 'gpt-9'"),
        (["project", "--rules", "missing-rules.toml"], "missing-rules.toml: file not found"),
    ],
)
def test_mistakes_in_project_arguments_are_user_errors(
    db_path: Path, args: list[str], message: str
) -> None:
    db.connect(db_path).close()  # an empty database
    result = CliRunner().invoke(app, [*args, "--db", str(db_path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("switchcost: ")
    assert message in lines[0]
