"""The price model: prices are data (a TOML file with sources and effective dates), costs are SQL.

`install()` loads the shipped price file, overlays the user's file (an entry with the same model
id replaces the shipped one), validates it, and creates per-connection temporary tables
`models`, `model_aliases`, `prices`, `price_defaults`, `tokenizers` plus the `priced_requests`
view and the `priced_units` / `filtered_units` macros.  Numbers are parsed as `Decimal`, so no
binary float ever touches money.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from queries.errors import PriceFileError as PriceFileError  # re-exported
from queries.loader import strip_comments, view_sql
from queries.location import shipped_price_file, user_price_file

RATE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
LONG_FIELDS = tuple(f"long_context_{f}" for f in RATE_FIELDS)
MULTIPLIERS = ("batch_multiplier", "fast_multiplier", "us_geo_multiplier")


@dataclass(frozen=True)
class PriceRow:
    model_id: str
    effective_from: dt.date
    rates: dict[str, Decimal]
    long_context_threshold: int | None
    long_rates: dict[str, Decimal | None]
    multipliers: dict[str, Decimal | None]
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Model:
    id: str
    display_name: str
    family: str
    tokenizer: str
    aliases: tuple[str, ...]
    context_window: int | None
    max_output_tokens: int | None
    min_cacheable_tokens: int | None
    supports_inference_geo: bool
    supports_fast_mode: bool
    partner_regional_multiplier: Decimal | None
    status: str
    source: str
    prices: tuple[PriceRow, ...] = field(default=())


@dataclass(frozen=True)
class PriceBook:
    models: dict[str, Model]
    tokenizers: dict[str, Decimal]
    web_search_per_1k: Decimal
    files: tuple[str, ...]


# What the price tables hold exactly: (integer digits, decimal places) of DECIMAL(18,6) for a
# rate in $/MTok and DECIMAL(9,4) for a multiplier or tokenizer factor.  A value outside them
# would be rounded or overflow when installed, so it is refused with the entry's name.
RATE = (12, 6)
FACTOR = (5, 4)


def _dec(value: Any, where: str, fits: tuple[int, int] = RATE) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PriceFileError(f"{where}: expected a number, got {value!r}")
    result = Decimal(value)
    if not result.is_finite():
        raise PriceFileError(f"{where}: {value} is not a finite number")
    if result < 0:
        raise PriceFileError(f"{where}: negative price {value}")
    digits, places = fits
    if result >= Decimal(10) ** digits:
        raise PriceFileError(f"{where}: {value} is too large (at most {digits} digits)")
    if result != result.quantize(Decimal(1).scaleb(-places)):
        raise PriceFileError(f"{where}: {value} has more than {places} decimal places")
    return result


def _opt_dec(
    entry: dict[str, Any], key: str, where: str, fits: tuple[int, int] = RATE
) -> Decimal | None:
    return _dec(entry[key], f"{where}.{key}", fits) if key in entry else None


def _parse_prices(model_id: str, rows: list[dict[str, Any]], where: str) -> tuple[PriceRow, ...]:
    parsed: list[PriceRow] = []
    for i, row in enumerate(rows):
        here = f"{where} prices[{i}]"
        eff = row.get("effective_from")
        if not isinstance(eff, dt.date) or isinstance(eff, dt.datetime):
            raise PriceFileError(f"{here}: effective_from must be a date like 2025-10-01")
        missing = [f for f in RATE_FIELDS if f not in row]
        if missing:
            raise PriceFileError(f"{here}: missing {', '.join(missing)}")
        threshold = row.get("long_context_threshold")
        long_rates = {f: _opt_dec(row, f, here) for f in LONG_FIELDS}
        if threshold is not None and any(v is None for v in long_rates.values()):
            raise PriceFileError(f"{here}: long_context_threshold needs all long_context_* rates")
        if not row.get("source"):
            raise PriceFileError(f"{here}: every price row needs a source")
        parsed.append(
            PriceRow(
                model_id=model_id,
                effective_from=eff,
                rates={f: _dec(row[f], f"{here}.{f}") for f in RATE_FIELDS},
                long_context_threshold=int(threshold) if threshold is not None else None,
                long_rates=long_rates,
                multipliers={m: _opt_dec(row, m, here, FACTOR) for m in MULTIPLIERS},
                source=str(row["source"]),
                confirmed=bool(row.get("confirmed", False)),
            )
        )
    dates = [p.effective_from for p in parsed]
    if dates != sorted(set(dates)):
        raise PriceFileError(f"{where}: effective_from dates must be strictly increasing")
    return tuple(parsed)


def _parse_model(entry: dict[str, Any], where: str) -> Model:
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id:
        raise PriceFileError(f"{where}: every [[models]] entry needs an id")
    here = f"{where} model {model_id!r}"

    def opt_int(key: str) -> int | None:
        value = entry.get(key)
        return int(value) if value is not None else None

    return Model(
        id=model_id.lower(),
        display_name=str(entry.get("display_name", model_id)),
        family=str(entry.get("family", "")),
        tokenizer=str(entry.get("tokenizer", "classic")),
        aliases=tuple(str(a).lower() for a in entry.get("aliases", [])),
        context_window=opt_int("context_window"),
        max_output_tokens=opt_int("max_output_tokens"),
        min_cacheable_tokens=opt_int("min_cacheable_tokens"),
        supports_inference_geo=bool(entry.get("supports_inference_geo", False)),
        supports_fast_mode=bool(entry.get("supports_fast_mode", False)),
        partner_regional_multiplier=_opt_dec(entry, "partner_regional_multiplier", here, FACTOR),
        status=str(entry.get("status", "")),
        source=str(entry.get("source", "")),
        prices=_parse_prices(model_id.lower(), list(entry.get("prices", [])), here),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError as err:
        raise PriceFileError(f"{path}: price file not found") from err
    except IsADirectoryError as err:
        raise PriceFileError(f"{path}: is a folder, not a price file") from err
    except OSError as err:
        raise PriceFileError(f"{path}: cannot read the price file: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise PriceFileError(f"{path}: not UTF-8 text (byte {err.start})") from err
    except tomllib.TOMLDecodeError as err:
        raise PriceFileError(f"{path}: not valid TOML: {err}") from err


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


def load_price_book(user_file: Path | None = None) -> PriceBook:
    """The shipped prices, overlaid by the user's price file.

    Parsed once per version of the files (path, mtime, size): every connection installs the
    prices, and parsing the TOML is most of what opening a connection costs.
    """
    files = [shipped_price_file()]
    extra = user_price_file(user_file)
    if extra is not None:
        files.append(extra)
    return _parse_book(tuple(_stamp(f) for f in files))


@functools.lru_cache(maxsize=16)
def _parse_book(stamps: tuple[tuple[str, int, int], ...]) -> PriceBook:
    files = [Path(name) for name, _mtime, _size in stamps]
    models: dict[str, Model] = {}
    tokenizers: dict[str, Decimal] = {}
    web_search = Decimal("10")
    for path in files:
        doc = _read(path)
        defaults = doc.get("defaults", {})
        if "web_search_per_1k" in defaults:
            web_search = _dec(defaults["web_search_per_1k"], f"{path} defaults.web_search_per_1k")
        for name, factor in doc.get("tokenizers", {}).items():
            tokenizers[str(name)] = _dec(factor, f"{path} tokenizers.{name}", FACTOR)
        for entry in doc.get("models", []):
            model = _parse_model(entry, str(path))
            models[model.id] = model
    seen: dict[str, str] = {}
    for model in models.values():
        for name in (model.id, *model.aliases):
            if name in seen and seen[name] != model.id:
                raise PriceFileError(
                    f"model name {name!r} is claimed by both {seen[name]!r} and {model.id!r}"
                )
            seen[name] = model.id
        if model.tokenizer not in tokenizers:
            tokenizers.setdefault(model.tokenizer, Decimal(1))
    return PriceBook(models, tokenizers, web_search, tuple(str(f) for f in files))


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
    conn.execute(
        "CREATE OR REPLACE TEMP MACRO billed_usd(input_tokens, cache_write_5m, cache_write_1h,"
        " cache_read, output_tokens, web_searches, bill_input, bill_cache_write_5m,"
        " bill_cache_write_1h, bill_cache_read, bill_output, multiplier)"
        f" AS ({view_sql('billed_usd')})"
    )
    # The pricing is written once (priced_units) and runs over either source: every request,
    # or the rollup standing in for them (see queries/rollup.py).
    conn.execute(
        "CREATE OR REPLACE TEMP MACRO request_units(use_rollup) AS TABLE"
        f" {view_sql('request_units')}"
    )
    conn.execute(
        f"CREATE OR REPLACE TEMP MACRO priced_units(use_rollup) AS TABLE {view_sql('priced_units')}"
    )
    # The shared filters and the rollup's local hours, used by filtered_units and located_units.
    conn.execute(
        "CREATE OR REPLACE TEMP MACRO unit_kept(local_day, workload, model_id, source,"
        " is_subagent, since, until, workloads, models, sources, subagent)"
        f" AS ({view_sql('unit_kept')})"
    )
    conn.execute(
        f"CREATE OR REPLACE TEMP MACRO unit_hours(tz, use_rollup) AS TABLE {view_sql('unit_hours')}"
    )
    conn.execute(
        "CREATE OR REPLACE TEMP MACRO filtered_units(tz, since, until, workloads, models,"
        f" sources, subagent, use_rollup) AS TABLE {view_sql('filtered_units')}"
    )
    # The priced view: the one name to query for "every request with its cost".
    conn.execute("CREATE OR REPLACE TEMP VIEW priced_requests AS SELECT * FROM priced_units(false)")
    _installed[conn] = _Installed()
    return book


_TARGET_ARGS = (
    "(tz, since, until, workloads, models, sources, subagent, use_rollup, targets,"
    " tokenizer_factor, pairs)"
)
# Made on first use by a query (queries.loader calls `prepare`): the projection's macros take
# milliseconds to create and most connections (a report, most dashboard pages) never use them.
_FILTER_ARGS = "(tz, since, until, workloads, models, sources, subagent, use_rollup)"
_ON_DEMAND: dict[str, str] = {
    "located_units": f"CREATE OR REPLACE TEMP MACRO located_units{_FILTER_ARGS} AS TABLE {{body}}",
    "target_pairs": f"CREATE OR REPLACE TEMP MACRO target_pairs{_TARGET_ARGS} AS TABLE {{body}}",
    "target_units": f"CREATE OR REPLACE TEMP MACRO target_units{_TARGET_ARGS} AS TABLE {{body}}",
    "target_models": "CREATE OR REPLACE TEMP MACRO target_models(targets) AS TABLE {body}",
    # A table derived from the price tables: made again after every install (made is reset).
    "model_terms": "CREATE OR REPLACE TEMP TABLE model_terms AS {body}",
    "token_ratio": "CREATE OR REPLACE TEMP MACRO token_ratio(s_factor, t_factor, tokenizer_factor)"
    " AS ({body})",
    "target_tokens": "CREATE OR REPLACE TEMP MACRO target_tokens(tokens, ratio) AS ({body})",
    "ineligible_reason": "CREATE OR REPLACE TEMP MACRO ineligible_reason(priced, on_target,"
    " c_prompt_band, t_context_window, inference_geo, t_geo, c_output_band, t_max_output)"
    " AS ({body})",
}


@dataclass
class _Installed:
    """What one install() on a connection has made since: the on-demand macros created, and
    values derived from the price tables alone (such as the rollup's boundaries)."""

    made: set[str] = field(default_factory=set)
    memo: dict[str, Any] = field(default_factory=dict)


_installed: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, _Installed] = (
    weakref.WeakKeyDictionary()
)


