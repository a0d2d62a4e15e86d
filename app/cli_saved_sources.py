"""`switchcost sources add|list|remove` (the paths `ingest` reads when given none), and that
no-path ingest itself (see app/saved_sources.py for where it looks)."""

from __future__ import annotations

from pathlib import Path

import click

from switchcost.app.cli_options import domain_errors
from switchcost.app.console import say
from switchcost.queries.errors import UserError


def ingest_defaults(
    db: Path | None, fmt: str, workload_tags: str, wait: float, prices: Path | None
) -> int:
    """`switchcost ingest` with no path: Claude Code's folders and the saved sources.

    One ingest run per format (Claude Code's folders and every "auto" source share one run);
    a forced --format applies to everything.  Exit code 0 when any run read something."""
    from switchcost.app import commands_data
    from switchcost.app.saved_sources import AUTO, default_inputs

    groups, looked, notes = default_inputs()
    for note in notes:
        say(note)
    if fmt != AUTO:
        merged = [p for paths in groups.values() for p in paths]
        groups = {fmt: list(dict.fromkeys(merged))} if merged else {}
    if not groups:
        raise UserError(
            "nothing to ingest: looked in " + "; ".join(looked) + ". Give a path "
            "(switchcost ingest PATH) or save one (switchcost sources add PATH)."
        )
    codes = []
    for group_fmt, paths in groups.items():
        shown = ", ".join(str(p) for p in paths)
        say(f"reading {shown}" + ("" if group_fmt == AUTO else f" as {group_fmt}"))
        codes.append(commands_data.ingest(paths, db, group_fmt, workload_tags, wait, prices))
    return min(codes)


def register(app: click.Group) -> None:
    """Add the `sources` group to the CLI."""

    @app.group(
        epilog="\b\nExample:\n  switchcost sources add /var/log/app/claude.jsonl --format messages"
    )
    def sources() -> None:
        """Paths `switchcost ingest` reads when given none (beside Claude Code's own folders)."""

    @sources.command("add")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option(
        "--format",
        "fmt",
        default="auto",
        show_default=True,
        help="auto, or the reader to force for this path (see `switchcost ingest --help`).",
    )
    @domain_errors
    def add(path: Path, fmt: str) -> None:
        """Save a file or folder for `switchcost ingest` with no path."""
        from switchcost.app.saved_sources import add_source, config_file

        source, new = add_source(path, fmt)
        if not Path(source.path).exists():
            say(f"{source.path}: does not exist yet; saved anyway (skipped until it does)")
        verb = "saved" if new else "updated"
        say(f"{verb} {source.path} (format {source.format}) in {config_file()}")

    @sources.command("list")
    @domain_errors
    def list_() -> None:
        """The saved sources, and the Claude Code folders found now."""
        from switchcost.app.saved_sources import claude_code_dirs, config_file, load_sources

        folders, looked = claude_code_dirs()
        for folder in folders:
            click.echo(f"{folder}\tauto\tClaude Code")
        for source in load_sources():
            there = "" if Path(source.path).exists() else "\t(not found now)"
            click.echo(f"{source.path}\t{source.format}\tsaved{there}")
        if not folders:
            say("no Claude Code folder found (looked in " + "; ".join(looked) + ")")
        say(f"saved sources are kept in {config_file()}")

    @sources.command("remove")
    @click.argument("path", type=click.Path(path_type=Path))
    @domain_errors
    def remove(path: Path) -> None:
        """Forget a saved source (its data already ingested stays in the database)."""
        from switchcost.app.saved_sources import config_file, remove_source

        if not remove_source(path):
            raise UserError(f"{path}: not a saved source (see `switchcost sources list`)")
        say(f"removed {path} from {config_file()}")
