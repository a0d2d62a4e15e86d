"""The `switchcost` command: a thin layer over `ingest` and `queries`.

stdout carries data (tables, CSV, JSON); stderr carries progress and messages.  Domain errors
become one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from app import commands_data
from app.cli_focus import focus_options, run_export
from app.cli_options import (
    db_option,
    domain_errors,
    format_option,
    prices_option,
    since_option,
    tz_option,
    until_option,
)
from queries.dimensions import DIMENSIONS

# The reader names (ingest.readers.REGISTRY), spelled out so `--help` needs no import of the
# readers; tests/test_cli_help.py keeps the two in step.
FORMATS = (
    "claude-code, batch-results, bedrock, vertex, litellm, helicone, otel, otlp-logs, console-csv,"
    " messages"
)


@click.group(
    help="What your Claude API traffic costs, and what moving workloads to a cheaper model saves.",
    context_settings={"max_content_width": 100},
    epilog="\b\nExample:\n"
    "  switchcost ingest ~/.claude/projects && switchcost report --by workload",
)
@click.version_option(
    package_name="switchcost", prog_name="switchcost", message="%(prog)s %(version)s"
)
def app() -> None:
    pass


# One example per command, shown last in its --help (click re-wraps an epilog; \b keeps the line).
EXAMPLES = {
    "ingest": "switchcost ingest ~/.claude/projects /var/log/myapp/claude.jsonl",
    "report": "switchcost report --by workload --since 2026-11-01 --tz Europe/Berlin",
    "export": "switchcost export --out reports/",
    "prices": "switchcost prices claude-haiku-4-5",
    "project": "switchcost project --scenario recommended --to claude-haiku-4-5",
    "dashboard": "switchcost dashboard --db ~/switchcost.duckdb --port 8501",
    "fetch": "ANTHROPIC_ADMIN_KEY=... switchcost fetch --since 2026-11-01",
    "reconcile": "switchcost reconcile --since 2026-11-01 --until 2026-11-30",
    "report-api": "switchcost report-api --by model --since 2026-11-01",
    "replay": "switchcost replay --to claude-haiku-4-5 --workload json-extraction --sample 50",
    "collect": "switchcost collect --listen 127.0.0.1:4318",
    "users": "switchcost users --since 2026-11-01",
    "capture": "switchcost capture purge --before 2026-11-01",
}


def _add_examples(group: click.Group) -> None:
    """Each command's help ends with its one example (unless it already has an epilog)."""
    for name, command in group.commands.items():
        if not command.epilog and name in EXAMPLES:
            command.epilog = f"\b\nExample:\n  {EXAMPLES[name]}"


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
@domain_errors
def ingest(
    paths: tuple[Path, ...],
    db: Path | None,
    fmt: str,
    workload_tags: str,
    wait: float,
    prices: Path | None,
) -> None:
    """Read usage logs into the database (new lines only; safe to run again).

    With no PATHS: Claude Code's folders ($CLAUDE_CONFIG_DIR, else ~/.config/claude and
    ~/.claude) and the sources saved with `switchcost sources add`."""
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
        from app.cli_sources import report_buckets

        if by not in ("day", "week", "month", "model"):
            from queries.errors import UserError

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


def main() -> None:
    """Console-script entry point: click's parsing, our messages and exit codes."""
    try:
        code = app.main(prog_name="switchcost", standalone_mode=False)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except (click.Abort, KeyboardInterrupt):
        print(
            "switchcost: interrupted; nothing was written by the unfinished step.", file=sys.stderr
        )
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _register_command_groups() -> None:
    """Commands of later slices live in their own modules; each adds itself to `app`."""
    from app import cli_dashboard, cli_project, cli_replay, cli_sources

    for module in (cli_project, cli_dashboard, cli_sources, cli_replay):
        module.register(app)
    from app import cli_collect  # collect (OTLP receiver) and users

    cli_collect.register(app)
    from app import cli_saved_sources, cli_schedule  # sources add/list/remove; schedule

    cli_saved_sources.register(app)
    cli_schedule.register(app)


_register_command_groups()
_add_examples(app)
