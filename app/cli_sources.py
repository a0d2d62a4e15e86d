"""CLI commands for the sources slice (registered by app.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this slice's commands to the CLI (none yet)."""
    del app
