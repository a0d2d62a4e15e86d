"""Install a price book into a connection: per-connection temporary tables `models`,
`model_aliases`, `prices`, `price_defaults`, `tokenizers`, the macros over them
(queries.macro_registry) and the `priced_requests` view."""

from __future__ import annotations

from pathlib import Path

import duckdb

from switchcost.queries import macro_registry
from switchcost.queries.price_file import (
    LONG_FIELDS,
    MULTIPLIERS,
    RATE_FIELDS,
    PriceBook,
    load_price_book,
)

_TABLES = """
CREATE OR REPLACE TEMP TABLE models (
    model_id VARCHAR PRIMARY KEY, display_name VARCHAR, family VARCHAR, tokenizer VARCHAR,
    context_window BIGINT, max_output_tokens BIGINT, min_cacheable_tokens BIGINT,
    supports_inference_geo BOOLEAN, supports_fast_mode BOOLEAN,
    partner_regional_multiplier DECIMAL(9,4), status VARCHAR, source VARCHAR);
CREATE OR REPLACE TEMP TABLE model_aliases (alias VARCHAR PRIMARY KEY, model_id VARCHAR NOT NULL);
CREATE OR REPLACE TEMP TABLE prices (
    model_id VARCHAR NOT NULL, effective_from DATE NOT NULL,
    rate_input DECIMAL(18,6), rate_output DECIMAL(18,6), rate_cache_write_5m DECIMAL(18,6),
    rate_cache_write_1h DECIMAL(18,6), rate_cache_read DECIMAL(18,6),
    long_context_threshold BIGINT,
    lc_rate_input DECIMAL(18,6), lc_rate_output DECIMAL(18,6),
    lc_rate_cache_write_5m DECIMAL(18,6), lc_rate_cache_write_1h DECIMAL(18,6),
    lc_rate_cache_read DECIMAL(18,6),
    batch_multiplier DECIMAL(9,4), fast_multiplier DECIMAL(9,4), us_geo_multiplier DECIMAL(9,4),
    source VARCHAR, confirmed BOOLEAN);
CREATE OR REPLACE TEMP TABLE tokenizers (tokenizer VARCHAR PRIMARY KEY, factor DECIMAL(9,4));
CREATE OR REPLACE TEMP TABLE price_defaults (web_search_per_1k DECIMAL(18,6));
"""


def install(conn: duckdb.DuckDBPyConnection, user_file: Path | None = None) -> PriceBook:
    """Create this connection's price tables and the priced view from the price files."""
    book = load_price_book(user_file)
    conn.execute(_TABLES)
    models = [
        (
            m.id,
            m.display_name,
            m.family,
            m.tokenizer,
            m.context_window,
            m.max_output_tokens,
            m.min_cacheable_tokens,
            m.supports_inference_geo,
            m.supports_fast_mode,
            m.partner_regional_multiplier,
            m.status,
            m.source,
        )
        for m in book.models.values()
    ]
    aliases = [(n, m.id) for m in book.models.values() for n in dict.fromkeys((m.id, *m.aliases))]
    price_rows = [
        (
            p.model_id,
            p.effective_from,
            *[p.rates[f] for f in RATE_FIELDS],
            p.long_context_threshold,
            *[p.long_rates[f] for f in LONG_FIELDS],
            *[p.multipliers[m] for m in MULTIPLIERS],
            p.source,
            p.confirmed,
        )
        for m in book.models.values()
        for p in m.prices
    ]
    # One INSERT per table, each column bound as one list: this runs on every connection, so
    # it must cost milliseconds (a parameter per value costs more than twice as much).
    for table, rows in (
        ("models", models),
        ("model_aliases", aliases),
        ("prices", price_rows),
        ("tokenizers", list(book.tokenizers.items())),
    ):
        if rows:
            columns = {f"c{i}": list(values) for i, values in enumerate(zip(*rows, strict=True))}
            select = ", ".join(f"unnest(${name})" for name in columns)
            conn.execute(f"INSERT INTO {table} SELECT {select}", columns)
    conn.execute("INSERT INTO price_defaults VALUES (?)", [book.web_search_per_1k])
    macro_registry.install(conn)
    # The priced view: the one name to query for "every request with its cost".
    conn.execute("CREATE OR REPLACE TEMP VIEW priced_requests AS SELECT * FROM priced_units(false)")
    return book
