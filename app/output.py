"""Render result rows as a rich table, CSV or JSON on stdout.

Money stays Decimal until the last step.  Every CSV the tool writes (export, `report` and
`project --format csv`, the dashboard's downloads) goes through `csv_cell`: a text cell a
spreadsheet would run as a formula gets a leading `'`, and a cell holding a comma, a quote, CR or
LF is quoted (RFC 4180), so no spreadsheet splits it into two rows.  Numbers are never touched.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

# A text cell whose first character after leading blanks (space, TAB, CR, LF) is one of these
# (ASCII or full-width) is a formula to a spreadsheet; so is one that starts with TAB or CR.
FORMULA_START = "=+-@\uff1d\uff0b\uff0d\uff20"
_FORMULA = re.compile(f"[\t\r]|[ \t\r\n]*[{re.escape(FORMULA_START)}]")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
MONEY_PLACES = Decimal("0.000001")


def money(value: Any, places: Decimal = MONEY_PLACES) -> Decimal:
    """Round a Decimal amount for output (half up, like a bill); exact until here."""
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def neutralise(cell: Any) -> Any:
    """Make a text cell inert in spreadsheets; numbers (and None) pass through untouched."""
    if isinstance(cell, str) and _FORMULA.match(cell):
        return "'" + cell
    return cell


def _text_cell(text: str) -> str:
    if _FORMULA.match(text):
        text = "'" + text
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_cell(value: Any) -> str:
    """One CSV field, the rule every CSV writer uses: numbers as they are (Decimals rounded to
    micro-dollars), dates as ISO text; text neutralised, then quoted when it holds , " CR or LF."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_cell(value)
    if isinstance(value, Decimal):
        return str(money(value))
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "isoformat"):
        return _text_cell(value.isoformat())
    return _text_cell(str(value))


_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}


def terminal_text(value: Any) -> str:
    """A data-derived cell for a rich table: control characters (ESC, CR, ...) shown as
    `\\xNN` and rich markup escaped, so a name cannot colour, move or link the terminal."""
    from rich.markup import escape

    return escape(str(value).translate(_CONTROLS))


CENT = Decimal("0.01")


def table_cell(col: str, value: Any) -> str:
    """One cell of a terminal table, by its column's name: money as $1,234.56, percentages
    with one place, milliseconds and counts with separators, an empty cell as —, workloads
    by their readable name; text from the logs made inert (`terminal_text`)."""
    if value is None:
        return "—"
    if col in ("workload", "project"):
        from switchcost.app.project_names import name

        return terminal_text(name(value))  # a Claude Code folder by its readable name
    if col.endswith("_usd"):
        return f"${money(value, CENT):,}"
    if col == "savings_pct":
        return f"{money(value, Decimal('0.1'))}%"
    if col == "break_even_escalation":
        return f"{money(Decimal(value) * 100, Decimal('0.1'))}%"
    if col.endswith("_ms"):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return terminal_text(value)  # names come from the logs: no markup, no control characters


def plain(value: Any) -> Any:
    """JSON/CSV-friendly scalar: Decimals rounded to micro-dollars, dates as ISO strings."""
    if isinstance(value, Decimal):
        return money(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    """Header then rows, fields through `csv_cell`, each record ended by LF."""
    out.write(",".join([csv_cell(c) for c in columns]) + "\n")
    cell = csv_cell
    for row in rows:
        out.write(",".join([cell(row.get(c)) for c in columns]) + "\n")


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            # A 6-place Decimal prints as the same digits through float's shortest repr.
            return float(money(o))
        if hasattr(o, "isoformat"):
            return o.isoformat()
        return super().default(o)


def to_json(payload: Any) -> str:
    return json.dumps(payload, cls=_Encoder, ensure_ascii=False)


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    write_csv(rows, columns, buf)
    return buf.getvalue()
