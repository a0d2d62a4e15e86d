"""`python -m switchcost` runs the CLI, as the installed `switchcost` command does."""

from __future__ import annotations

from switchcost.app.cli import main

main()
