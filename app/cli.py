"""The `switchcost` command: a thin layer over `ingest` and `queries`.

This module holds the group, its examples and the entry point; each command is added by its
module's `register(app)` (app/cli_core.py: ingest, report, export, prices; app/cli_*.py: the
rest).

stdout carries data (tables, CSV, JSON); stderr carries progress and messages.  Domain errors
become one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

import click


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


def _register_commands() -> None:
    """Every command lives in a module that adds it to `app` with `register(app)`, in the order
    `--help` lists them."""
    from switchcost.app import (
        cli_collect,
        cli_core,
        cli_dashboard,
        cli_project,
        cli_replay,
        cli_saved_sources,
        cli_schedule,
        cli_sources,
    )

    for module in (
        cli_core,  # ingest, report, export, prices
        cli_project,
        cli_dashboard,
        cli_sources,  # fetch, reconcile, report-api
        cli_replay,  # replay, capture
        cli_collect,  # collect (OTLP receiver), users
        cli_saved_sources,  # sources add/list/remove
        cli_schedule,
    ):
        module.register(app)


_register_commands()
_add_examples(app)
