"""Fetch the organization's usage and cost reports through the anthropic SDK (no database here).

The Usage & Cost Analytics API (`client.beta.organization.analytics.usage/.cost`, beta
`analytics-usage-cost-2026-08-24`) allows at most 5 `group_by` dimensions per report, so each
report is fetched under two groupings that together cover model, workspace, API key, service
tier, context window, speed and inference region; each grouping alone is a complete partition
of the traffic (reports read one grouping at a time, never a sum across them).  Organizations
where the analytics API is unavailable (404, or HIPAA readiness: 400) fall back to the legacy
Admin reports (`/v1/organizations/usage_report/messages`, `/v1/organizations/cost_report`),
which the SDK has no method for, through `client.get`.  Ranges are cut into windows of at most
31 days (both APIs' limit); every page is read.  429 and 5xx responses are retried by the SDK
with exponential backoff (`max_retries`).  The admin key is passed to the SDK only: it is never
stored, logged, or put into a message.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import anthropic

from switchcost.ingest.buckets import BadBucket, cents_to_usd, cost_record, usage_record
from switchcost.ingest.errors import UserError
from switchcost.ingest.load_buckets import FetchedReport
from switchcost.ingest.redact import scrub

ADMIN_KEY_ENV = "ANTHROPIC_ADMIN_KEY"
WINDOW_DAYS = 31
ANALYTICS_EARLIEST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PAGE_LIMIT = 1000
LEGACY_DAY_LIMIT = 31
MAX_RETRIES = 4


@dataclass(frozen=True)
class Report:
    """One report to fetch: which endpoint, and which group_by set."""

    kind: str  # usage | cost
    source: str  # usage-api | cost-api | usage-report | cost-report
    grouping: tuple[str, ...]

    @property
    def grouping_name(self) -> str:
        return ",".join(self.grouping)


ANALYTICS_REPORTS = (
    Report(
        "usage",
        "usage-api",
        ("model", "workspace_id", "api_key_id", "service_tier", "context_window"),
    ),
    Report(
        "usage", "usage-api", ("model", "service_tier", "context_window", "speed", "inference_geo")
    ),
    Report(
        "cost", "cost-api", ("model", "workspace_id", "api_key_id", "service_tier", "cost_type")
    ),
    Report("cost", "cost-api", ("model", "context_window", "speed", "inference_geo", "token_type")),
)
LEGACY_REPORTS = (
    Report(
        "usage",
        "usage-report",
        ("model", "workspace_id", "api_key_id", "service_tier", "context_window", "inference_geo"),
    ),
    Report("cost", "cost-report", ("workspace_id", "description")),
)


class FetchError(UserError):
    """A failure the user can act on, as one line (never containing the key): the admin key in
    use is masked wherever it appears, as is anything else key-shaped (`ingest.redact`)."""

    def __init__(self, message: str) -> None:
        key = os.environ.get(ADMIN_KEY_ENV)
        super().__init__(scrub(message, (key, key.strip() if key else None)))


class AnalyticsUnavailable(Exception):
    """The organization has no analytics API (404, or a HIPAA-readiness 400)."""


def make_client(api_key: str, base_url: str | None = None) -> anthropic.Anthropic:
    """An SDK client for the admin key; retries 429/5xx with backoff."""
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=MAX_RETRIES)


def windows(start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut into pieces of at most WINDOW_DAYS days."""
    here = start
    while here < end:
        stop = min(end, here + dt.timedelta(days=WINDOW_DAYS))
        yield here, stop
        here = stop


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not isinstance(value, str):
        raise BadBucket(f"bucket time {value!r} is not text")
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _explain(err: anthropic.APIError) -> FetchError:
    """One clear line for an API failure."""
    if isinstance(err, anthropic.AuthenticationError):
        return FetchError(
            f"the key in {ADMIN_KEY_ENV} was refused (401): use an Admin API key (sk-ant-admin…)"
            " or a key with the read:analytics scope"
        )
    if isinstance(err, anthropic.PermissionDeniedError):
        return FetchError(
            f"the key in {ADMIN_KEY_ENV} may not read usage and cost reports (403): it needs"
            " the read:analytics scope, or use an Admin API key"
        )
    if isinstance(err, anthropic.APIConnectionError):
        return FetchError(f"could not reach the Anthropic API: {type(err).__name__}")
    if isinstance(err, anthropic.APIStatusError):
        return FetchError(f"the Anthropic API answered {err.status_code}: {_detail(err)}")
    return FetchError(f"the Anthropic API call failed: {type(err).__name__}")


def _detail(err: anthropic.APIStatusError) -> str:
    """The error type and message of an Anthropic error body; any other body (a proxy's page,
    which may echo the request headers and so the key) is not shown at all."""
    body = err.body
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("message"), str):
        kind = inner.get("type")
        message = inner["message"].splitlines()[0] if inner["message"] else ""
        return f"{kind}: {message}" if isinstance(kind, str) else message
    return "the response is not an Anthropic API error (body not shown: it may echo headers)"


def _unavailable(err: anthropic.APIStatusError) -> bool:
    return isinstance(err, anthropic.NotFoundError) or (
        isinstance(err, anthropic.BadRequestError) and "hipaa" in str(err.message).lower()
    )


# ---------------------------------------------------------------------------------------------
# Analytics API (SDK resources)
# ---------------------------------------------------------------------------------------------


