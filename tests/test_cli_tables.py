"""One cell formatter for every terminal table (app.output.table_cell), and a totals row that
leaves a column without a total blank."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner

from switchcost.app.cli import app
from switchcost.app.output import table_cell
from switchcost.queries import db
from tests.projection_db import add


def test_table_cell_by_column() -> None:
    assert table_cell("cost_usd", D("1234.565")) == "$1,234.57"  # half up, like a bill
    assert table_cell("savings_pct", D("67.55")) == "67.6%"
    assert table_cell("break_even_escalation", D("0.676")) == "67.6%"  # a fraction, as percent
    assert table_cell("current_p50_ms", 1234.4) == "1,234"
    assert table_cell("requests", 12345) == "12,345"
    assert table_cell("model", None) == "—"
    assert table_cell("model", "[red]x[/red]") == "\\[red]x\\[/red]"  # no rich markup from logs


def test_users_table_with_a_column_that_has_no_total(db_path: Path) -> None:
    # One Sonnet 4.5 request, 1,000 in + 100 out: $0.003 + $0.0015 = $0.0045 -> "$0.00" shown.
    # reported_cost_usd has no total: its footer is blank (it used to fail on Decimal("")).
    with db.connect(db_path) as c:
        add(c, input_tokens=1000, output_tokens=100)
    result = CliRunner().invoke(app, ["users", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    total = next(line for line in result.output.splitlines() if line.strip().startswith("TOTAL"))
    assert total.split() == ["TOTAL", "1", "1,000", "0", "0", "0", "100", "$0.00", "0"]
