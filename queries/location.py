"""Where the database and the price files live: a module without DuckDB, so a command can find
them cheaply."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DEFAULT_DB = Path.home() / ".local" / "share" / "switchcost" / "switchcost.duckdb"


def default_db_path() -> Path:
    """`SWITCHCOST_DB` if set, else the per-user data directory."""
    env = os.environ.get("SWITCHCOST_DB")
    return Path(env).expanduser() if env else DEFAULT_DB


USER_PRICE_FILE = Path.home() / ".config" / "switchcost" / "prices.toml"


def shipped_price_file() -> Path:
    return Path(str(resources.files("switchcost.queries") / "prices.toml"))


def user_price_file(explicit: Path | None = None) -> Path | None:
    """Flag > `SWITCHCOST_PRICES` > ~/.config/switchcost/prices.toml (if it exists)."""
    if explicit is not None:
        return explicit
    env = os.environ.get("SWITCHCOST_PRICES")
    if env:
        return Path(env).expanduser()
    return USER_PRICE_FILE if USER_PRICE_FILE.exists() else None


def file_identity(path: Path | None) -> tuple[int, int, int] | None:
    """(size, mtime in ns, inode) of a file, None when there is none: what tells a cached answer
    (ingest stamp, report cache, dashboard cache, price tables) that its input changed."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)
