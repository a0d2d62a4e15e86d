"""Errors a user can act on, in a module without DuckDB so the CLI can catch them cheaply."""

from __future__ import annotations


class DatabaseError(Exception):
    """A problem with the database file that the user can act on (one line, no traceback)."""


class DatabaseBusy(DatabaseError):
    """Another process holds the write lock for longer than we were willing to wait."""


class PriceFileError(Exception):
    """The price file is not usable; the message names the file and the entry."""
