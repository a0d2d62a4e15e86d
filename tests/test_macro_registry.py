"""The macros each connection gets are declared by the headers of queries/macros/*.sql."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from switchcost.queries import db, macro_registry
from switchcost.queries.sql_text import strip_comments


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(db_path)
    yield c
    c.close()


def _made(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """The temp macros on `conn` with their parameters, as DuckDB itself reports them."""
    found = conn.execute(
        "SELECT function_name, parameters FROM duckdb_functions()"
        " WHERE function_type IN ('macro', 'table_macro') AND database_name = 'temp'"
    ).fetchall()
    return {name: tuple(params) for name, params in found}


def _tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    found = conn.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return {name for (name,) in found}


def test_every_declared_parameter_is_used_in_the_body() -> None:
    for name, macro in macro_registry.registry().items():
        body = strip_comments(macro.body)
        for param in macro.params:
            assert re.search(rf"\b{param}\b", body), (name, param)


def test_a_connection_has_the_priced_macros_with_the_declared_signatures(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    made = _made(conn)
    # The six every connection gets; the projection's wait for their first use.
    assert set(made) == {
        "billed_usd",
        "request_units",
        "priced_units",
        "unit_kept",
        "unit_hours",
        "filtered_units",
    }
    assert made["filtered_units"] == (
        "tz",
        "since",
        "until",
        "workloads",
        "models",
        "sources",
        "subagent",
        "use_rollup",
    )
    assert made["priced_units"] == ("use_rollup",)
    assert "model_terms" not in _tables(conn)


def test_a_query_naming_target_units_makes_it_and_what_it_uses(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    macro_registry.prepare(conn, "SELECT * FROM target_units($a) -- not token_ratio")
    made = _made(conn)
    # target_units -> target_pairs -> target_models, token_ratio, target_tokens,
    # ineligible_reason, and the temp table model_terms; located_units is not named.
    for name in ("target_units", "target_pairs", "target_models", "token_ratio"):
        assert name in made, name
    assert "located_units" not in made
    assert "model_terms" in _tables(conn)
    for name, params in made.items():
        assert params == macro_registry.registry()[name].params, name
    assert made["target_tokens"] == ("tokens", "ratio")


def test_install_again_makes_the_derived_table_again_on_next_use(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    macro_registry.prepare(conn, "SELECT * FROM model_terms")
    conn.execute("DELETE FROM model_terms")
    macro_registry.prepare(conn, "SELECT * FROM model_terms")
    assert conn.execute("SELECT count(*) FROM model_terms").fetchone() == (0,)  # made once
    macro_registry.install(conn)
    macro_registry.prepare(conn, "SELECT * FROM model_terms")
    rows = conn.execute("SELECT count(*) FROM model_terms").fetchone()
    assert rows is not None
    assert rows[0] > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- unit_kept(a, b): no kind\nSELECT 1\n", "must open with"),
        ("-- scalar macro other(a): wrong name\nSELECT a\n", "declares 'other'"),
        ("-- temp table unit_kept(a): a table\nSELECT a\n", "a temp table none"),
        ("-- table macro unit_kept: no parameters\nSELECT 1\n", "a temp table none"),
    ],
)
def test_a_bad_header_is_refused_with_the_file(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        macro_registry.parse("unit_kept", text)
    assert "queries/macros/unit_kept.sql" in str(err.value)


def test_a_header_spanning_lines_gives_the_signature() -> None:
    macro = macro_registry.parse(
        "unit_kept", "-- scalar macro unit_kept(a,\n--     b): c\n-- more\na + b\n"
    )
    assert macro.params == ("a", "b")
    assert macro.ddl().startswith("CREATE OR REPLACE TEMP MACRO unit_kept(a, b) AS (-- scalar")
