"""Load named SQL files and run them with bound parameters only.

Each `.sql` file holds one query with a header saying its purpose, grain and parameters.
Values are never pasted into SQL text: they are bound as `$name` parameters, and a query
refuses parameters it does not declare or is missing ones it needs.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import polars as pl

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def _text(folder: str, name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    return (resources.files("queries") / folder / f"{name}.sql").read_text(encoding="utf-8")


def view_sql(name: str) -> str:
    """The SELECT behind a view in queries/views/."""
    return _text("views", name)


def sql(name: str, folder: str = "sql") -> str:
    """The text of queries/<folder>/<name>.sql."""
    return _text(folder, name)


def strip_comments(text: str) -> str:
    """The SQL without its `--` comments (a name or `$param` there is not a use)."""
    return _COMMENT.sub("", text)


def params_of(text: str) -> set[str]:
    """The `$name` parameters a query uses (comments ignored)."""
    return set(_PARAM.findall(strip_comments(text)))


def bind(name: str, folder: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    text = sql(name, folder)
    wanted = params_of(text)
    missing = wanted - params.keys()
    extra = params.keys() - wanted
    if missing or extra:
        raise TypeError(
            f"query {folder}/{name}: missing {sorted(missing)}, unexpected {sorted(extra)}"
        )
    return text, params


def _prepared(conn: duckdb.DuckDBPyConnection, text: str) -> str:
    from queries import pricing  # imports this module: so imported here, not above

    pricing.prepare(conn, text)
    return text


def run(
    conn: duckdb.DuckDBPyConnection, name: str, folder: str = "sql", **params: Any
) -> pl.DataFrame:
    """Run queries/<folder>/<name>.sql with bound parameters; return a Polars frame."""
    import polars as pl

    text, bound = bind(name, folder, params)
    # execute + Arrow, not `conn.sql(...).pl()`: a relation is bound when it is built and again
    # when it runs, and binding the nested views is a third to a half of a dashboard query.
    conn.execute(_prepared(conn, text), bound)
    if conn.description is None:
        raise TypeError(f"query {folder}/{name} returned no result set")
    with warnings.catch_warnings():
        # The copy it warns of is of the result, which is small but for the request export.
        warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
        reader = conn.to_arrow_reader()
    assert reader is not None
    frame = pl.from_arrow(reader.read_all())
    assert isinstance(frame, pl.DataFrame)
    return frame


def rows(
    conn: duckdb.DuckDBPyConnection, name: str, folder: str = "sql", **params: Any
) -> list[tuple[Any, ...]]:
    """Like `run` but plain tuples, for callers that must not pay for importing Polars."""
    text, bound = bind(name, folder, params)
    return conn.execute(_prepared(conn, text), bound).fetchall()


def records(
    conn: duckdb.DuckDBPyConnection, name: str, folder: str = "sql", **params: Any
) -> list[dict[str, Any]]:
    """Like `rows` but each row a dict keyed by column name."""
    text, bound = bind(name, folder, params)
    cursor = conn.execute(_prepared(conn, text), bound)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
