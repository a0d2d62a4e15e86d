"""Where the database lives: a module without DuckDB, so a command can find it cheaply."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path.home() / ".local" / "share" / "switchcost" / "switchcost.duckdb"


def default_db_path() -> Path:
    """`SWITCHCOST_DB` if set, else the per-user data directory."""
    env = os.environ.get("SWITCHCOST_DB")
    return Path(env).expanduser() if env else DEFAULT_DB
