"""`switchcost export --focus`: FinOps FOCUS 1.2 Cost and Usage files (see docs/focus.md).

The rows come from queries.focus; this module writes them.  Every cell goes through the
project's CSV rule (`csv_cell`); money and unit prices are written in full (a per-token price
such as 0.0000003 would be 0 at the micro-dollar rounding other exports use), as plain decimal
text, which `csv_cell` leaves alone (a non-negative number never looks like a formula).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from switchcost.app.console import err_console
from switchcost.app.output import csv_cell
from switchcost.queries.errors import UserError

ACTUAL_FILE = "focus_cost_and_usage.csv"
PROJECTED_FILE = "focus_projected_cost.csv"
METADATA_FILE = "focus_metadata.json"


def focus_options(func: Any) -> Any:
    """The options `export` takes for FOCUS files (added to the command in app/cli.py)."""
    func = click.option(
        "--to",
        "targets",
        multiple=True,
        help="With --projection: target model id or alias (repeatable; default Haiku 4.5).",
    )(func)
    func = click.option(
        "--projection",
        default=None,
        metavar="SCENARIO",
        help="With --focus: also write this scenario's projected cost (all, recommended,"
        " subagents, or a scenario TOML file) as a separate FOCUS dataset.",
    )(func)
    func = click.option(
        "--focus",
        is_flag=True,
        help="Write FinOps FOCUS 1.2 Cost and Usage files instead of the CSV summaries.",
    )(func)
    return func


def run_export(
    db: Path | None,
    out: Path,
    prices: Path | None,
    focus: bool,
    projection: str | None,
    targets: tuple[str, ...],
) -> bool:
    """Handle `export --focus`; False when the plain export should run instead."""
    if not focus:
        if projection is not None or targets:
            raise UserError("--projection and --to go with --focus")
        return False
    export_focus(db, out, prices, projection, targets)
    return True


def exact(value: Decimal) -> str:
    """A Decimal as plain decimal text with every significant digit, no exponent and at least
    one decimal place ("1000.0"): readers that infer a column's type from its text (pandas, as
    the official validator does) then see a decimal column, never an integer one."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
    else:
        text += "."
    return text + "0" if text.endswith(".") else text


def focus_cell(value: Any) -> str:
    """One FOCUS CSV cell: Decimals exact, dates as ISO text, booleans as true/false, the rest
    (and all of these) through csv_cell."""
    if isinstance(value, bool):
        return csv_cell("true" if value else "false")
    if isinstance(value, Decimal):
        return csv_cell(exact(value))
    if isinstance(value, dt.date):
        return csv_cell(value.isoformat())
    return csv_cell(value)


def write_focus_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(csv_cell(c) for c in columns) + "\n")
            for row in rows:
                fh.write(",".join(focus_cell(row.get(c)) for c in columns) + "\n")
    except OSError as err:
        raise UserError(f"{path}: cannot write the FOCUS file: {err.strerror or err}") from None
    err_console.print(f"wrote {path} ({len(rows)} rows)", highlight=False)


def export_focus(
    db: Path | None,
    out: Path,
    prices: Path | None,
    projection: str | None,
    targets: tuple[str, ...],
) -> None:
    """Write the actual-cost dataset (and the projected one with `projection`) to `out`."""
    from switchcost.queries import db as qdb
    from switchcost.queries import focus

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{out}: cannot make the folder for the FOCUS files: {err}") from None
    datasets = {
        ACTUAL_FILE: "actual cost; one row per UTC day x model x workload x project x source"
        " x SKU price x token type"
    }
    with qdb.connect(db, read_only=True, prices=prices) as conn:
        actual = focus.actual_cost(conn)
        projected = None
        if projection is not None:
            projected = focus.projected_cost(conn, _scenario(projection, targets))
    write_focus_csv(out / ACTUAL_FILE, actual.columns, actual.rows)
    if actual.unpriced:
        left = ", ".join(f"{m} ({n})" for m, n in actual.unpriced.items())
        err_console.print(
            f"left out {sum(actual.unpriced.values())} unpriced requests (no price for: {left});"
            " add a price with --prices FILE",
            highlight=False,
        )
    if projected is not None:
        write_focus_csv(out / PROJECTED_FILE, projected.columns, projected.rows)
        datasets[PROJECTED_FILE] = (
            f"projected cost of scenario {projection!r}; one row per workload x target model"
            " over the data's window of UTC days"
        )
    meta = out / METADATA_FILE
    try:
        meta.write_text(json.dumps(focus.metadata(datasets), indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise UserError(f"{meta}: cannot write the FOCUS metadata: {err.strerror}") from None


def _scenario(name: str, targets: tuple[str, ...]) -> Any:
    from switchcost.queries import projection

    if name in projection.BUILTIN_SCENARIOS:
        return projection.builtin_scenario(name, targets)  # type: ignore[arg-type]
    path = Path(name)
    if not path.exists():
        raise UserError(
            f"--projection {name!r}: not one of {', '.join(projection.BUILTIN_SCENARIOS)}"
            " and no such scenario file"
        )
    found = projection.load_scenario_file(path)
    if not found:
        raise UserError(f"{path}: no [[scenarios]] in the file")
    first = found[0]
    if targets:
        from dataclasses import replace

        first = replace(first, targets=targets)
    return first
