"""The one place that opens the database.

DuckDB lets one process write or many processes read, never both.  So every hold on the file is
short-lived: the writer migrates and holds the lock only for one ingest; readers open read-only,
check the schema version and set up the per-connection price tables and the priced view.  A
long-running reader (the dashboard) keeps those tables in an in-memory connection instead and
attaches the file only for the length of one page load (`reading`).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb

# Re-exported: callers that already hold a connection find the path here too.
from switchcost.queries.errors import DatabaseBusy as DatabaseBusy
from switchcost.queries.errors import DatabaseError as DatabaseError
from switchcost.queries.errors import SettingError, damaged_database
from switchcost.queries.location import DEFAULT_DB as DEFAULT_DB
from switchcost.queries.location import default_db_path as default_db_path
from switchcost.queries.location import file_identity, shipped_price_file, user_price_file

LOCK_WAIT_SECONDS = 30.0
# DuckDB's buffer pool per connection.  The writer's is small: it keeps the blocks it wrote as
# a cache up to its limit, and an ingest writes every block once, so a large pool only grows
# the process (a fresh ingest of 1.1 GB of transcripts peaked at 381 MiB with 256MB, 220 MiB
# with 64MB, at the same speed).  Work larger than the pool spills to `<db>.tmp/`.
READ_MEMORY = "256MB"
WRITE_MEMORY = "64MB"


_MEMORY_SIZE = re.compile(
    r"\s*(?P<n>\d+(\.\d+)?)\s*(B|BYTES?|[KMGT]B|[KMGT]IB|%)\s*", re.IGNORECASE
)


def memory_limit(read_only: bool) -> str:
    """The pool size: $SWITCHCOST_MEMORY for every connection, else the default for its kind.
    A value DuckDB would not take (or take as 0, or with no unit) is refused in one line."""
    value = os.environ.get("SWITCHCOST_MEMORY")
    if not value:
        return READ_MEMORY if read_only else WRITE_MEMORY
    size = _MEMORY_SIZE.fullmatch(value)
    if size is None or float(size["n"]) <= 0:
        raise SettingError(
            f"SWITCHCOST_MEMORY={value!r} is not a memory size: use a number and a unit,"
            " such as 512MB or 2GB"
        )
    return value.strip()


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("switchcost.queries") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        version = int(name.split("_", 1)[0])
        found.append((version, name.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


def latest_version() -> int:
    """The schema version this code expects."""
    return _migrations()[-1][0]


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for a new file)."""
    # Asked directly: information_schema costs ~10 ms, and every dashboard load opens anew.
    try:
        row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()
    except duckdb.CatalogException:
        return 0
    return int(row[0][0]) if row else 0


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, each with its record in one explicit transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    current = schema_version(conn)
    applied = []
    for version, name, sql in _migrations():
        if version <= current:
            continue
        with transaction(conn):
            conn.execute(sql)
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($v, $n)",
                {"v": version, "n": name},
            )
        applied.append(name)
    return applied


T = TypeVar("T")


def _when_unlocked(path: Path, read_only: bool, wait: float, action: Callable[[], T]) -> T:
    """`action()` (which opens or attaches `path`), retried while another process holds the
    file's lock, for up to `wait` seconds; then one clear error saying who is in the way."""
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return action()
        except duckdb.IOException as err:
            if "lock" not in str(err).lower():
                raise damaged_database(err, str(path)) or DatabaseError(f"{path}: {err}") from err
            if time.monotonic() >= deadline:
                who = (
                    "another switchcost process is writing to it"
                    if read_only
                    else ("another process (an ingest, or a dashboard reading it) has it open")
                )
                raise DatabaseBusy(
                    f"{path} is busy: {who}; waited {wait:.0f}s. Try again when it finishes."
                ) from err
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    return _when_unlocked(
        path, read_only, wait, lambda: duckdb.connect(str(path), read_only=read_only)
    )


def _require_file(db: Path) -> None:
    """A reader never creates the database: a missing file says how to make it."""
    if not db.exists():
        raise DatabaseError(f"{db} does not exist yet: run `switchcost ingest PATH` first.")


def _require_current(conn: duckdb.DuckDBPyConnection, db: Path) -> None:
    """A reader cannot migrate: a file at another schema version says how to upgrade it."""
    have = schema_version(conn)
    if have != latest_version():
        raise DatabaseError(
            f"{db} is at schema version {have}, this switchcost needs "
            f"{latest_version()}: run `switchcost ingest` (it upgrades the file)."
        )


