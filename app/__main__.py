"""`python -m switchcost.app` runs the CLI (the tests drive it this way, as a real process)."""

from __future__ import annotations

from switchcost.app.cli import main

main()
