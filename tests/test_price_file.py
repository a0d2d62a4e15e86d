"""Checks on the shipped price table queries/prices.toml.

The file is parsed here directly with tomllib (no repo imports), the same way the loader does:
``tomllib.loads(text, parse_float=Decimal)``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PRICE_FILE = REPO / "queries" / "prices.toml"
RESEARCH_CSV = Path(__file__).resolve().parents[2] / "shared/research/prices_reference.csv"

TODAY = dt.date(2026, 11, 25)  # research snapshot date: "the row in force today"

PRICE_KEYS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
LONG_CONTEXT_KEYS = (
    "long_context_threshold",
    "long_context_input",
    "long_context_output",
    "long_context_cache_write_5m",
    "long_context_cache_write_1h",
    "long_context_cache_read",
)
DECIMAL_ROW_KEYS = (
    *PRICE_KEYS,
    "batch_multiplier",
    *LONG_CONTEXT_KEYS[1:],
    "fast_multiplier",
    "us_geo_multiplier",
)
FAMILIES = {"haiku", "sonnet", "opus", "fable", "mythos"}
# A first-party Claude API id: no Bedrock "-v1:0", no Vertex "@", no provider prefix.
FIRST_PARTY_ID = re.compile(r"^claude-[a-z0-9-]+$")

# (model id, price key) pairs whose published price deviates from 1.25x / 2x input.
CACHE_WRITE_EXCEPTIONS = {("claude-3-haiku-20240307", "cache_write_5m")}  # $0.30, not $0.3125


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return tomllib.loads(PRICE_FILE.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(scope="module")
def models(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in doc["models"]}


@pytest.fixture(scope="module")
def by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every id and alias -> its model entry."""
    out: dict[str, dict[str, Any]] = {}
    for m in doc["models"]:
        for name in (m["id"], *m.get("aliases", [])):
            out[name] = m
    return out


def row_at(model: dict[str, Any], day: dt.date) -> dict[str, Any]:
    rows = [r for r in model.get("prices", []) if r["effective_from"] <= day]
    assert rows, f"{model['id']}: no price row in force on {day}"
    return max(rows, key=lambda r: r["effective_from"])


def all_rows(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(m["id"], r) for m in doc["models"] for r in m.get("prices", [])]


def walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in walk(v, f"{path}[{i}]")]
    return [(path, value)]


# --- parsing and types --------------------------------------------------------------------------


def test_no_floats_anywhere(doc: dict[str, Any]) -> None:
    floats = [path for path, v in walk(doc) if isinstance(v, float)]
    assert floats == []


def test_every_price_is_decimal(doc: dict[str, Any]) -> None:
    assert isinstance(doc["defaults"]["web_search_per_1k"], Decimal)
    assert doc["defaults"]["web_search_per_1k"] == Decimal("10")
    for name, factor in doc["tokenizers"].items():
        assert isinstance(factor, Decimal), name
    assert doc["tokenizers"]["classic"] == Decimal("1")
    assert doc["tokenizers"]["v2"] == Decimal("1.3")
    for model_id, row in all_rows(doc):
        for key in DECIMAL_ROW_KEYS:
            if key in row:
                assert isinstance(row[key], Decimal), (model_id, key, row[key])
                assert row[key] >= 0, (model_id, key)
        for key in PRICE_KEYS:
            assert key in row, (model_id, key)
        assert isinstance(row["effective_from"], dt.date)
        assert not isinstance(row["effective_from"], dt.datetime)
        assert isinstance(row["confirmed"], bool), model_id


# --- structure ----------------------------------------------------------------------------------


