"""FinOps FOCUS Cost and Usage rows: actual cost (and a scenario's projected cost) as FOCUS 1.2.

The data-dependent part comes from SQL (sql/focus_cost.sql, priced by the same `billed_usd`
as `report`); this module adds the columns every row shares and names the SKUs.  Money stays
Decimal: the CSV writer (app/cli_focus.py) prints it in full.

Version: FOCUS 1.2 columns, plus five 1.0-preview spellings (`Provider`, `Publisher`,
`InvoiceIssuer`, `ResourceID`, `ChargeType`) that the official validator (`focus-validator`
1.0.0, which checks FOCUS 1.0) requires or reads, carried as copies of ProviderName,
PublisherName, InvoiceIssuerName, ResourceId and ChargeCategory.  Custom columns start with `x_`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from switchcost.queries import rollup
from switchcost.queries.run_sql import records

FOCUS_VERSION = "1.2"
CURRENCY = "USD"
TOKEN_TYPES = ("input", "cache_write_5m", "cache_write_1h", "cache_read", "output", "web_search")
METER = {
    "input": "Input Tokens",
    "cache_write_5m": "Cache Write Tokens (5 minutes)",
    "cache_write_1h": "Cache Write Tokens (1 hour)",
    "cache_read": "Cache Read Tokens",
    "output": "Output Tokens",
    "web_search": "Web Search Requests",
}
# Who sells the tokens, by the platform the request went through; Anthropic publishes the models.
PROVIDERS = {
    "anthropic": ("Anthropic", "Claude API"),
    "bedrock": ("Amazon Web Services", "Amazon Bedrock"),
    "vertex": ("Google Cloud", "Vertex AI"),
    "foundry": ("Microsoft", "Microsoft Foundry"),
}
PUBLISHER = "Anthropic"

# The FOCUS 1.2 Cost and Usage columns written (in this order), then the validator's 1.0 names.
FOCUS_COLUMNS = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
)
VALIDATOR_COPIES = {
    "Provider": "ProviderName",
    "Publisher": "PublisherName",
    "InvoiceIssuer": "InvoiceIssuerName",
    "ResourceID": "ResourceId",
    # Not a 1.0 column, yet the validator's SkuPriceId_Nullable rule reads it (1.0-preview name).
    "ChargeType": "ChargeCategory",
}
ACTUAL_EXTRA = (
    "x_TokenType",
    "x_Model",
    "x_Workload",
    "x_Project",
    "x_Source",
    "x_Platform",
    "x_Requests",
    "x_RatePerMTok",
    "x_Multiplier",
    "x_LongContext",
    "x_ServiceTier",
    "x_Speed",
    "x_InferenceGeo",
    "x_CacheSplitUnknown",
    "x_PriceEffectiveFrom",
)
PROJECTION_EXTRA = (
    "x_Scenario",
    "x_Workload",
    "x_TargetModel",
    "x_CurrentCost",
    "x_Savings",
    "x_MovedRequests",
    "x_WindowDays",
)


@dataclass
class FocusData:
    """One FOCUS dataset: its columns in order and its rows (Decimals for money)."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    unpriced: dict[str, int]


