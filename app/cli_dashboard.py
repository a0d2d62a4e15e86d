"""`switchcost dashboard`: start the local Streamlit server over a database.

The server binds to 127.0.0.1 unless asked otherwise: usage logs say what a team builds, so they
are not served to the network by default.  The database path travels in `SWITCHCOST_DB`, which is
where the dashboard (and every `queries.db.connect`) looks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from app.cli_options import db_option
from app.console import err_console

ENTRYPOINT = Path(__file__).resolve().parent / "dashboard.py"


def streamlit_command(db: Path, port: int, host: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that serve the dashboard (separate so tests can check them)."""
    # app.serve imports the heavy libraries before Streamlit starts serving (first paint).
    argv = [
        sys.executable,
        "-m",
        "app.serve",
        str(ENTRYPOINT),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--theme.base",
        "light",
    ]
    env = {**os.environ, "SWITCHCOST_DB": str(db)}
    return argv, env


def register(app: click.Group) -> None:
    """Add `switchcost dashboard` to the CLI."""

    @app.command()
    @db_option
    @click.option("--port", type=int, default=8501, show_default=True, help="Port to serve on.")
    @click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to bind (only widen it on a network you trust).",
    )
    def dashboard(db: Path | None, port: int, host: str) -> None:
        """Open the local dashboard: spend, latency and what a switch to Haiku would save."""
        from queries.location import default_db_path

        path = (db or default_db_path()).expanduser().resolve()
        if not path.exists():
            err_console.print(
                f"switchcost: no database at {path}: run `switchcost ingest PATH --db {path}` "
                "first.",
                style="red",
                highlight=False,
                markup=False,
            )
            raise click.exceptions.Exit(1)
        argv, env = streamlit_command(path, port, host)
        err_console.print(
            f"switchcost: serving {path} on http://{host}:{port} (Ctrl+C to stop)",
            highlight=False,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvpe(argv[0], argv, env)
