"""`app.output.terminal_text`: a name printed in a rich table cannot link, colour or move."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from switchcost.app.output import terminal_text


def _render(cell: str) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=200, color_system="truecolor")
    table = Table()
    table.add_column("workload")
    table.add_row(cell)
    console.print(table)
    return buf.getvalue()


def test_markup_and_escape_sequences_are_shown_not_run() -> None:
    hostile = "[link=https://example.com]click[/link] \x1b[31mred\x1b]8;;https://e.com\x07 [b]x"
    raw = _render(hostile)
    assert "\x1b]8;" in raw  # without the helper, rich makes a terminal hyperlink
    out = _render(terminal_text(hostile))
    assert "\x1b]8;" not in out
    assert "\x1b[31m" not in out
    assert "[link=https://example.com]click[/link]" in out
    assert "\\x1b[31mred" in out
    assert "\x07" not in out


def test_ordinary_names_are_unchanged() -> None:
    for name in ("json-extraction", "support chatbot", "café ☕", "a/b (v2)"):
        assert terminal_text(name) == name
