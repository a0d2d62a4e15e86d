"""What `ingest`, `report`, `export` and `prices` do, kept apart from argument parsing."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from switchcost.app.console import err_console, out_console, say
from switchcost.app.output import csv_text, table_cell, to_json, write_csv
from switchcost.queries.errors import UserError

if TYPE_CHECKING:
    from switchcost.ingest.discover import Tree
    from switchcost.ingest.summary import IngestReport

MAX_LISTED = 10


def ingest(
    paths: list[Path],
    db: Path | None,
    fmt: str,
    workload_tags: str,
    wait: float,
    prices: Path | None,
) -> int:
    """Run one ingest with a progress bar on a terminal; print the summary; exit code."""
    if not paths:  # Claude Code's own folders and the saved sources
        from switchcost.app.cli_saved_sources import ingest_defaults

        return ingest_defaults(db, fmt, workload_tags, wait, prices)
    from switchcost.ingest import discover, stamp
    from switchcost.queries.location import default_db_path

    # Taken before anything is read, and handed to the run.  When no directory changed since
    # the last run, its file list is stat'ed instead of walking the tree again.
    known = stamp.files_if_unchanged(db or default_db_path(), paths)
    seen, tree = known if known is not None else discover.walk(paths)
    report = _nothing_new(seen, tree, db, fmt)
    if report is None:
        report = _run_ingest(paths, seen, tree, db, fmt, workload_tags, wait, prices)
    _print_summary(report, fmt)
    return 1 if report.nothing_readable else 0


def _nothing_new(
    files: list[tuple[str, int, int]], tree: Tree, db: Path | None, fmt: str
) -> IngestReport | None:
    """The summary of a run that would read nothing, when the last run's stamp says so.

    Checked before DuckDB is even imported: a scheduled ingest with nothing new costs a walk
    over the files and a few stat calls (see ingest/stamp.py for why that is safe).
    """
    from switchcost.ingest import stamp
    from switchcost.ingest.summary import IngestReport
    from switchcost.queries.location import default_db_path

    hit = stamp.matching(db or default_db_path(), stamp.inputs_digest(files, fmt))
    if hit is None:
        return None
    # The files the last run could not detect (still the same files), and what this walk
    # passed over (FIFOs, link loops: not in the digest, so taken from the walk itself).
    paths = {path for path, _, _ in files}
    undetected = [(path, why) for path, why in hit.skipped if path in paths]
    return IngestReport(
        files_seen=len(files),
        files_up_to_date=len(files) - len(undetected),
        skipped_files=[*tree.skipped, *undetected],
    )


def _run_ingest(
    paths: list[Path],
    seen: list[tuple[str, int, int]],
    tree: Tree,
    db: Path | None,
    fmt: str,
    workload_tags: str,
    wait: float,
    prices: Path | None,
) -> IngestReport:
    from switchcost.ingest.load import ingest_paths
    from switchcost.ingest.records import ReadOptions

    options = ReadOptions(
        workload_tags=tuple(t.strip() for t in workload_tags.split(",") if t.strip())
    )
    if sys.stderr.isatty():
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("ingesting", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = ingest_paths(
                paths,
                db_path=db,
                fmt=fmt,
                options=options,
                prices=prices,
                wait=wait,
                progress=step,
                seen=seen,
                tree=tree,
            )
    else:
        report = ingest_paths(
            paths,
            db_path=db,
            fmt=fmt,
            options=options,
            prices=prices,
            wait=wait,
            seen=seen,
            tree=tree,
        )
    return report


def _print_summary(report: IngestReport, fmt: str = "auto") -> None:
    for bad in report.malformed[:MAX_LISTED]:
        say(f"{bad.path}:{bad.line}: {bad.reason}")
    if len(report.malformed) > MAX_LISTED:
        say(
            f"... and {len(report.malformed) - MAX_LISTED} more malformed lines "
            "(all are listed on the dashboard's Data page)"
        )
    for path in report.nothing_billable[:MAX_LISTED]:
        say(
            f"{path}: read as {fmt}, but nothing billable was found in it "
            "(no request and no malformed line): is it in another format?"
        )
    if len(report.nothing_billable) > MAX_LISTED:
        say(f"... and {len(report.nothing_billable) - MAX_LISTED} more files with nothing billable")
    _print_skipped(report.skipped_files)
    unpriced = ", ".join(f"{m} ({n})" for m, n in report.unpriced_models.items())
    say(
        f"{report.files_read} files read ({report.files_up_to_date} unchanged, "
        f"{len(report.skipped_files)} skipped), {report.new_requests} new requests, "
        f"{report.duplicates} duplicates skipped, {len(report.malformed)} malformed lines, "
        f"{report.unpriced_requests} unpriced requests"
        + (f": {unpriced}" if unpriced else "")
        + report.error_records_note
    )
    if report.response_lines or report.other_lines:
        say(report.lines_note)
    if unpriced:
        say("add a price for these models with --prices FILE (see `switchcost prices --help`)")


def _print_skipped(skipped: list[tuple[str, str]]) -> None:
    """Each skipped file with its reason, the first MAX_LISTED of them, the rest counted by
    reason on one line; empty files only counted (a folder of 10,000 empty files is one line)."""
    from switchcost.ingest.summary import EMPTY

    empty = [path for path, why in skipped if why == EMPTY]
    listed = [(path, why) for path, why in skipped if why != EMPTY]
    for path, why in listed[:MAX_LISTED]:
        say(f"{path}: skipped, {why}")
    rest = Counter(why for _, why in listed[MAX_LISTED:])
    if rest:
        reasons = "; ".join(f"{why}: {n}" for why, n in rest.most_common())
        say(f"... and {sum(rest.values())} more files skipped ({reasons})")
    if empty:
        which = empty[0] if len(empty) == 1 else f"{len(empty)} files, e.g. {empty[0]}"
        say(f"skipped as empty: {which}")


def emit(
    rows: list[dict[str, Any]],
    columns: list[str],
    totals: dict[str, Any] | None,
    fmt: str,
    key: str,
) -> None:
    """Rows (and a totals row) as a table, JSON or CSV on stdout, keyed by column `key`."""
    if fmt in ("json", "csv"):
        sys.stdout.write(_render(rows, columns, totals, fmt, key))
    else:
        from rich.table import Table

        table = Table(show_footer=totals is not None, box=None, header_style="bold")
        for col in columns:
            footer = _footer(col, totals, key)
            table.add_column(_header(col), footer=footer, justify="left" if col == key else "right")
        for row in rows:
            table.add_row(*[table_cell(c, row.get(c)) for c in columns])
        out_console.print(table)


def _footer(col: str, totals: dict[str, Any] | None, key: str) -> str:
    """The totals row's cell: TOTAL under the key, blank where the column has no total."""
    if totals is None:
        return ""
    if col in totals:
        return table_cell(col, totals[col])
    return "TOTAL" if col == key else ""


