"""`switchcost collect` (an OTLP/HTTP receiver for Claude Code telemetry) and `switchcost users`.

See docs/collect.md.  The receiver lives in ingest/otlp_receiver.py; this is the command line.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from switchcost.app.cli_options import (
    db_option,
    domain_errors,
    format_option,
    prices_option,
    since_option,
    until_option,
)
from switchcost.app.console import say
from switchcost.queries.errors import UserError

DEFAULT_LISTEN = "127.0.0.1:4318"
USER_COLUMNS = (
    "user",
    "email",
    "requests",
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
    "cost_usd",
    "reported_cost_usd",
    "unpriced_requests",
)


def parse_listen(text: str) -> tuple[str, int]:
    """HOST:PORT (IPv6 as [::1]:4318) as (host, port), or a UserError."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535 or not host:
        raise UserError(f"--listen {text!r}: use HOST:PORT, such as 127.0.0.1:4318")
    return host.strip("[]"), int(port)


def exposure_warning(host: str) -> str | None:
    """The one-line warning for a bind other than loopback (anyone who reaches it can write)."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return None
    return (
        f"switchcost: warning: collect listens on {host}, beyond this machine; it has no"
        " authentication, so anyone who can reach it can add usage rows. Prefer 127.0.0.1 behind"
        " an OpenTelemetry Collector (or a proxy) that authenticates senders."
    )


def register(app: click.Group) -> None:
    """Add `collect` and `users` to the CLI."""

    @app.command()
    @click.option(
        "--listen",
        default=DEFAULT_LISTEN,
        show_default=True,
        help="HOST:PORT to receive OTLP/HTTP logs on (POST /v1/logs).",
    )
    @db_option
    @prices_option
    @click.option(
        "--max-body-mb",
        type=click.IntRange(1, 1024),
        default=16,
        show_default=True,
        help="Largest request body accepted (MiB); larger ones get 413.",
    )
    @click.option(
        "--wait",
        type=float,
        default=30.0,
        show_default=True,
        help="Seconds to wait for another writer before answering 503.",
    )
    @domain_errors
    def collect(
        listen: str, db: Path | None, prices: Path | None, max_body_mb: int, wait: float
    ) -> None:
        """Receive Claude Code's OpenTelemetry logs (OTLP/HTTP) and store each API request."""
        run_collect(listen, db, prices, max_body_mb * 1024 * 1024, wait)

    @app.command()
    @db_option
    @since_option
    @until_option
    @format_option
    @prices_option
    @domain_errors
    def users(
        db: Path | None,
        since: dt.date | None,
        until: dt.date | None,
        fmt: str,
        prices: Path | None,
    ) -> None:
        """Requests, tokens and exact cost per user (from collected Claude Code telemetry)."""
        from switchcost.app.commands_data import emit
        from switchcost.queries import db as qdb
        from switchcost.queries.reports import row_totals
        from switchcost.queries.run_sql import records

        with qdb.connect(db, read_only=True, prices=prices) as conn:
            rows = records(conn, "usage_by_user", since=since, until=until)
        emit(rows, list(USER_COLUMNS), row_totals(rows), fmt, "user")


def run_collect(
    listen: str, db: Path | None, prices: Path | None, max_body: int, wait: float
) -> None:
    from switchcost.ingest.collect_store import store
    from switchcost.ingest.otlp_receiver import Receiver
    from switchcost.queries.location import default_db_path

    host, port = parse_listen(listen)
    warning = exposure_warning(host)
    if warning:
        say(warning)

    def commit(rows: list[Any]) -> object:
        return store(rows, db, prices, wait)

    try:
        receiver = Receiver((host, port), commit, max_body=max_body)
    except OSError as err:
        raise UserError(f"--listen {listen}: cannot listen there: {err.strerror}") from None
    say(
        f"collecting OTLP logs on http://{host}:{receiver.server_address[1]}/v1/logs into"
        f" {db or default_db_path()} (Ctrl-C to stop)"
    )
    stop = threading.Event()

    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        receiver.shutdown()
        receiver.server_close()  # the writer commits what is waiting first
    s = receiver.writer.stats
    print(
        f"switchcost: collect stopped: {s.requests} export requests, {s.events_stored} api"
        f" requests stored, {s.events_rejected} rejected, {s.failed_commits} failed commits",
        file=sys.stderr,
    )
