"""Where messages go: stderr, so stdout stays clean for data.

The rich consoles are made on first use: a command that only prints plain lines (a scheduled
ingest's summary, JSON on stdout) never pays for importing rich.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console


class _OnFirstUse:
    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


err_console = cast("Console", _OnFirstUse(stderr=True, soft_wrap=True))
# Piped output is read by programs and people alike: never truncate columns there.
out_console = cast(
    "Console", _OnFirstUse(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
)


def say(line: str) -> None:
    """One plain line on stderr (no markup, no highlighting: what rich would print too)."""
    sys.stderr.write(line + "\n")