HEADERS = {
    "input_tokens": "input\ntokens",
    "cache_write_5m_tokens": "cache write\n5m tokens",
    "cache_write_1h_tokens": "cache write\n1h tokens",
    "cache_read_tokens": "cache read\ntokens",
    "output_tokens": "output\ntokens",
    "cost_usd": "cost",
    "unpriced_requests": "unpriced\nrequests",
    "web_search_requests": "web\nsearches",
    "reported_cost_usd": "reported\ncost",
    "logged_requests": "logged\nrequests",
    "computed_usd": "computed\ncost",
    "reported_usd": "reported\ncost",
    "gap_usd": "gap",
}


def _header(col: str) -> str:
    """A table header in words (JSON and CSV keep the machine names)."""
    return HEADERS.get(col, col.removesuffix("_usd").replace("_", " "))


def _render(
    rows: list[dict[str, Any]],
    columns: list[str],
    totals: dict[str, Any] | None,
    fmt: str,
    key: str,
) -> str:
    """The JSON or CSV text of a report."""
    if fmt == "json":
        payload: dict[str, Any] = {"rows": rows}
        if totals is not None:
            payload["totals"] = totals
        return to_json(payload) + "\n"
    body = rows + ([{key: "TOTAL", **totals}] if totals is not None else [])
    return csv_text(body, columns)


