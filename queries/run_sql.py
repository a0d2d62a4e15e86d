"""Run the named SQL files of queries/ with bound parameters only.

Each `.sql` file (read by queries.sql_text) holds one query with a header saying its purpose,
grain and parameters.  Values are never pasted into SQL text: they are bound as `$name`
parameters, and a query refuses parameters it does not declare or is missing ones it needs.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from switchcost.queries import macro_registry
from switchcost.queries.sql_text import params_of, sql

if TYPE_CHECKING:
    import duckdb
    import polars as pl


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
    macro_registry.prepare(conn, text)  # the macros the query uses, made on first use
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
