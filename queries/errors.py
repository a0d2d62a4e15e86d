"""Errors a user can act on, in a module without DuckDB so the CLI can catch them cheaply.

`UserError` is the root: the CLI prints `switchcost: <message>` for it (one line on stderr,
exit code 1) and never a traceback.  Raise it, or a subclass, only for a problem the user can
fix (a path, a file, a setting); anything else is a bug and surfaces with its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on; the message says what and where, in one line."""


class DatabaseError(UserError):
    """A problem with the database file that the user can act on (one line, no traceback)."""


class DatabaseBusy(DatabaseError):
    """Another process holds the write lock for longer than we were willing to wait."""


class DatabaseDamaged(DatabaseError):
    """The database file cannot be read back: truncated, overwritten or corrupt."""


class SettingError(UserError):
    """An environment variable or option holds a value that cannot be used."""


class PriceFileError(UserError):
    """The price file is not usable; the message names the file and the entry."""


# What DuckDB says when the file's blocks cannot be read back (checked by text: its exception
# classes for these differ between versions, and one is the base `duckdb.Error`).
DAMAGE_PHRASES = (
    "Could not read enough bytes from file",
    "Corrupt database file",
    "not a valid DuckDB database file",
)


def damaged_database(err: BaseException, db: str) -> DatabaseDamaged | None:
    """`err` (a DuckDB error) as a DatabaseDamaged naming `db`, when it says that file's
    blocks cannot be read; None for anything else (an input file, a bug)."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if db not in str(err) and "Corrupt database file" not in text:
        return None
    if not any(phrase in text for phrase in DAMAGE_PHRASES):
        return None
    return DatabaseDamaged(
        f"{db}: the database file is damaged or not a DuckDB database ({text}). Nothing was"
        " written. Restore it from a backup, or move it aside and run `switchcost ingest` on"
        " your logs to rebuild it."
    )