def report(
    db: Path | None,
    by: str,
    since: dt.date | None,
    until: dt.date | None,
    tz: str,
    fmt: str,
    prices: Path | None,
) -> None:
    from switchcost.app import report_cache
    from switchcost.queries.location import default_db_path

    check_tz(tz)
    path = db or default_db_path()
    args = ["report", by, str(since), str(until), tz, fmt]
    cache_key = report_cache.key(path, prices, args) if fmt != "table" else None
    if cache_key is not None and (text := report_cache.get(path, cache_key)) is not None:
        sys.stdout.write(text)  # nothing it is made from has changed (see app/report_cache.py)
        return

    from switchcost.queries import db as qdb
    from switchcost.queries import reports
    from switchcost.queries.filters import Filters

    with qdb.connect(db, read_only=True, prices=prices) as conn:
        rows = reports.usage_rows(conn, by, Filters(since=since, until=until, tz=tz))
    columns = [by, *reports.SUM_COLUMNS]
    totals = reports.row_totals(rows)
    if cache_key is None:
        emit(rows, columns, totals, fmt, by)
        return
    text = _render(rows, columns, totals, fmt, by)
    sys.stdout.write(text)
    report_cache.put(path, cache_key, text)


def check_tz(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise UserError(
            f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)"
        ) from err


def export(db: Path | None, out: Path, tz: str, prices: Path | None) -> None:
    from switchcost.queries import db as qdb
    from switchcost.queries import exports

    check_tz(tz)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{out}: cannot make the folder for the CSV files: {_why(err)}") from None
    with qdb.connect(db, read_only=True, prices=prices) as conn:
        for name, frame in exports.all_exports(conn, tz).items():
            target = out / f"{name}.csv"
            try:
                with target.open("w", encoding="utf-8", newline="") as fh:
                    write_csv(frame.to_dicts(), frame.columns, fh)
            except OSError as err:
                raise UserError(f"{target}: cannot write the CSV file: {_why(err)}") from None
            err_console.print(f"wrote {target} ({frame.height} rows)", highlight=False)


def _why(err: OSError) -> str:
    """An OSError in words, without repeating the path (the caller names it)."""
    if isinstance(err, FileExistsError | NotADirectoryError):
        return "a file is in the way where a folder is needed"
    return err.strerror or str(err)


PRICE_HEADERS = {
    "model": "model",
    "aliases": "aliases",
    "effective_from": "in force\nfrom",
    "input": "input",
    "output": "output",
    "cache_write_5m": "cache\nwrite 5m",
    "cache_write_1h": "cache\nwrite 1h",
    "cache_read": "cache\nread",
    "long_context_threshold": "long ctx\nover",
    "batch_multiplier": "batch\n×",
    "source": "source",
}
PRICE_RATES = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


def prices(model: str | None, fmt: str, user_file: Path | None, sources: bool = False) -> None:
    from switchcost.app.price_rows import price_rows
    from switchcost.queries.price_file import load_price_book

    book = load_price_book(user_file)
    rows = price_rows(book, model)
    if model and not rows:
        raise UserError(
            f"no model or alias {model!r} in the price file(s): {', '.join(book.files)}"
        )
    columns = list(rows[0]) if rows else ["model"]
    if fmt != "table":
        emit(rows, columns, None, fmt, "model")
        return
    _price_table(rows, [c for c in columns if c != "source" or sources or model])


def _price_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """The price table within 120 columns: sources only for one model or with --sources."""
    from rich.table import Table

    table = Table(
        box=None,
        header_style="bold",
        pad_edge=False,
        collapse_padding=True,
        caption="USD per million tokens. Sources: `switchcost prices MODEL` or --sources.",
        caption_justify="left",
    )
    for col in columns:
        table.add_column(
            PRICE_HEADERS.get(col, col.replace("_", " ")),
            justify="left" if col in ("model", "aliases", "source") else "right",
            no_wrap=col != "source",
        )
    for row in rows:
        table.add_row(*[_price_cell(c, row.get(c)) for c in columns])
    out_console.print(table)


def _price_cell(col: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if col in PRICE_RATES:
        amount = Decimal(str(value)).normalize()
        places = max(2, -int(amount.as_tuple().exponent))
        return f"${amount:,.{places}f}"
    if col == "batch_multiplier":
        return f"{Decimal(str(value)).normalize()}"
    return table_cell(col, value)
