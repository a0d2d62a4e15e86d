"""CLI commands for the sources slice: `fetch`, `reconcile`, `report-api` (registered by app.cli).

`fetch` pulls Anthropic's usage and cost reports with the admin key from the environment (never
from a flag, so it stays out of shell history and process lists); `reconcile` sets the cost the
tool computes from request logs beside the cost Anthropic reports; `report-api` reports the
fetched (or Console-exported) aggregates by any of their dimensions.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
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
from switchcost.app.console import err_console
from switchcost.queries.dimensions import BUCKET_DIMENSIONS
from switchcost.queries.errors import UserError


def _say(text: str) -> None:
    err_console.print(text, highlight=False, markup=False)


def run_fetch(
    db: Path | None, since: dt.date | None, until: dt.date | None, base_url: str | None
) -> None:
    """Fetch every report still open in [since, until] and store it in one transaction."""
    from switchcost.ingest import fetch_api
    from switchcost.ingest.load_buckets import FetchedReport, first_open_day, store_reports

    key = os.environ.get(fetch_api.ADMIN_KEY_ENV, "").strip()
    if not key:
        raise UserError(
            f"set {fetch_api.ADMIN_KEY_ENV} to an Admin API key (sk-ant-admin…) or a key with"
            " the read:analytics scope to fetch usage and cost reports"
        )
    until = until or dt.datetime.now(dt.UTC).date()
    since = since or until - dt.timedelta(days=30)
    if since > until:
        raise UserError(f"--since {since} is after --until {until}")
    start = fetch_api.day_start(since)
    end = fetch_api.day_start(until) + dt.timedelta(days=1)
    client = fetch_api.make_client(key, base_url)
    fetched: list[FetchedReport] = []
    skipped = 0
    reports: tuple[fetch_api.Report, ...] = fetch_api.ANALYTICS_REPORTS
    i = 0
    while i < len(reports):
        rep = reports[i]
        lo = max(start, fetch_api.ANALYTICS_EARLIEST) if rep.source.endswith("-api") else start
        open_day = first_open_day(db, rep.source, rep.grouping_name, lo, end) if lo < end else None
        if open_day is None:
            skipped += 1
            i += 1
            continue
        try:
            fetched.append(fetch_api.fetch_report(client, rep, open_day, end))
        except fetch_api.AnalyticsUnavailable:
            if reports is fetch_api.LEGACY_REPORTS:
                raise
            _say(
                "the analytics API is not available to this organization: using the legacy reports"
            )
            reports, i, fetched, skipped = fetch_api.LEGACY_REPORTS, 0, [], 0
            continue
        i += 1
    summary = store_reports(db, fetched)
    _say(
        f"fetched {summary.usage_rows} usage rows and {summary.cost_rows} cost rows "
        f"({summary.buckets} daily buckets, {summary.final_buckets} final); "
        f"{skipped} reports already final for {since}..{until}"
    )


def report_buckets(
    db: Path | None,
    by: str,
    since: dt.date | None,
    until: dt.date | None,
    fmt: str,
    prices: Path | None,
) -> None:
    """Anthropic's reported usage and cost per group (`report --source usage-api`)."""
    from switchcost.app.commands_data import emit
    from switchcost.queries import buckets
    from switchcost.queries import db as qdb

    with qdb.connect(db, read_only=True, prices=prices) as conn:
        frame = buckets.bucket_report(conn, by, since, until)
    rows = frame.to_dicts()
    emit(rows, [by, *buckets.BUCKET_COLUMNS], _totals(rows, buckets.BUCKET_COLUMNS), fmt, by)


def _totals(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in columns:
        values = [r[col] for r in rows if r.get(col) is not None]
        if col.endswith("_usd"):
            out[col] = sum((Decimal(v) for v in values), Decimal(0))
        elif values and all(isinstance(v, int) for v in values):
            out[col] = sum(values)
    return out


def run_reconcile(
    db: Path | None, since: dt.date | None, until: dt.date | None, fmt: str, prices: Path | None
) -> None:
    from switchcost.app.commands_data import emit
    from switchcost.queries import buckets
    from switchcost.queries import db as qdb

    with qdb.connect(db, read_only=True, prices=prices) as conn:
        frame = buckets.reconcile(conn, since, until)
    rows = frame.to_dicts()
    columns = list(buckets.RECONCILE_COLUMNS)
    emit(rows, columns, _totals(rows, buckets.RECONCILE_COLUMNS[2:]), fmt, "day")
    if rows and all(r["reported_usd"] is None for r in rows):
        _say(
            "no reported cost for these days: run `switchcost fetch` (or ingest a Console cost CSV)"
        )


def register(app: click.Group) -> None:
    """Add `fetch`, `reconcile` and `report-api` to the CLI."""

    @app.command()
    @since_option
    @until_option
    @db_option
    @click.option(
        "--base-url", default=None, help="API base URL (default: the SDK's, api.anthropic.com)."
    )
    @domain_errors
    def fetch(
        since: dt.date | None, until: dt.date | None, db: Path | None, base_url: str | None
    ) -> None:
        """Fetch Anthropic's usage and cost reports (key from $ANTHROPIC_ADMIN_KEY)."""
        run_fetch(db, since, until, base_url)

    @app.command()
    @db_option
    @since_option
    @until_option
    @format_option
    @prices_option
    @domain_errors
    def reconcile(
        db: Path | None,
        since: dt.date | None,
        until: dt.date | None,
        fmt: str,
        prices: Path | None,
    ) -> None:
        """Per day and model: cost computed from logs, cost Anthropic reports, and the gap."""
        run_reconcile(db, since, until, fmt, prices)

    @app.command("report-api")
    @click.option(
        "--by", type=click.Choice(BUCKET_DIMENSIONS), required=True, help="Group rows by this."
    )
    @db_option
    @since_option
    @until_option
    @format_option
    @prices_option
    @domain_errors
    def report_api(
        by: str,
        db: Path | None,
        since: dt.date | None,
        until: dt.date | None,
        fmt: str,
        prices: Path | None,
    ) -> None:
        """Anthropic's reported usage and cost (from `fetch` or Console CSV) per group."""
        report_buckets(db, by, since, until, fmt, prices)
