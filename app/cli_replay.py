"""`switchcost replay` (with `replay status` and `replay collect`) and `switchcost capture
purge`: argument parsing and messages; the work is in app/replay/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from switchcost.app.cli_options import db_option, domain_errors, prices_option


def _say(text: str) -> None:
    click.echo(text, err=True)


def _db(db: Path | None) -> Path:
    from switchcost.queries.location import default_db_path

    return db or default_db_path()


base_url_option = click.option(
    "--base-url", default=None, help="API base URL (default: the SDK's, api.anthropic.com)."
)


def register(app: click.Group) -> None:
    """Add `replay` and `capture` to the CLI (`ingest --capture` is app/cli_core.py's)."""

    @app.group(invoke_without_command=True)
    @click.option("--to", "target", help="Target model id or alias (required to start a run).")
    @click.option("--workload", "workloads", multiple=True, help="Only this workload; repeat.")
    @click.option("--sample", "per_workload", type=click.IntRange(1), default=50, show_default=True)
    @click.option("--seed", type=int, default=0, show_default=True)
    @click.option(
        "--mode", type=click.Choice(("batch", "live")), default="batch", show_default=True
    )
    @click.option("--max-usd", type=Decimal, default=Decimal(5), show_default=True)
    @click.option("--yes", is_flag=True, help="Spend the estimate without asking.")
    @click.option(
        "--grader",
        default="default",
        show_default=True,
        help="exact, json, label, judge or command:CMD (default: json/exact for "
        "transformation workloads, judge otherwise).",
    )
    @click.option("--judge-model", default="claude-sonnet-4-5", show_default=True)
    @base_url_option
    @db_option
    @prices_option
    @click.pass_context
    @domain_errors
    def replay(ctx: click.Context, /, **kw: Any) -> None:
        """Re-send a seeded sample of captured requests to a target model and grade its answers."""
        if ctx.invoked_subcommand is not None:
            return
        if not kw["target"]:
            raise click.UsageError("--to MODEL is required to start a replay")
        from switchcost.app.replay.cli_run import start

        raise click.exceptions.Exit(start(_db(kw.pop("db")), **kw))

    @replay.command("status")
    @click.option("--run", "run_id", default=None, help="One run (default: all).")
    @base_url_option
    @db_option
    @domain_errors
    def status(run_id: str | None, base_url: str | None, db: Path | None) -> None:
        """Replay runs: samples answered, graded, spent, and where a batch stands."""
        from switchcost.app.replay.cli_run import status as show

        show(_db(db), run_id, base_url)

    @replay.command("collect")
    @click.option("--run", "run_id", default=None, help="Run id (default: the latest batch run).")
    @base_url_option
    @db_option
    @prices_option
    @click.option("--max-usd", type=Decimal, default=None, help="Cap for judge grading.")
    @click.option("--judge-model", default="claude-sonnet-4-5", show_default=True)
    @domain_errors
    def collect(
        run_id: str | None,
        base_url: str | None,
        db: Path | None,
        prices: Path | None,
        max_usd: Decimal | None,
        judge_model: str,
    ) -> None:
        """Store an ended batch's answers and grade them (running it twice is harmless)."""
        from switchcost.app.replay.cli_run import collect as pick_up

        code = pick_up(_db(db), run_id, base_url, prices, max_usd, judge_model)
        raise click.exceptions.Exit(code)

    @app.group()
    def capture() -> None:
        """The capture store of request and response bodies (opt-in: `ingest --capture`)."""

    @capture.command("purge")
    @click.option(
        "--before",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Only calls before this day (UTC).",
    )
    @click.option("--workload", default=None, help="Only this workload.")
    @db_option
    @domain_errors
    def purge(before: Any, workload: str | None, db: Path | None) -> None:
        """Delete captured bodies (and replay answers and judge reasons of those calls)."""
        from switchcost.ingest.capture import purge as run_purge

        gone = run_purge(_db(db), before.date() if before else None, workload)
        _say(f"purged {gone} captured calls")


def store_captures(db: Path | None, paths: tuple[Path, ...], workload_tags: str) -> None:
    """`ingest --capture`: before the ingest, store the bodies of captured calls found in the
    same files in the capture store (nothing is captured without the flag)."""
    from switchcost.ingest.capture import put_captures, store_path
    from switchcost.ingest.capture_read import captured_in, files_under

    where = _db(db)
    tags = tuple(t.strip() for t in workload_tags.split(",") if t)
    new = sum(put_captures(where, captured_in(path, tags)) for path in files_under(list(paths)))
    _say(f"captured {new} new request bodies in {store_path(where)}")
