"""Options and error handling shared by every `switchcost` command, declared once.

Each option is a click decorator, so a command lists the options it takes above its function.
click rather than typer: typer builds a pydantic adapter per option on every start, which cost
about 0.3 s of each run; a cron ingest with nothing new should cost little more than Python.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from switchcost.app.console import err_console

F = TypeVar("F", bound=Callable[..., Any])

OUT_FORMATS = ("table", "csv", "json")


def _to_day(_ctx: click.Context, _param: click.Parameter, value: dt.datetime | None) -> Any:
    return value.date() if value else None


db_option = click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=None,
    help="DuckDB file (default: $SWITCHCOST_DB or ~/.local/share/switchcost/switchcost.duckdb).",
)
prices_option = click.option(
    "--prices",
    type=click.Path(path_type=Path),
    default=None,
    help="Your price file: adds or overrides models "
    "(default: $SWITCHCOST_PRICES or ~/.config/switchcost/prices.toml).",
)
since_option = click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=_to_day,
    help="First day (inclusive), YYYY-MM-DD.",
)
until_option = click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    callback=_to_day,
    help="Last day (inclusive), YYYY-MM-DD.",
)
tz_option = click.option(
    "--tz", default="UTC", show_default=True, help="Time zone for calendar days."
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(OUT_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)


def _out_of_memory(err: Exception) -> bool:
    """DuckDB ran out of its memory pool (duckdb is imported only if a command used it; a
    commit that cannot get a block says so in a TransactionException)."""
    duckdb = sys.modules.get("duckdb")
    if duckdb is None or not isinstance(err, duckdb.Error):
        return False
    text = str(err)
    return isinstance(err, duckdb.OutOfMemoryException) or any(
        phrase in text for phrase in ("could not allocate block", "failed to pin block")
    )


def domain_errors(func: F) -> F:
    """Turn the errors a user can act on into one line on stderr and exit code 1: every
    `UserError` (queries/errors.py), a database file DuckDB cannot read back, a full disk, and
    DuckDB running out of memory.  Any other exception, a plain `ValueError` included, is a bug:
    it surfaces with its traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from switchcost.queries.errors import UserError

        try:
            return func(*args, **kwargs)
        except UserError as err:
            _say(str(err))
            raise click.exceptions.Exit(1) from None
        except Exception as err:
            damaged = _damaged(err, kwargs.get("db"))
            if damaged is not None:
                _say(damaged)
            elif _disk_full(err):
                _say(
                    "no space left on the disk that holds the database (or DuckDB's temporary"
                    " folder next to it); the unfinished step was rolled back and nothing of it"
                    " was kept. Free some space and run again."
                )
            elif _out_of_memory(err):
                _say(
                    "DuckDB ran out of memory; the unfinished step was rolled back and"
                    " nothing of it was written. Give it more with SWITCHCOST_MEMORY=512MB and"
                    " run again."
                )
            else:
                raise
            raise click.exceptions.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _disk_full(err: Exception) -> bool:
    """DuckDB could not write the database, its log or a spilled block: the disk is full
    (a spill that finds no room says so through the temporary folder's size limit)."""
    duckdb = sys.modules.get("duckdb")
    if duckdb is None or not isinstance(err, duckdb.Error):
        return False
    text = str(err)
    return "No space left on device" in text or "max_temp_directory_size" in text


def _say(message: str) -> None:
    err_console.print(f"switchcost: {message}", style="red", highlight=False, markup=False)


def _damaged(err: Exception, db: Path | None) -> str | None:
    """The one line for a DuckDB error that says the database file cannot be read back."""
    duckdb = sys.modules.get("duckdb")
    if duckdb is None or not isinstance(err, duckdb.Error):
        return None
    from switchcost.queries.errors import damaged_database
    from switchcost.queries.location import default_db_path

    found = damaged_database(err, str(db or default_db_path()))
    return str(found) if found is not None else None