def test_ids_and_aliases_unique(doc: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for m in doc["models"]:
        for name in (m["id"], *m.get("aliases", [])):
            assert name not in seen, f"{name} used by {seen[name]} and {m['id']}"
            seen[name] = m["id"]


def test_model_metadata(doc: dict[str, Any]) -> None:
    for m in doc["models"]:
        mid = m["id"]
        assert FIRST_PARTY_ID.match(mid), mid
        for alias in m.get("aliases", []):
            assert FIRST_PARTY_ID.match(alias), (mid, alias)
        assert m["family"] in FAMILIES, mid
        assert m["family"] in mid, mid
        assert m["tokenizer"] in doc["tokenizers"], mid
        assert m["display_name"], mid
        assert m["status"], mid
        assert m["source"], mid
        assert isinstance(m["context_window"], int), mid
        assert isinstance(m["supports_inference_geo"], bool), mid
        assert isinstance(m["supports_fast_mode"], bool), mid
        assert "output_tokens_per_second" not in m, mid
        if "max_output_tokens" in m:
            assert isinstance(m["max_output_tokens"], int), mid
        if "min_cacheable_tokens" in m:
            assert isinstance(m["min_cacheable_tokens"], int), mid


def test_effective_dates_strictly_increase_and_sources(doc: dict[str, Any]) -> None:
    for m in doc["models"]:
        dates = [r["effective_from"] for r in m.get("prices", [])]
        assert dates == sorted(dates), m["id"]
        assert len(set(dates)) == len(dates), m["id"]
        for r in m.get("prices", []):
            assert isinstance(r["source"], str), m["id"]
            assert r["source"].strip(), m["id"]


def test_long_context_fields_all_or_none(doc: dict[str, Any]) -> None:
    for model_id, row in all_rows(doc):
        present = [k for k in LONG_CONTEXT_KEYS if k in row]
        assert present in ([], list(LONG_CONTEXT_KEYS)), (model_id, present)
        if present:
            assert isinstance(row["long_context_threshold"], int), model_id


def test_geo_and_fast_flags_consistent(models: dict[str, dict[str, Any]]) -> None:
    for mid, m in models.items():
        rows = m.get("prices", [])
        if not m["supports_inference_geo"]:
            assert all("us_geo_multiplier" not in r for r in rows), mid
        if m["supports_fast_mode"]:
            # unpriced models cannot carry a multiplier; priced ones must
            assert all("fast_multiplier" in r for r in rows), mid


def test_batch_everywhere(doc: dict[str, Any]) -> None:
    for model_id, row in all_rows(doc):
        assert row["batch_multiplier"] == Decimal("0.5"), model_id


# --- against the research CSV -------------------------------------------------------------------


def _csv_rows() -> list[dict[str, str]]:
    if not RESEARCH_CSV.exists():
        pytest.skip(f"{RESEARCH_CSV} not present")
    with RESEARCH_CSV.open(newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if FIRST_PARTY_ID.match(r["model_id"])]


def _value(cell: str) -> Decimal | None:
    cell = cell.strip()
    if cell in ("", "unknown"):
        return None
    return Decimal(cell)


CSV_COLUMNS = {
    "input_per_mtok": "input",
    "output_per_mtok": "output",
    "cache_write_5m_per_mtok": "cache_write_5m",
    "cache_write_1h_per_mtok": "cache_write_1h",
    "cache_read_per_mtok": "cache_read",
    "long_input_per_mtok": "long_context_input",
    "long_output_per_mtok": "long_context_output",
    "batch_discount": "batch_multiplier",
}


def _mismatches(rows: list[dict[str, str]], by_name: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for csv_row in rows:
        name = csv_row["model_id"]
        if name not in by_name:
            problems.append(f"{name}: not in prices.toml")
            continue
        values = {col: _value(csv_row[col]) for col in CSV_COLUMNS}
        if all(v is None for v in values.values()):
            continue  # unknown price: checked by test_unknown_csv_models_are_unpriced
        ours = row_at(by_name[name], TODAY)
        for col, key in CSV_COLUMNS.items():
            want = values[col]
            if want is not None and ours.get(key) != want:
                problems.append(f"{name}.{key}: csv {want} != toml {ours.get(key)}")
        threshold = csv_row["long_context_threshold_tokens"].strip()
        if threshold and ours.get("long_context_threshold") != int(threshold):
            problems.append(f"{name}: long_context_threshold {ours.get('long_context_threshold')}")
        if not threshold and "long_context_threshold" in ours:
            problems.append(f"{name}: toml has a long-context tier the csv lacks")
    return problems


def test_confirmed_csv_rows_match(by_name: dict[str, dict[str, Any]]) -> None:
    rows = [r for r in _csv_rows() if r["confirmed"] == "yes"]
    assert len(rows) >= 25
    assert _mismatches(rows, by_name) == []


def test_unconfirmed_csv_rows_with_numbers_match(by_name: dict[str, dict[str, Any]]) -> None:
    rows = [r for r in _csv_rows() if r["confirmed"] != "yes"]
    assert _mismatches(rows, by_name) == []


def test_unknown_csv_models_are_unpriced(by_name: dict[str, dict[str, Any]]) -> None:
    unknown = [r["model_id"] for r in _csv_rows() if r["input_per_mtok"] == "unknown"]
    assert set(unknown) >= {"claude-mythos-5-2", "claude-mythos-preview"}
    for name in unknown:
        assert by_name[name].get("prices", []) == [], name


def test_every_csv_first_party_id_is_known(by_name: dict[str, dict[str, Any]]) -> None:
    missing = [r["model_id"] for r in _csv_rows() if r["model_id"] not in by_name]
    assert missing == []


# --- hand-written spot checks -------------------------------------------------------------------


def test_haiku_4_5(by_name: dict[str, dict[str, Any]]) -> None:
    for name in ("claude-haiku-4-5", "claude-haiku-4-5-20251001"):
        m = by_name[name]
        row = row_at(m, TODAY)
        assert [row[k] for k in PRICE_KEYS] == [
            Decimal("1"),
            Decimal("5"),
            Decimal("1.25"),
            Decimal("2"),
            Decimal("0.10"),
        ]
        assert row["batch_multiplier"] == Decimal("0.5")
        assert "long_context_threshold" not in row
        assert "fast_multiplier" not in row
        assert "us_geo_multiplier" not in row
        assert m["context_window"] == 200_000
        assert m["max_output_tokens"] == 64_000
        assert m["min_cacheable_tokens"] == 4096
        assert m["tokenizer"] == "classic"
        assert m["supports_inference_geo"] is False
        assert m["supports_fast_mode"] is False


def test_sonnet_4_5_long_context(by_name: dict[str, dict[str, Any]]) -> None:
    row = row_at(by_name["claude-sonnet-4-5-20250929"], dt.date(2025, 10, 15))
    assert row["long_context_threshold"] == 200_000
    assert row["long_context_input"] == Decimal("6")
    assert row["long_context_output"] == Decimal("22.5")
    assert row["long_context_cache_write_5m"] == Decimal("7.5")
    assert row["long_context_cache_write_1h"] == Decimal("12")
    assert row["long_context_cache_read"] == Decimal("0.6")
    assert (row["input"], row["output"]) == (Decimal("3"), Decimal("15"))


def test_sonnet_5_5_cache_read_cut(models: dict[str, dict[str, Any]]) -> None:
    m = models["claude-sonnet-5-5"]
    assert row_at(m, dt.date(2026, 9, 28))["cache_read"] == Decimal("0.20")
    assert row_at(m, dt.date(2026, 10, 6))["cache_read"] == Decimal("0.20")
    assert row_at(m, dt.date(2026, 10, 7))["cache_read"] == Decimal("0.10")
    assert row_at(m, TODAY)["cache_read"] == Decimal("0.10")
    for day in (dt.date(2026, 10, 6), dt.date(2026, 10, 7)):
        assert row_at(m, day)["input"] == Decimal("2")


def test_sonnet_5_is_2_10_for_all_dates(models: dict[str, dict[str, Any]]) -> None:
    for row in models["claude-sonnet-5"]["prices"]:
        assert (row["input"], row["output"]) == (Decimal("2"), Decimal("10"))


def test_mythos_unpriced(models: dict[str, dict[str, Any]]) -> None:
    assert "prices" not in models["claude-mythos-5-2"]
    assert "prices" not in models["claude-mythos-preview"]


def test_first_party_aliases(by_name: dict[str, dict[str, Any]]) -> None:
    assert by_name["claude-opus-4-20250514"]["id"] == "claude-opus-4-0"
    assert by_name["claude-sonnet-4-20250514"]["id"] == "claude-sonnet-4-0"
    assert by_name["claude-opus-4-6-20260205"]["id"] == "claude-opus-4-6"
    assert by_name["claude-opus-4-7-20260416"]["id"] == "claude-opus-4-7"
    assert by_name["claude-opus-4-1-20250805"]["id"] == "claude-opus-4-1"
    assert by_name["claude-opus-4-5-20251101"]["id"] == "claude-opus-4-5"


def test_every_researched_model_present(models: dict[str, dict[str, Any]]) -> None:
    expected = {
        "claude-fable-5-2", "claude-mythos-5-2", "claude-fable-5-1", "claude-mythos-5-1",
        "claude-fable-5", "claude-mythos-5", "claude-mythos-preview",
        "claude-opus-5-5", "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7",
        "claude-opus-4-6", "claude-opus-4-5", "claude-opus-4-1", "claude-opus-4-0",
        "claude-sonnet-5-5", "claude-sonnet-5", "claude-sonnet-4-6", "claude-sonnet-4-5",
        "claude-sonnet-4-0", "claude-haiku-5-5", "claude-haiku-4-5",
        "claude-3-5-haiku-20241022", "claude-3-7-sonnet-20250219",
        "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20240620",
        "claude-3-opus-20240229", "claude-3-haiku-20240307",
    }  # fmt: skip
    assert set(models) == expected


def test_tokenizer_families(models: dict[str, dict[str, Any]]) -> None:
    classic = {
        "claude-opus-4-6", "claude-opus-4-5", "claude-opus-4-1", "claude-opus-4-0",
        "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-sonnet-4-0", "claude-haiku-4-5",
        "claude-3-5-haiku-20241022", "claude-3-7-sonnet-20250219",
        "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20240620",
        "claude-3-opus-20240229", "claude-3-haiku-20240307",
    }  # fmt: skip
    for mid, m in models.items():
        assert m["tokenizer"] == ("classic" if mid in classic else "v2"), mid


def test_haiku_5_5_long_context_band(models: dict[str, dict[str, Any]]) -> None:
    row = row_at(models["claude-haiku-5-5"], TODAY)
    assert row["long_context_threshold"] == 100_000
    assert row["long_context_input"] == Decimal("0.50")
    assert row["long_context_output"] == Decimal("2.50")
    assert row["long_context_cache_read"] == Decimal("0.05")


def test_fast_mode_multipliers(models: dict[str, dict[str, Any]]) -> None:
    for mid in ("claude-opus-5-5", "claude-opus-5", "claude-opus-4-8", "claude-fable-5-2"):
        assert row_at(models[mid], TODAY)["fast_multiplier"] == Decimal("2"), mid
    for mid in ("claude-opus-4-6", "claude-opus-4-7"):
        assert row_at(models[mid], TODAY)["fast_multiplier"] == Decimal("6"), mid
    for mid in ("claude-sonnet-5-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-fable-5-1"):
        assert "fast_multiplier" not in row_at(models[mid], TODAY), mid


def test_us_geo_only_on_4_6_and_later(models: dict[str, dict[str, Any]]) -> None:
    for mid in ("claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-5-5", "claude-haiku-5-5"):
        assert row_at(models[mid], TODAY)["us_geo_multiplier"] == Decimal("1.1"), mid
    for mid in ("claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"):
        assert "us_geo_multiplier" not in row_at(models[mid], TODAY), mid


# --- cache multipliers --------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", ["claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-5"])
def test_standard_cache_multipliers_named(models: dict[str, dict[str, Any]], model_id: str) -> None:
    for row in models[model_id]["prices"]:
        assert row["cache_write_5m"] == row["input"] * Decimal("1.25")
        assert row["cache_write_1h"] == row["input"] * 2
        assert row["cache_read"] == row["input"] * Decimal("0.1")


def test_cache_write_multipliers_everywhere(doc: dict[str, Any]) -> None:
    """1.25x / 2x input on every row (and on the long-context band), except listed exceptions."""
    for model_id, row in all_rows(doc):
        for key, factor in (("cache_write_5m", Decimal("1.25")), ("cache_write_1h", Decimal(2))):
            if (model_id, key) not in CACHE_WRITE_EXCEPTIONS:
                assert row[key] == row["input"] * factor, (model_id, key)
        if "long_context_input" in row:
            lc_in = row["long_context_input"]
            assert row["long_context_cache_write_5m"] == lc_in * Decimal("1.25"), model_id
            assert row["long_context_cache_write_1h"] == lc_in * 2, model_id
            assert row["long_context_cache_read"] == lc_in * Decimal("0.1"), model_id
