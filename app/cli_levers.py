"""The "other levers" table below `switchcost project`'s table: switch cost and payback, the
Batch API and prompt caching per workload, with each lever's assumption (queries/levers.py)."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

HEADERS = {
    "workload": "workload",
    "target": "target",
    "switch_cost_usd": "switch\ncost",
    "payback_days": "payback\ndays",
    "batchable": "batch: why",
    "batch_current_usd": "batch\nnow",
    "batch_target_usd": "batch on\ntarget",
    "caching_requests": "caching\nrequests",
    "caching_savings_usd": "caching\nsaves",
}
SHOWN = (
    "switch_cost_usd",
    "batch_current_usd",
    "caching_savings_usd",
)


def levers_table(payload: dict[str, Any]) -> None:
    """Rows with any lever to show, then one line per lever's assumption (dim)."""
    from rich.table import Table

    from switchcost.app.console import out_console
    from switchcost.app.output import table_cell

    rows = [r for r in payload["rows"] if any(r.get(c) is not None for c in SHOWN)]
    if not rows:
        return
    several = len(payload["totals"]["by_target"]) > 1
    columns = [c for c in HEADERS if c != "target" or several]
    table = Table(
        title="other levers: switch cost is one-off; batch and caching over the window above",
        title_justify="left",
        box=None,
        header_style="bold",
        pad_edge=False,
    )
    for col in columns:
        table.add_column(
            HEADERS[col],
            justify="left" if col in ("workload", "target", "batchable") else "right",
            no_wrap=True,
            max_width=28 if col == "workload" else None,
        )
    for row in rows:
        table.add_row(*[_lever_cell(c, row.get(c), table_cell) for c in columns])
    out_console.print(table)
    for name, text in payload["assumptions"].get("levers", {}).items():
        line = textwrap.fill(f"{name.replace('_', ' ')}: {text}", 118, subsequent_indent="  ")
        out_console.print(line, highlight=False, markup=False, style="dim")


def _lever_cell(col: str, value: Any, cell: Any) -> str:
    if col == "payback_days" and value is not None:
        return f"{Decimal(value):,.1f}"
    if col == "batchable" and value is not None:
        return "logs" if value != "marked" else "marked"
    if col.endswith("_usd") and value is not None and Decimal(value) < 0:
        return "-" + str(cell(col, -Decimal(value)))  # caching that would cost more: -$0.05
    return str(cell(col, value))
