"""The macros and temp tables each connection gets, made from `queries/macros/*.sql`.

Each file declares what it makes in its first header line, and the DDL is built from that:

    -- scalar macro billed_usd(input_tokens, ...):   CREATE ... MACRO billed_usd(...) AS (body)
    -- table macro priced_units(use_rollup):        CREATE ... MACRO priced_units(...) AS TABLE body
    -- temp table model_terms:                      CREATE ... TEMP TABLE model_terms AS body

`install()` makes the ones every connection uses (`WITH_PRICES`); the rest are made on first use
by a query (`prepare`, called by queries.run_sql): the projection's macros take milliseconds to
create and most connections (a report, most dashboard pages) never use them.  A macro is made
after the ones its body names.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, cast

from switchcost.queries.sql_text import MACROS, header, macro_sql, names, strip_comments

if TYPE_CHECKING:
    import duckdb

# Made by install(), on every connection (with the price tables they read).
WITH_PRICES = (
    "billed_usd",
    # The pricing is written once (priced_units) and runs over either source: every request,
    # or the rollup standing in for them (see queries/rollup.py).
    "request_units",
    "priced_units",
    # The shared filters and the rollup's local hours, used by filtered_units and located_units.
    "unit_kept",
    "unit_hours",
    "filtered_units",
)

Kind = Literal["scalar macro", "table macro", "temp table"]
_DECLARATION = re.compile(
    r"(?P<kind>scalar macro|table macro|temp table) (?P<name>[a-z0-9_]+)"
    r"\s*(?:\((?P<params>[^)]*)\))?\s*:"
)


@dataclass(frozen=True)
class Macro:
    name: str
    kind: Kind
    params: tuple[str, ...]
    body: str  # the file's text (its header comments are harmless in the DDL)

    def ddl(self) -> str:
        if self.kind == "temp table":
            return f"CREATE OR REPLACE TEMP TABLE {self.name} AS {self.body}"
        signature = f"{self.name}({', '.join(self.params)})"
        if self.kind == "table macro":
            return f"CREATE OR REPLACE TEMP MACRO {signature} AS TABLE {self.body}"
        return f"CREATE OR REPLACE TEMP MACRO {signature} AS ({self.body})"


def parse(name: str, text: str) -> Macro:
    """The macro a file declares in its header (see the module's docstring)."""
    found = _DECLARATION.match(header(text))
    where = f"queries/{MACROS}/{name}.sql"
    if found is None:
        raise ValueError(f"{where}: the header must open with '-- <kind> {name}(<params>):'")
    if found["name"] != name:
        raise ValueError(f"{where}: the header declares {found['name']!r}")
    kind = cast(Kind, found["kind"])  # the pattern allows only the three
    params = tuple(p.strip() for p in (found["params"] or "").split(",") if p.strip())
    if (kind == "temp table") != (found["params"] is None):
        raise ValueError(f"{where}: a macro declares its parameters, a temp table none")
    return Macro(name, kind, params, text)


@cache
def registry() -> dict[str, Macro]:
    """Every macro and temp table in queries/macros/, by name."""
    return {name: parse(name, macro_sql(name)) for name in names(MACROS)}


@dataclass
class _Installed:
    """What one install() on a connection has made since: the macros created, and values
    derived from the price tables alone (such as the rollup's boundaries)."""

    made: set[str] = field(default_factory=set)
    memo: dict[str, Any] = field(default_factory=dict)


_installed: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, _Installed] = (
    weakref.WeakKeyDictionary()
)


def install(conn: duckdb.DuckDBPyConnection) -> None:
    """Make the macros every connection uses; forget what an earlier install made (a temp table
    derived from the price tables is made again on its next use)."""
    state = _installed[conn] = _Installed()
    for name in WITH_PRICES:
        _make(conn, state, name)


def memo(conn: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """A dict that lives as long as this connection's price tables (install() starts a new
    one): for values derived from the prices alone, such as the rollup's boundaries."""
    state = _installed.get(conn)
    return state.memo if state is not None else None


def prepare(conn: duckdb.DuckDBPyConnection, text: str) -> None:
    """Create the macros and temp tables `text` uses (and those they use) on `conn`."""
    state = _installed.get(conn)
    if state is None:  # not a connection from queries.db: nothing was installed
        return
    code = strip_comments(text)
    for name in [n for n in registry() if n not in state.made]:
        if name not in state.made and re.search(rf"\b{name}\b", code):
            _make(conn, state, name)


def _make(conn: duckdb.DuckDBPyConnection, state: _Installed, name: str) -> None:
    state.made.add(name)  # first, so a cycle cannot recurse forever
    try:
        macro = registry()[name]
        prepare(conn, macro.body)  # what it uses
        conn.execute(macro.ddl())
    except BaseException:
        state.made.discard(name)
        raise
