"""The `switchcost` command: a thin layer over `ingest` and `queries`.

stdout carries data (tables, CSV, JSON); stderr carries progress and messages.  Domain errors
become one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app import commands_data
from app.cli_options import (
    DbOpt,
    FormatOpt,
    OutFormat,
    PricesOpt,
    SinceOpt,
    TzOpt,
    UntilOpt,
    day,
    domain_errors,
)

app = typer.Typer(
    help="What your Claude API traffic costs, and what moving workloads to a cheaper model saves.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# The reader names (ingest.readers.REGISTRY), spelled out so `--help` needs no import of the
# readers; tests/test_cli_help.py keeps the two in step.
FORMATS = (
    "claude-code, batch-results, bedrock, vertex, litellm, helicone, otel, console-csv, messages"
)


class By(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    model = "model"
    workload = "workload"
    project = "project"
    session = "session"
    source = "source"


@app.command()
@domain_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (read recursively).")],
    db: DbOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"auto, or force one of: {FORMATS}.")
    ] = "auto",
    workload_tags: Annotated[
        str, typer.Option(help="Tags that name a workload in app logs, first present wins.")
    ] = "workload,feature,app",
    wait: Annotated[float, typer.Option(help="Seconds to wait for another writer.")] = 30.0,
    prices: PricesOpt = None,
) -> None:
    """Read usage logs into the database (new lines only; safe to run again)."""
    code = commands_data.ingest(paths, db, fmt, workload_tags, wait, prices)
    raise typer.Exit(code)


@app.command()
@domain_errors
def report(
    by: Annotated[By, typer.Option("--by", help="Group rows by this.")],
    db: DbOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tz: TzOpt = "UTC",
    fmt: FormatOpt = OutFormat.table,
    prices: PricesOpt = None,
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="logs (your request logs) or usage-api (Anthropic's reports, from `fetch` "
            "or a Console CSV; --by day, week, month or model).",
        ),
    ] = "logs",
) -> None:
    """Requests, tokens by type and exact cost per day, model, workload, ..."""
    if source == "usage-api":
        from app.cli_sources import report_buckets

        if by.value not in ("day", "week", "month", "model"):
            raise ValueError("--source usage-api groups by day, week, month or model")
        report_buckets(db, by.value, day(since), day(until), fmt.value, prices)
    elif source == "logs":
        commands_data.report(db, by.value, day(since), day(until), tz, fmt.value, prices)
    else:
        raise ValueError(f"unknown --source {source!r}: use logs or usage-api")


@app.command()
@domain_errors
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV files.")],
    db: DbOpt = None,
    tz: TzOpt = "UTC",
    prices: PricesOpt = None,
) -> None:
    """Write CSV summaries (by day and model, workload, model, and every priced request)."""
    commands_data.export(db, out, tz, prices)


@app.command("prices")
@domain_errors
def prices_cmd(
    model: Annotated[str | None, typer.Argument(help="One model id or alias.")] = None,
    fmt: FormatOpt = OutFormat.table,
    prices: PricesOpt = None,
) -> None:
    """The price table in force, with each row's source and effective date."""
    commands_data.prices(model, fmt.value, prices)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        print(
            "switchcost: interrupted; nothing was written by the unfinished step.", file=sys.stderr
        )
        sys.exit(130)


def _register_command_groups() -> None:
    """Commands of later slices live in their own modules; each adds itself to `app`."""
    from app import cli_dashboard, cli_project, cli_sources

    for module in (cli_project, cli_dashboard, cli_sources):
        module.register(app)


_register_command_groups()
