"""Checks on the shipped price table queries/prices.toml.

The file is parsed here directly with tomllib, the same way the loader does
(``tomllib.loads(text, parse_float=Decimal)``), and checked against Anthropic's pricing rules
(invariants) and against a few bills worked by hand, priced by the real view.  Nothing outside
the repository is read.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PRICE_FILE = REPO / "queries" / "prices.toml"

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


# --- invariants from Anthropic's pricing rules ---------------------------------------------------

# Models whose cache read is not the standard 0.1x input, with the ratio their source states.
CACHE_READ_EXCEPTIONS = {
    # Fable 5.1 / Mythos 5.1: cache hit $0.25 on $10 input = 0.025x (pricing page, footnote 1);
    # Fable 5.2 $0.20 on $8, the same ratio (third-party figure, row marked unconfirmed).
    "claude-fable-5-2": Decimal("0.025"),
    "claude-fable-5-1": Decimal("0.025"),
    "claude-mythos-5-1": Decimal("0.025"),
    "claude-opus-5-5": Decimal("0.05"),  # $0.20 on $4 input
    "claude-3-haiku-20240307": Decimal("0.12"),  # $0.03 on $0.25 input
}
# Sonnet 5.5's read price was cut from $0.20 to $0.10 (0.05x) on 2026-10-07.
CACHE_READ_FROM = {("claude-sonnet-5-5", dt.date(2026, 10, 7)): Decimal("0.05")}

# Models whose prices carry a long-context tier (whole request above the threshold); every
# other model's rows must not.  Sonnet 4.6 and Opus 4.6 lost theirs on 2026-03-13.
LONG_CONTEXT = {
    "claude-sonnet-4-0": 200_000,
    "claude-sonnet-4-5": 200_000,
    "claude-sonnet-4-6": 200_000,
    "claude-opus-4-6": 200_000,
    "claude-haiku-5-5": 100_000,
}
LONG_CONTEXT_ENDS = {
    "claude-sonnet-4-6": dt.date(2026, 3, 13),
    "claude-opus-4-6": dt.date(2026, 3, 13),
}


def test_every_model_but_the_unpriced_has_every_rate(doc: dict[str, Any]) -> None:
    unpriced = [m["id"] for m in doc["models"] if not m.get("prices")]
    assert sorted(unpriced) == ["claude-mythos-5-2", "claude-mythos-preview"]
    for model_id, row in all_rows(doc):
        for key in (*PRICE_KEYS, "batch_multiplier", "source", "effective_from"):
            assert key in row, (model_id, key)
        assert row["input"] > 0, model_id
        assert row["output"] > row["input"], model_id  # output always costs more than input
        assert row["cache_read"] < row["input"] < row["cache_write_5m"], model_id
        assert row["cache_write_5m"] < row["cache_write_1h"], model_id


def test_cache_read_is_a_tenth_of_input_except_where_published(doc: dict[str, Any]) -> None:
    for m in doc["models"]:
        for row in m.get("prices", []):
            want = CACHE_READ_EXCEPTIONS.get(m["id"], Decimal("0.1"))
            for (mid, since), ratio in CACHE_READ_FROM.items():
                if mid == m["id"] and row["effective_from"] >= since:
                    want = ratio
            assert row["cache_read"] == row["input"] * want, (m["id"], row["effective_from"])
    # the exceptions are real: each named model exists and is priced
    ids = {m["id"] for m in doc["models"] if m.get("prices")}
    assert set(CACHE_READ_EXCEPTIONS) <= ids


def test_long_context_tier_exactly_where_anthropic_has_one(doc: dict[str, Any]) -> None:
    for m in doc["models"]:
        for row in m.get("prices", []):
            ended = (
                m["id"] in LONG_CONTEXT_ENDS and row["effective_from"] >= LONG_CONTEXT_ENDS[m["id"]]
            )
            if m["id"] in LONG_CONTEXT and not ended:
                assert row.get("long_context_threshold") == LONG_CONTEXT[m["id"]], m["id"]
            else:
                assert "long_context_threshold" not in row, (m["id"], row["effective_from"])
            if row.get("long_context_threshold") == 200_000:
                # "Long context pricing": input 2x and output 1.5x the base rates ($3/$15 ->
                # $6/$22.50 for Sonnet; $5/$25 -> $10/$37.50 for Opus 4.6)
                assert row["long_context_input"] == row["input"] * 2, m["id"]
                assert row["long_context_output"] == row["output"] * Decimal("1.5"), m["id"]


# --- hand-worked bills through the priced view ---------------------------------------------------


def _bill(db_path: Path, **usage: Any) -> Decimal:
    """The cost the priced view gives one request with this usage (shipped price file only)."""
    from switchcost.queries import db
    from tests.rows import insert, request

    with db.connect(db_path) as conn:
        insert(conn, request(request_key="bill", **usage))
        got = conn.execute("SELECT cost_usd FROM priced_requests WHERE request_key = 'bill'")
        value = got.fetchall()[0][0]
    assert value is not None, usage
    return Decimal(value)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # Haiku 4.5: 1,000,000 in x $1 + 1,000,000 out x $5 = $6
        (
            {"model": "claude-haiku-4-5-20251001", "input_tokens": 10**6, "output_tokens": 10**6},
            Decimal("6"),
        ),
        # Sonnet 4.5, 150,000 prompt tokens (under 200k): 50,000 5m-writes x $3.75 + 50,000
        #   1h-writes x $6 + 50,000 reads x $0.30 = 0.1875 + 0.30 + 0.015 = $0.5025
        (
            {
                "model": "claude-sonnet-4-5",
                "cache_write_5m": 50_000,
                "cache_write_1h": 50_000,
                "cache_read": 50_000,
            },
            Decimal("0.5025"),
        ),
        # The same with 1M of each: 3M prompt tokens > 200k, so the long-context cache rates
        #   ($7.50 / $12 / $0.60): 7.50 + 12 + 0.60 = $20.10
        (
            {
                "model": "claude-sonnet-4-5",
                "cache_write_5m": 10**6,
                "cache_write_1h": 10**6,
                "cache_read": 10**6,
            },
            Decimal("20.10"),
        ),
        # Sonnet 4.5 over 200k prompt tokens: 250,000 in x $6 + 10,000 out x $22.50
        #   = 1.50 + 0.225 = $1.725 (every token at the long-context rate)
        (
            {"model": "claude-sonnet-4-5", "input_tokens": 250_000, "output_tokens": 10_000},
            Decimal("1.725"),
        ),
        # ...and exactly 200,000 is not over: 200,000 x $3 + 10,000 x $15 = 0.60 + 0.15 = $0.75
        (
            {"model": "claude-sonnet-4-5", "input_tokens": 200_000, "output_tokens": 10_000},
            Decimal("0.75"),
        ),
        # Opus 4.5 batch: (1M in x $5 + 1M out x $25) x 0.5 = $15
        (
            {
                "model": "claude-opus-4-5-20251101",
                "service_tier": "batch",
                "input_tokens": 10**6,
                "output_tokens": 10**6,
            },
            Decimal("15"),
        ),
    ],
)
def test_hand_worked_bills(db_path: Path, usage: dict[str, Any], expected: Decimal) -> None:
    assert _bill(db_path, **usage) == expected


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
