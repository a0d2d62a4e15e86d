"""Options and error handling shared by every `switchcost` command, declared once.

Command modules import these at module level: typer reads annotations in the defining module's
globals, so each command module needs the names there, and this module imports no command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from app.console import err_console

F = TypeVar("F", bound=Callable[..., Any])


class OutFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB file (default: $SWITCHCOST_DB or "
        "~/.local/share/switchcost/switchcost.duckdb).",
        show_default=False,
    ),
]
PricesOpt = Annotated[
    Path | None,
    typer.Option(
        "--prices",
        help="Your price file: adds or overrides models "
        "(default: $SWITCHCOST_PRICES or ~/.config/switchcost/prices.toml).",
        show_default=False,
    ),
]
SinceOpt = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day (inclusive).")
]
UntilOpt = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (inclusive).")
]
TzOpt = Annotated[str, typer.Option("--tz", help="Time zone for calendar days.")]
FormatOpt = Annotated[OutFormat, typer.Option("--format", help="Output format.")]


def day(value: dt.datetime | None) -> dt.date | None:
    """The date of a `--since`/`--until` value (typer parses them as datetimes)."""
    return value.date() if value else None


def domain_errors(func: F) -> F:
    """Turn the errors a user can act on into one line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ingest.errors import InputError
        from queries.errors import DatabaseError, PriceFileError

        try:
            return func(*args, **kwargs)
        except (DatabaseError, InputError, PriceFileError, ValueError) as err:
            err_console.print(f"switchcost: {err}", style="red", highlight=False, markup=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