def memo(conn: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """A dict that lives as long as this connection's price tables (install() starts a new
    one): for values derived from the prices alone, such as the rollup's boundaries."""
    state = _installed.get(conn)
    return state.memo if state is not None else None


def _ddl(name: str) -> str:
    return _ON_DEMAND[name].replace("{body}", view_sql(name))


def prepare(conn: duckdb.DuckDBPyConnection, text: str) -> None:
    """Create the on-demand macros and views `text` uses (and those they use) on `conn`."""
    state = _installed.get(conn)
    if state is None:  # not a connection from queries.db.connect: nothing was installed
        return
    made = state.made
    code = strip_comments(text)
    for name in [n for n in _ON_DEMAND if n not in made and re.search(rf"\b{n}\b", code)]:
        if name in made:  # made meanwhile, as something another one uses
            continue
        made.add(name)  # first, so a cycle cannot recurse forever
        try:
            prepare(conn, view_sql(name))  # what it uses
            conn.execute(_ddl(name))
        except BaseException:
            made.discard(name)
            raise


def price_rows(book: PriceBook, model: str | None = None) -> list[dict[str, Any]]:
    """Flat rows for `switchcost prices`: one per model and effective date."""
    wanted = None
    if model is not None:
        name = model.lower()
        wanted = {m.id for m in book.models.values() if name == m.id or name in m.aliases}
    out: list[dict[str, Any]] = []
    for m in sorted(book.models.values(), key=lambda m: (m.family, m.id)):
        if wanted is not None and m.id not in wanted:
            continue
        base = {"model": m.id, "aliases": " ".join(m.aliases)}
        if not m.prices:
            out.append(
                {
                    **base,
                    "effective_from": None,
                    **dict.fromkeys(RATE_FIELDS),
                    "long_context_threshold": None,
                    "batch_multiplier": None,
                    "source": m.source or "no published price: requests are unpriced",
                }
            )
        for p in m.prices:
            out.append(
                {
                    **base,
                    "effective_from": p.effective_from,
                    **p.rates,
                    "long_context_threshold": p.long_context_threshold,
                    "batch_multiplier": p.multipliers["batch_multiplier"],
                    "source": p.source,
                }
            )
    return out
