"""`switchcost export --focus`: FOCUS 1.2 rows priced exactly, summing to `report`'s total.

Hand-worked bills (USD per MTok, Anthropic's pricing page; Sonnet 4.5 $3 in / $3.75 5m write /
$6 1h write / $0.30 read / $15 out, over 200k prompt tokens $6 / $22.50 for the whole request;
Haiku 4.5 $1 / $0.10 read / $5 out; batch x0.5; web search $10 per 1,000).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from switchcost.app.cli import app
from switchcost.queries import db, reports, rollup
from tests.rows import insert, request

DAY2 = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
DAY3 = dt.datetime(2026, 11, 3, 23, 30, tzinfo=dt.UTC)
SONNET = "claude-sonnet-4-5-20250929"
HAIKU = "claude-haiku-4-5-20251001"
# 0.045 + 0.01 + 1.5225 + 0.0303 + 1.2346353 (worked per request below)
TOTAL = Decimal("2.8424353")

# The FOCUS 1.0 columns the official validator requires (its `*_Required` rules), spelt as it
# spells them, and the FOCUS 1.2 Cost and Usage columns (FOCUS 1.2 specification, column list).
FOCUS_10_REQUIRED = {
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit",
    "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuer", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "Provider",
    "Publisher", "RegionId", "RegionName", "ResourceID", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName",
    "Tags",
}  # fmt: skip
FOCUS_12 = {
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName",
    "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity",
    "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory",
    "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName",
    "SubAccountType", "Tags",
}  # fmt: skip
VALIDATOR_SPELLINGS = {"Provider", "Publisher", "InvoiceIssuer", "ResourceID", "ChargeType"}


def _make_db(path: Path, with_rollup: bool) -> None:
    conn = db.connect(path)
    try:
        tags = {"workload": "summarise", "project": "p1", "source": "messages"}
        insert(
            conn,
            # 1,000 x 3 + 2,000 x 3.75 + 4,000 x 6 + 10,000 x 0.30 + 500 x 15 = 45,000 -> $0.045
            request(
                request_key="a", ts=DAY2, model=SONNET, input_tokens=1000, cache_write_5m=2000,
                cache_write_1h=4000, cache_read=10000, output_tokens=500,
                workload=tags["workload"], project=tags["project"],
            ),
            # Haiku batch: (10,000 x 1 + 2,000 x 5) x 0.5 = 10,000 -> $0.01
            request(
                request_key="b", ts=DAY2, model=HAIKU, service_tier="batch", input_tokens=10000,
                output_tokens=2000, workload="summarise", project="p1",
            ),
            # Long context (250,000 > 200,000): 250,000 x 6 + 1,000 x 22.50 -> $1.5225
            request(
                request_key="c", ts=DAY2, model=SONNET, input_tokens=250000, output_tokens=1000,
                workload="review",
            ),
            # 3 searches x $0.01 + 100 x 3 / 1e6 = $0.03 + $0.0003 -> $0.0303
            request(
                request_key="d", ts=DAY3, model=SONNET, input_tokens=100, web_search_requests=3,
                workload="review",
            ),
            # 1,234,567 x 1 + 333 x 0.10 + 7 x 5 = 1,234,567 + 33.3 + 35 -> $1.2346353
            request(
                request_key="e", ts=DAY3, model=HAIKU, input_tokens=1234567, cache_read=333,
                output_tokens=7, workload="review",
            ),
            # No price: left out of FOCUS (and of report's cost), never $0.
            request(request_key="u", ts=DAY3, model="claude-mystery-9", input_tokens=5),
        )  # fmt: skip
        if with_rollup:
            rollup.refresh(conn, 1)
            assert rollup.usable(conn, "UTC")
    finally:
        conn.close()


def _export(path: Path, out: Path, *extra: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(
        app, ["export", "--focus", "--out", str(out), "--db", str(path), *extra]
    )
    assert result.exit_code == 0, result.output
    with (out / "focus_cost_and_usage.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _report_total(path: Path) -> Decimal:
    result = CliRunner().invoke(
        app, ["report", "--by", "day", "--db", str(path), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    return Decimal(next(r for r in rows if r["day"] == "TOTAL")["cost_usd"])


@pytest.mark.parametrize("with_rollup", [False, True])
def test_billed_cost_sums_to_report_total(tmp_path: Path, with_rollup: bool) -> None:
    path = tmp_path / "f.duckdb"
    _make_db(path, with_rollup)
    rows = _export(path, tmp_path / "out")
    billed = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    assert billed == TOTAL  # exactly, to the last digit
    # `report` prints micro-dollars (half up): 2.8424353 -> 2.842435; the same to the cent.
    assert _report_total(path) == billed.quantize(Decimal("0.000001")) == Decimal("2.842435")
    assert _report_total(path).quantize(Decimal("0.01")) == billed.quantize(Decimal("0.01"))
    # And report's own exact total (before printing) equals it to the last digit.
    conn = db.connect(path, read_only=True)
    try:
        exact = reports.row_totals(reports.usage_rows(conn, "day"))["cost_usd"]
    finally:
        conn.close()
    assert exact == billed
    for col in ("EffectiveCost", "ListCost", "ContractedCost"):
        assert sum((Decimal(r[col]) for r in rows), Decimal(0)) == TOTAL
    for r in rows:  # ListCost = PricingQuantity x ListUnitPrice, exactly
        assert Decimal(r["ListCost"]) == Decimal(r["PricingQuantity"]) * Decimal(r["ListUnitPrice"])


def test_rows_per_token_type_with_sku_prices(tmp_path: Path) -> None:
    path = tmp_path / "f.duckdb"
    _make_db(path, False)
    rows = _export(path, tmp_path / "out")
    got = {
        (r["ChargePeriodStart"][8:10], r["x_Workload"], r["x_TokenType"], r["SkuPriceId"]): (
            r["PricingQuantity"],
            r["PricingUnit"],
            r["ListUnitPrice"],
            r["BilledCost"],
        )
        for r in rows
    }
    s, h = "claude-sonnet-4-5", "claude-haiku-4-5"
    sw, hw = "summarise", "review"
    tok, req = "Tokens", "Requests"
    expected = {
        # request a, one row per token type: 1,000 x $3/MTok = $0.003, ...
        ("02", sw, "input", f"{s}/input/2025-09-29"): ("1000.0", tok, "0.000003", "0.003"),
        ("02", sw, "cache_write_5m", f"{s}/cache_write_5m/2025-09-29"):
            ("2000.0", tok, "0.00000375", "0.0075"),
        ("02", sw, "cache_write_1h", f"{s}/cache_write_1h/2025-09-29"):
            ("4000.0", tok, "0.000006", "0.024"),
        ("02", sw, "cache_read", f"{s}/cache_read/2025-09-29"):
            ("10000.0", tok, "0.0000003", "0.003"),
        ("02", sw, "output", f"{s}/output/2025-09-29"): ("500.0", tok, "0.000015", "0.0075"),
        # request b, batch: $1 x 0.5 and $5 x 0.5 per MTok
        ("02", sw, "input", f"{h}/input/batch/2025-10-01"): ("10000.0", tok, "0.0000005", "0.005"),
        ("02", sw, "output", f"{h}/output/batch/2025-10-01"): ("2000.0", tok, "0.0000025", "0.005"),
        # request c, long context: $6 and $22.50 per MTok
        ("02", hw, "input", f"{s}/input/long-context/2025-09-29"):
            ("250000.0", tok, "0.000006", "1.5"),
        ("02", hw, "output", f"{s}/output/long-context/2025-09-29"):
            ("1000.0", tok, "0.0000225", "0.0225"),
        # request d: searches at $0.01 each, no multiplier
        ("03", hw, "input", f"{s}/input/2025-09-29"): ("100.0", tok, "0.000003", "0.0003"),
        ("03", hw, "web_search", f"{s}/web_search/2025-09-29"): ("3.0", req, "0.01", "0.03"),
        # request e: 333 x $0.10/MTok = $0.0000333, kept whole (not rounded to micro-dollars)
        ("03", hw, "input", f"{h}/input/2025-10-01"): ("1234567.0", tok, "0.000001", "1.234567"),
        ("03", hw, "cache_read", f"{h}/cache_read/2025-10-01"):
            ("333.0", tok, "0.0000001", "0.0000333"),
        ("03", hw, "output", f"{h}/output/2025-10-01"): ("7.0", tok, "0.000005", "0.000035"),
    }  # fmt: skip
    assert got == expected
    first = rows[0]
    assert first["ChargePeriodEnd"] == "2026-11-03T00:00:00Z"
    assert (first["BillingPeriodStart"], first["BillingPeriodEnd"]) == (
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    assert first["ConsumedQuantity"] == first["PricingQuantity"]
    assert first["BillingCurrency"] == "USD"
    assert first["ChargeCategory"] == "Usage"
    assert first["ProviderName"] == first["Provider"] == "Anthropic"
    tagged = next(r for r in rows if r["x_Workload"] == "summarise")
    assert json.loads(tagged["Tags"]) == {
        "workload": "summarise",
        "project": "p1",
        "source": "messages",
    }
    meta = json.loads((tmp_path / "out" / "focus_metadata.json").read_text())
    assert meta["FocusVersion"] == "1.2"


def test_columns_cover_focus_12_and_the_validators_10_set(tmp_path: Path) -> None:
    path = tmp_path / "f.duckdb"
    _make_db(path, False)
    out = tmp_path / "out"
    _export(path, out)
    with (out / "focus_cost_and_usage.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert len(header) == len(set(header))
    assert set(header) >= FOCUS_12
    assert set(header) >= FOCUS_10_REQUIRED
    custom = set(header) - FOCUS_12 - VALIDATOR_SPELLINGS
    assert custom
    assert all(c.startswith("x_") for c in custom), custom


def test_unpriced_left_out_and_named(tmp_path: Path) -> None:
    path = tmp_path / "f.duckdb"
    _make_db(path, False)
    result = CliRunner().invoke(
        app, ["export", "--focus", "--out", str(tmp_path / "o"), "--db", str(path)]
    )
    assert result.exit_code == 0
    assert "left out 1 unpriced requests (no price for: claude-mystery-9 (1))" in result.output
    rows = _export(path, tmp_path / "o2")
    assert "claude-mystery-9" not in {r["x_Model"] for r in rows}


def test_hostile_workload_name_is_inert(tmp_path: Path) -> None:
    path = tmp_path / "f.duckdb"
    conn = db.connect(path)
    try:
        insert(conn, request(request_key="x", model=HAIKU, input_tokens=10, workload="=1+2,\r\n"))
    finally:
        conn.close()
    rows = _export(path, tmp_path / "out")
    assert len(rows) == 1
    assert rows[0]["x_Workload"] == "'=1+2,\r\n"  # csv_cell: neutralised and quoted
    assert json.loads(rows[0]["Tags"])["workload"] == "=1+2,\r\n"  # JSON text starts with {


def test_projection_dataset(tmp_path: Path) -> None:
    path = tmp_path / "f.duckdb"
    _make_db(path, False)
    out = tmp_path / "out"
    _export(path, out, "--projection", "all", "--to", "claude-haiku-4-5")
    with (out / "focus_projected_cost.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_wl = {r["x_Workload"]: r for r in rows}
    assert set(by_wl) == {"summarise", "review", "(none)"}
    # Scenario "all" to Haiku 4.5: request a on Haiku = 1,000 x 1 + 2,000 x 1.25 + 4,000 x 2
    # + 10,000 x 0.10 + 500 x 5 = 1,000 + 2,500 + 8,000 + 1,000 + 2,500 = 15,000 -> $0.015;
    # request b is already on Haiku ($0.01): summarise projected = $0.025, current $0.055.
    s = by_wl["summarise"]
    assert Decimal(s["BilledCost"]) == Decimal("0.025")
    assert Decimal(s["x_CurrentCost"]) == Decimal("0.055")
    assert Decimal(s["x_Savings"]) == Decimal("0.03")
    assert s["ChargePeriodStart"] == "2026-11-02T00:00:00Z"
    assert s["ChargePeriodEnd"] == "2026-11-04T00:00:00Z"
    assert s["x_TargetModel"] == "claude-haiku-4-5"


def test_projection_needs_focus(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--out", str(tmp_path), "--projection", "all"])
    assert result.exit_code == 1
    assert "--projection and --to go with --focus" in result.output


_VALIDATE = """
import json, os, sys, focus_validator
from focus_validator.data_loaders.data_loader import DataLoader
from focus_validator.rules.spec_rules import SpecRules
from focus_validator.validator import DEFAULT_VERSION_SETS_PATH
# Its currency-code list is read from a path relative to the working directory.
os.chdir(os.path.dirname(os.path.dirname(focus_validator.__file__)))
rules = SpecRules(None, DEFAULT_VERSION_SETS_PATH, "1.0", None)
rules.load()
result = rules.validate(DataLoader(sys.argv[1]).load())
print(json.dumps({k: v.status.value for k, v in result.checklist.items()}))
"""


def _validator_python() -> str:
    """focus-validator 1.0.0 pins numpy<2 while pyarrow (a switchcost dependency) needs
    numpy>=2, so it runs from its own environment: SWITCHCOST_FOCUS_VALIDATOR_PYTHON names that
    environment's python (docs/focus.md says how to make it)."""
    found = os.environ.get("SWITCHCOST_FOCUS_VALIDATOR_PYTHON")
    if not found:
        pytest.skip("set SWITCHCOST_FOCUS_VALIDATOR_PYTHON to a python with focus-validator")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["focus_cost_and_usage.csv", "focus_projected_cost.csv"])
def test_official_validator_passes(tmp_path: Path, dataset: str) -> None:
    python = _validator_python()
    path = tmp_path / "f.duckdb"
    _make_db(path, False)
    out = tmp_path / "out"
    _export(path, out, "--projection", "recommended")
    done = subprocess.run(
        [python, "-c", _VALIDATE, str(out / dataset)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    statuses: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(statuses) > 100  # the whole 1.0 rule set ran
    failed = {k: v for k, v in statuses.items() if v != "passed"}
    assert failed == {}


@pytest.mark.slow
def test_official_validator_catches_a_broken_file(tmp_path: Path) -> None:
    """The control: the same pipeline fails a file whose currency and tags are wrong."""
    python = _validator_python()
    path = tmp_path / "f.duckdb"
    _make_db(path, False)
    out = tmp_path / "out"
    rows = _export(path, out)
    rows[0]["BillingCurrency"] = "DOLLARS"
    rows[0]["Tags"] = "workload=review"
    broken = tmp_path / "broken.csv"
    with broken.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = subprocess.run(
        [python, "-c", _VALIDATE, str(broken)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    failed = {k for k, v in statuses.items() if v != "passed"}
    assert failed == {"BillingCurrency_IsCurrencyCode", "Tags_IsJSONObject"}
