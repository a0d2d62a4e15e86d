"""`switchcost dashboard`: start the local Streamlit server over a database.

The server binds to 127.0.0.1 unless asked otherwise: usage logs say what a team builds, so they
are not served to the network by default, and the dashboard has no login of its own: binding
any other address prints a warning (`exposure_warning`).  The database path travels in
`SWITCHCOST_DB`, which is where the dashboard (and every `queries.db.connect`) looks.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import click

from switchcost.app.cli_options import db_option
from switchcost.app.console import err_console, say

ENTRYPOINT = Path(__file__).resolve().parent / "dashboard.py"
LOOPBACK_NAMES = ("localhost", "localhost.", "ip6-localhost", "ip6-loopback")


def is_loopback(host: str) -> bool:
    """True only for addresses no other machine can reach (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to a reachable address


def exposure_warning(host: str, port: int) -> str | None:
    """The one-line stderr warning for a non-loopback bind, or None for a loopback one."""
    if is_loopback(host):
        return None
    return (
        f"switchcost: warning: the dashboard has no authentication; anyone who can reach "
        f"{host}:{port} can read all the usage data. Bind 127.0.0.1 and put it behind an "
        "authenticating reverse proxy (e.g. nginx with basic auth, or oauth2-proxy)."
    )


def streamlit_command(db: Path, port: int, host: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that serve the dashboard (separate so tests can check them)."""
    # app.serve imports the heavy libraries before Streamlit starts serving (first paint).
    argv = [
        sys.executable,
        "-m",
        "switchcost.app.serve",
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
        from switchcost.queries.location import default_db_path

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
        warning = exposure_warning(host, port)
        if warning:
            say(warning)
        err_console.print(
            f"switchcost: serving {path} on http://{host}:{port} (Ctrl+C to stop)",
            highlight=False,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvpe(argv[0], argv, env)
