"""`switchcost ingest`, `report`, `export` and `prices`: the commands over the database itself.

Argument parsing only; the work is in app/commands_data.py.  Every command module adds its
commands to the group with `register(app)` (app/cli.py calls each in turn).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from switchcost.app import commands_data
from switchcost.app.cli_focus import focus_options, run_export
from switchcost.app.cli_options import (
    db_option,
    domain_errors,
    format_option,
    prices_option,
    since_option,
    tz_option,
    until_option,
)
from switchcost.queries.dimensions import DIMENSIONS

# The reader names (ingest.readers.REGISTRY), spelled out so `--help` needs no import of the
# readers; tests/test_cli_help.py keeps the two in step.
FORMATS = (
    "claude-code, batch-results, bedrock, vertex, litellm, helicone, otel, otlp-logs, console-csv,"
    " messages"
)


def register(app: click.Group) -> None:
    """Add `ingest`, `report`, `export` and `prices` to the CLI."""

    @app.command()
    @click.argument("paths", nargs=-1, required=False, type=click.Path(path_type=Path))
    @db_option
    @click.option(
        "--format",
        "fmt",
        default="auto",
        show_default=True,
        help=f"auto, or force one of: {FORMATS}.",
    )
    @click.option(
        "--workload-tags",
        default="workload,feature,app",
        show_default=True,
        help="Tags that name a workload in app logs, first present wins.",
    )
    @click.option(
        "--wait",
        type=float,
        default=30.0,
        show_default=True,
        help="Seconds to wait for another writer.",
    )
    @prices_option
    @click.option(
        "--capture",
        is_flag=True,
        help="Also keep request and response bodies logged with instrument(capture=True), "
        "in a private store beside the database (for `switchcost replay`).",
    )
    @domain_errors
    def ingest(
        paths: tuple[Path, ...],
        db: Path | None,
        fmt: str,
        workload_tags: str,
        wait: float,
        prices: Path | None,
        capture: bool,
    ) -> None:
        """Read usage logs into the database (new lines only; safe to run again).

        With no PATHS: Claude Code's folders ($CLAUDE_CONFIG_DIR, else ~/.config/claude and
        ~/.claude) and the sources saved with `switchcost sources add`."""
        if capture:
            from switchcost.app.cli_replay import store_captures

            store_captures(db, paths, workload_tags)
        code = commands_data.ingest(list(paths), db, fmt, workload_tags, wait, prices)
        raise click.exceptions.Exit(code)

    @app.command()
    @click.option(
        "--by",
        type=click.Choice(DIMENSIONS),
        default="day",
        show_default=True,
        help="Group rows by this (by day, as ccusage's daily report, when not given).",
    )
    @db_option
    @since_option
    @until_option
    @tz_option
    @format_option
    @prices_option
    @click.option(
        "--source",
        type=click.Choice(("logs", "usage-api")),
        default="logs",
        show_default=True,
        help="logs (your request logs) or usage-api (Anthropic's reports, from `fetch` "
        "or a Console CSV; --by day, week, month or model).",
    )
    @domain_errors
    def report(
        by: str,
        db: Path | None,
        since: dt.date | None,
        until: dt.date | None,
        tz: str,
        fmt: str,
        prices: Path | None,
        source: str,
    ) -> None:
        """Requests, tokens by type and exact cost per day, model, workload, ..."""
        if source == "usage-api":
            from switchcost.app.cli_sources import report_buckets

            if by not in ("day", "week", "month", "model"):
                from switchcost.queries.errors import UserError

                raise UserError("--source usage-api groups by day, week, month or model")
            report_buckets(db, by, since, until, fmt, prices)
        else:
            commands_data.report(db, by, since, until, tz, fmt, prices)

    @app.command()
    @click.option(
        "--out", type=click.Path(path_type=Path), required=True, help="Folder for the CSV files."
    )
    @db_option
    @tz_option
    @prices_option
    @focus_options
    @domain_errors
    def export(
        out: Path,
        db: Path | None,
        tz: str,
        prices: Path | None,
        focus: bool,
        projection: str | None,
        targets: tuple[str, ...],
    ) -> None:
        """Write CSV summaries (by day and model, workload, model, and every priced request)."""
        if not run_export(db, out, prices, focus, projection, targets):
            commands_data.export(db, out, tz, prices)

    @app.command("prices")
    @click.argument("model", required=False)
    @format_option
    @prices_option
    @click.option("--sources", is_flag=True, help="Add each row's source to the table.")
    @domain_errors
    def prices_cmd(model: str | None, fmt: str, prices: Path | None, sources: bool) -> None:
        """The price table in force, with each row's source and effective date."""
        commands_data.prices(model, fmt, prices, sources)
