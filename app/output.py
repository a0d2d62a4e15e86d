"""Render result rows as a rich table, CSV or JSON on stdout.

Money stays Decimal until the last step.  CSV cells a spreadsheet would run as a formula
(leading =, +, -, @, tab, CR) are prefixed with a quote, so an exported file cannot run code.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_PLACES = Decimal("0.000001")


def money(value: Any, places: Decimal = MONEY_PLACES) -> Decimal:
    """Round a Decimal amount for output (half up, like a bill); exact until here."""
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def neutralise(cell: Any) -> Any:
    """Make a text cell inert in spreadsheets; numbers pass through untouched."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def plain(value: Any) -> Any:
    """JSON/CSV-friendly scalar: Decimals rounded to micro-dollars, dates as ISO strings."""
    if isinstance(value, Decimal):
        return money(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(plain(row.get(c))) for c in columns])


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