def _utc(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _month(day: dt.date) -> tuple[str, str]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return _utc(start), _utc(end)


def _tags(**values: Any) -> str:
    return json.dumps(
        {k: v for k, v in values.items() if v not in (None, "")},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _common(platform: str, day_start: dt.date, day_end: dt.date) -> dict[str, Any]:
    """The columns that depend only on the platform and the charge period."""
    provider, service = PROVIDERS.get(platform, (platform, platform))
    bill_start, bill_end = _month(day_start)
    return {
        "BillingAccountId": platform,
        "BillingCurrency": CURRENCY,
        "PricingCurrency": CURRENCY,
        "BillingPeriodStart": bill_start,
        "BillingPeriodEnd": bill_end,
        "ChargePeriodStart": _utc(day_start),
        "ChargePeriodEnd": _utc(day_end),
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "PricingCategory": "Standard",
        "ProviderName": provider,
        "PublisherName": PUBLISHER,
        "InvoiceIssuerName": provider,
        "ServiceCategory": "AI and Machine Learning",
        "ServiceSubcategory": "Generative AI",
        "ServiceName": service,
    }


def _tier(r: dict[str, Any]) -> list[str]:
    """The SKU price's billing terms, in words (empty for a standard request)."""
    parts = []
    if r["long_context"]:
        parts.append("long-context")
    if r["service_tier"] == "batch":
        parts.append("batch")
    if r["speed"] == "fast":
        parts.append("fast")
    if r["inference_geo"] == "us":
        parts.append("us-geo")
    if r["endpoint_scope"] == "regional":
        parts.append("regional")
    return parts


def _actual_row(r: dict[str, Any]) -> dict[str, Any]:
    day: dt.date = r["day"]
    token = r["token_type"]
    model = r["model_id"]
    tier = _tier(r)
    sku = f"{model}/{token}"
    price_id = "/".join([sku, *tier, str(r["price_effective_from"])])
    cost: Decimal = r["cost_usd"]
    unit: Decimal = r["unit_price"]
    quantity = Decimal(int(r["quantity"]))  # a FOCUS Decimal column
    kind = "Requests" if token == "web_search" else "Tokens"
    details = {"TokenType": token, "Tier": tier or ["standard"], "Multiplier": str(r["multiplier"])}
    return {
        **_common(r["platform"], day, day + dt.timedelta(days=1)),
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ContractedCost": cost,
        "PricingCurrencyEffectiveCost": cost,
        "ListUnitPrice": unit,
        "ContractedUnitPrice": unit,
        "PricingCurrencyListUnitPrice": unit,
        "PricingCurrencyContractedUnitPrice": unit,
        "ConsumedQuantity": quantity,
        "ConsumedUnit": kind,
        "PricingQuantity": quantity,
        "PricingUnit": kind,
        "ChargeDescription": f"{model} {METER[token].lower()}"
        + (f" ({', '.join(tier)})" if tier else ""),
        "SkuId": sku,
        "SkuMeter": METER[token],
        "SkuPriceId": price_id,
        "SkuPriceDetails": json.dumps(details, sort_keys=True, separators=(",", ":")),
        "Tags": _tags(workload=r["workload"], project=r["project"], source=r["source"]),
        "x_TokenType": token,
        "x_Model": model,
        "x_Workload": r["workload"],
        "x_Project": r["project"],
        "x_Source": r["source"],
        "x_Platform": r["platform"],
        "x_Requests": int(r["requests"]),
        "x_RatePerMTok": r["rate_per_mtok"],
        "x_Multiplier": r["multiplier"],
        "x_LongContext": bool(r["long_context"]),
        "x_ServiceTier": r["service_tier"],
        "x_Speed": r["speed"],
        "x_InferenceGeo": r["inference_geo"],
        "x_CacheSplitUnknown": bool(r["cache_split_unknown"]),
        "x_PriceEffectiveFrom": r["price_effective_from"],
    }


def _with_copies(row: dict[str, Any]) -> dict[str, Any]:
    for old, new in VALIDATOR_COPIES.items():
        row[old] = row.get(new)
    return row


def columns(extra: tuple[str, ...]) -> tuple[str, ...]:
    return (*FOCUS_COLUMNS, *VALIDATOR_COPIES, *extra)


def actual_cost(conn: duckdb.DuckDBPyConnection) -> FocusData:
    """Actual cost: one row per UTC day x model x workload x project x source x SKU price x
    token type (see sql/focus_cost.sql), with the unpriced requests left out, by model."""
    use = rollup.usable(conn, "UTC")
    found = records(conn, "focus_cost", rollup=use)
    unpriced = {str(m): int(n) for m, n in _pairs(records(conn, "focus_unpriced", rollup=use))}
    rows = [_with_copies(_actual_row(r)) for r in found]
    return FocusData(columns(ACTUAL_EXTRA), rows, unpriced)


def _pairs(found: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [(r["model_id"], r["requests"]) for r in found]


def projected_cost(conn: duckdb.DuckDBPyConnection, scenario: Any) -> FocusData:
    """The scenario's projected cost: one row per workload x target model over the data's
    window of UTC days (the projection models shares and escalation per workload, not per
    token type), BilledCost = projected cost; the current cost and savings beside it."""
    from switchcost.queries.filters import Filters
    from switchcost.queries.projection import project

    result = project(conn, scenario, Filters(tz="UTC"))
    first = result.assumptions["window_first_day"]
    last = result.assumptions["window_last_day"]
    rows: list[dict[str, Any]] = []
    if first is None or last is None:
        return FocusData(columns(PROJECTION_EXTRA), rows, {})
    for r in result.rows.iter_rows(named=True):
        cost = Decimal(r["projected_cost_usd"])
        workload = r["workload"]
        row = {
            **_common("anthropic", first, last + dt.timedelta(days=1)),
            "BillingPeriodStart": _utc(first),
            "BillingPeriodEnd": _utc(last + dt.timedelta(days=1)),
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": cost,
            "ContractedCost": cost,
            "PricingCurrencyEffectiveCost": cost,
            "ConsumedQuantity": Decimal(int(r["requests"])),
            "ConsumedUnit": "Requests",
            "PricingQuantity": Decimal(int(r["requests"])),
            "PricingUnit": "Requests",
            "ChargeDescription": f"projected: workload {workload} with scenario "
            f"{scenario.name} on {r['target']}",
            "SkuId": f"projection/{r['target']}",
            "SkuPriceId": f"projection/{r['target']}/{scenario.name}",
            "Tags": _tags(workload=workload, scenario=scenario.name, target=r["target"]),
            "x_Scenario": scenario.name,
            "x_Workload": workload,
            "x_TargetModel": r["target"],
            "x_CurrentCost": Decimal(r["current_cost_usd"]),
            "x_Savings": Decimal(r["savings_usd"]),
            "x_MovedRequests": int(r["moved_requests"]),
            "x_WindowDays": (last - first).days + 1,
        }
        rows.append(_with_copies(row))
    return FocusData(columns(PROJECTION_EXTRA), rows, {})


def metadata(datasets: dict[str, str]) -> dict[str, Any]:
    """FOCUS metadata for the files written: version, generator, currency, grain."""
    return {
        "FocusVersion": FOCUS_VERSION,
        "DataGenerator": "switchcost",
        "Currency": CURRENCY,
        "Datasets": datasets,
        "ValidatorCompatibilityColumns": VALIDATOR_COPIES,
    }
