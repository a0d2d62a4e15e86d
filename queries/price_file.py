"""The price file: prices are data (a TOML file with sources and effective dates).

`load_price_book()` reads the shipped price file, overlays the user's file (an entry with the
same model id replaces the shipped one) and validates it into a typed `PriceBook`.  Numbers are
parsed as `Decimal`, so no binary float ever touches money.  Installing the book into a
connection is queries.price_tables' job; this module imports no database.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from switchcost.queries.errors import PriceFileError as PriceFileError  # re-exported
from switchcost.queries.location import shipped_price_file, user_price_file

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