def connect(
    path: Path | None = None,
    *,
    read_only: bool = False,
    wait: float = LOCK_WAIT_SECONDS,
    prices: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the database: the writer migrates, a reader checks the schema is current.

    Every connection then gets the price tables and the priced view (temporary, per
    connection), so a changed price file changes every report without re-ingesting.
    """
    from switchcost.queries import price_tables

    db = path or default_db_path()
    if read_only:
        _require_file(db)
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        clear_dead_spills(db)
    conn = _open(db, read_only, wait)
    try:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute(f"SET memory_limit = '{memory_limit(read_only)}'")
        if read_only:
            _require_current(conn, db)
        else:
            migrate(conn)
        price_tables.install(conn, user_file=prices)
    except BaseException:
        conn.close()
        raise
    return conn


_SPILL_OWNER = re.compile(r"duckdb_temp_(\d+)_")


def clear_dead_spills(db: Path) -> None:
    """Delete the spill files of a writer that was killed (its process is gone).  DuckDB marks
    its files in `<db>.tmp/` with its process id and an owner file; finding a dead process's
    files there, a new writer does not spill and runs out of memory instead, so a scheduled
    ingest after a kill would fail every time.  Files of a live process are left alone."""
    folder = Path(f"{db}.tmp")
    if not folder.is_dir():
        return
    for leftover in folder.iterdir():
        owner = _SPILL_OWNER.match(leftover.name)
        if owner is None or _alive(int(owner[1])):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def sweep_spill_folder(db: Path) -> None:
    """A run killed while DuckDB spilled leaves `<db>.tmp/` behind.  The next writer's DuckDB
    deletes the spill files in it when it opens the file but keeps the folder (and must find
    it while it runs: it may spill there); once that writer has closed, the folder is removed
    if it is empty.  A spill holds rows being written (token counts and ids), never prompt
    text: the readers hand DuckDB only those."""
    with contextlib.suppress(OSError):
        Path(f"{db}.tmp").rmdir()


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """An explicit transaction: everything inside commits together or not at all."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        # DuckDB may have ended it already (as after running out of memory): the error is news.
        with contextlib.suppress(duckdb.TransactionException):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# The dashboard's in-memory connections, one per set of price files in force, with the price
# tables, macros and views installed; the database file is attached to one only inside
# `reading`.  Page loads in one process take turns (a query already uses every core).
_READERS: dict[tuple[object, ...], duckdb.DuckDBPyConnection] = {}
_READERS_LOCK = threading.Lock()
_ALIAS = "reading"


def _price_identity(prices: Path | None) -> tuple[object, ...]:
    files = (shipped_price_file(), user_price_file(prices))
    return tuple((str(path), file_identity(path)) for path in files)


def _reader(prices: Path | None) -> tuple[tuple[object, ...], duckdb.DuckDBPyConnection, bool]:
    """(key, connection, new): a new one gets its price tables once the file is attached (the
    priced view is bound against the database's tables)."""
    key = _price_identity(prices)
    conn = _READERS.get(key)
    if conn is not None:
        return key, conn, False
    for old in _READERS.values():  # a price file changed: its tables are stale
        old.close()
    _READERS.clear()
    conn = duckdb.connect()
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute(f"SET memory_limit = '{memory_limit(True)}'")
    return key, conn, True


def _attach(conn: duckdb.DuckDBPyConnection, db: Path, wait: float) -> None:
    # A load that died between ATTACH and DETACH must not leave the name taken for good.
    conn.execute("USE memory")
    conn.execute(f"DETACH DATABASE IF EXISTS {_ALIAS}")

    def attach() -> None:
        conn.execute(f"ATTACH $path AS {_ALIAS} (READ_ONLY)", {"path": str(db)})
        conn.execute(f"USE {_ALIAS}")

    _when_unlocked(db, True, wait, attach)


@contextmanager
def reading(
    path: Path | None = None,
    *,
    prices: Path | None = None,
    wait: float = LOCK_WAIT_SECONDS,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the database for one unit of work, as `connect(read_only=True)`
    gives, but from a long-lived in-memory connection: installing the price tables and macros
    costs ~40 ms and opening the file ~35 ms, attaching it ~2 ms.  The file is held only inside
    the `with`, so a scheduled ingest can write between page loads."""
    db = path or default_db_path()
    _require_file(db)
    from switchcost.queries import price_tables

    with _READERS_LOCK:
        key, conn, new = _reader(prices)
        _attach(conn, db, wait)
        try:
            _require_current(conn, db)
            if new:
                price_tables.install(conn, user_file=prices)
                _READERS[key] = conn
            yield conn
        finally:
            conn.execute("USE memory")
            conn.execute(f"DETACH {_ALIAS}")
