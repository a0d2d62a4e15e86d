"""Where messages go: stderr, so stdout stays clean for data."""

from __future__ import annotations

import sys

from rich.console import Console

err_console = Console(stderr=True, soft_wrap=True)
# Piped output is read by programs and people alike: never truncate columns there.
out_console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