def _analytics_pages(
    client: anthropic.Anthropic, rep: Report, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[list[dict[str, Any]], dt.datetime | None]]:
    resource = client.beta.organization.analytics
    lister: Any = resource.usage.list if rep.kind == "usage" else resource.cost.list
    first = lister(
        starting_at=start,
        ending_at=end,
        time_bucket_width="1d",
        group_by=list(rep.grouping),
        limit=PAGE_LIMIT,
    )
    for page in first.iter_pages():
        items = [item.to_dict(mode="json") for item in page.data]
        yield items, page.data_refreshed_at


def _analytics_rows(
    rep: Report, items: list[dict[str, Any]], refreshed: dt.datetime | None, now: dt.datetime
) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        start, end = _when(item["starting_at"]), _when(item["ending_at"])
        group = {k: v for k, v in (item.get("group") or {}).items() if k in rep.grouping}
        if rep.kind == "usage":
            rows.append(
                usage_record(
                    rep.source,
                    rep.grouping_name,
                    "api",
                    start,
                    end,
                    group,
                    item.get("usage") or {},
                    refreshed,
                    now,
                )
            )
        else:
            cost = item.get("cost") or {}
            listed = cost.get("list_amount")
            rows.append(
                cost_record(
                    rep.source,
                    rep.grouping_name,
                    "api",
                    start,
                    end,
                    group,
                    cents_to_usd(cost.get("amount")),
                    cents_to_usd(listed) if listed is not None else None,
                    str(cost.get("currency") or "USD"),
                    cost.get("requests"),
                    refreshed,
                    now,
                )
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Legacy Admin reports (no SDK method: client.get on their paths)
# ---------------------------------------------------------------------------------------------

_LEGACY_PATHS = {
    "usage": "/v1/organizations/usage_report/messages",
    "cost": "/v1/organizations/cost_report",
}


def _legacy_pages(
    client: anthropic.Anthropic, rep: Report, start: dt.datetime, end: dt.datetime
) -> Iterator[list[dict[str, Any]]]:
    params: dict[str, Any] = {
        "starting_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ending_at": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "bucket_width": "1d",
        "group_by": list(rep.grouping),
        "limit": LEGACY_DAY_LIMIT,
    }
    while True:
        body = client.get(_LEGACY_PATHS[rep.kind], cast_to=object, options={"params": params})
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise FetchError(f"{_LEGACY_PATHS[rep.kind]} answered something that is not a report")
        yield body["data"]
        nxt = body.get("next_page")
        if not body.get("has_more") or not nxt:
            return
        params = {**params, "page": nxt}


def _legacy_rows(
    rep: Report, buckets: list[dict[str, Any]], now: dt.datetime
) -> list[dict[str, Any]]:
    rows = []
    for bucket in buckets:
        start, end = _when(bucket["starting_at"]), _when(bucket["ending_at"])
        for result in bucket.get("results") or []:
            if rep.kind == "usage":
                group = {
                    k: v
                    for k, v in result.items()
                    if k
                    not in (
                        "uncached_input_tokens",
                        "cache_creation",
                        "cache_read_input_tokens",
                        "output_tokens",
                        "server_tool_use",
                    )
                }
                rows.append(
                    usage_record(
                        rep.source, rep.grouping_name, "api", start, end, group, result, None, now
                    )
                )
            else:
                group = {k: v for k, v in result.items() if k not in ("amount", "currency")}
                rows.append(
                    cost_record(
                        rep.source,
                        rep.grouping_name,
                        "api",
                        start,
                        end,
                        group,
                        cents_to_usd(result.get("amount")),
                        None,
                        str(result.get("currency") or "USD"),
                        None,
                        None,
                        now,
                    )
                )
    return rows


# ---------------------------------------------------------------------------------------------


def fetch_report(
    client: anthropic.Anthropic, rep: Report, start: dt.datetime, end: dt.datetime
) -> FetchedReport:
    """Every page of one report over [start, end), as bucket rows."""
    now = dt.datetime.now(dt.UTC)
    out = FetchedReport(rep.kind, rep.source, rep.grouping_name, start, end, fetched_at=now)
    legacy = rep.source.endswith("-report")
    try:
        for lo, hi in windows(start, end):
            if legacy:
                for buckets in _legacy_pages(client, rep, lo, hi):
                    out.rows.extend(_legacy_rows(rep, buckets, now))
            else:
                for items, refreshed in _analytics_pages(client, rep, lo, hi):
                    if refreshed is not None:
                        refreshed = _when(refreshed)
                        old = out.data_refreshed_at
                        out.data_refreshed_at = refreshed if old is None else min(old, refreshed)
                    out.rows.extend(_analytics_rows(rep, items, out.data_refreshed_at, now))
    except anthropic.APIStatusError as err:
        if not legacy and _unavailable(err):
            raise AnalyticsUnavailable(str(err.status_code)) from None
        raise _explain(err) from None
    except anthropic.APIError as err:
        raise _explain(err) from None
    except (BadBucket, KeyError, ValueError) as err:
        raise FetchError(f"{rep.source} sent a row this tool cannot read: {err}") from None
    return out


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def total_usd(rows: list[dict[str, Any]]) -> Decimal:
    """Sum of `amount_usd` over cost rows (exact)."""
    return sum((Decimal(r["amount_usd"]) for r in rows), Decimal(0))
