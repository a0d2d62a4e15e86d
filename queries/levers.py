"""The other cost levers beside a switch: the cost of the switch itself, the Batch API, and
prompt caching - each a what-if beside the projection, with its assumption stated.

* Switch cost (levers_rebuild.sql): prompt caches are per model, so on the first requests after
  a move the target writes every cached prefix again.  The prefixes cached at any moment are
  estimated per TTL window (5 minutes, or 1 hour where 1-hour writes dominate) as the sum over
  sessions of each session's largest cached prefix; the mean over the windows with cached
  traffic is rebuilt once, at the target's cache-write rate instead of its cache-read rate (the
  projection already counts those tokens at the read rate).  Payback = that one-off cost over
  the monthly savings, in days.
* Batch (levers_batch.sql): for workloads marked batchable (`--batchable W`, a scenario's
  `batchable` list) or whose logs already hold batch requests, every request priced at the
  Batch API's multiplier (half price), on the current model and on the target.
* Caching (levers_caching.sql): requests with no cache reads or writes whose prompt is at least
  the model's minimum cacheable length, two or more per workload and model; see the SQL for
  what the estimate assumes.

Money is Decimal throughout (DuckDB DECIMAL in, Decimal arithmetic, 12 places out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from switchcost.queries.run_rate import DAYS_PER_MONTH
from switchcost.queries.run_sql import records

if TYPE_CHECKING:
    import duckdb
    import polars as pl

    from switchcost.queries.filters import Filters
    from switchcost.queries.projection import Scenario
    from switchcost.queries.task_class import Defaults

ZERO = Decimal(0)
MTOK = Decimal(1_000_000)
PLACES = Decimal("1e-12")
RECENT_DAYS = 7  # the switch cost reads the window's last week: what is cached when you move
LEVER_COLUMNS = (
    "switch_cost_usd",
    "payback_days",
    "batchable",
    "batch_current_usd",
    "batch_target_usd",
    "caching_requests",
    "caching_savings_usd",
)
ASSUMPTIONS = {
    "switch_cost": (
        "prompt caches are per model: after a move the target writes every cached prefix once. "
        "Cached prefixes at a moment = per TTL window (5 min, or 1 h where 1-hour writes "
        "dominate) the sum over sessions of each session's largest cached prefix, averaged over "
        "the windows with cached traffic in the window's last 7 days; billed once at the "
        "target's cache-write rate instead of its cache-read rate (latest price row, standard "
        "tier). payback_days = switch cost / monthly savings x 30.4375"
    ),
    "batch": (
        "for workloads marked batchable or whose logs hold batch requests: every request at the "
        "Batch API's multiplier (0.5), at standard speed, web searches unchanged; on the target, "
        "the projected token cost with the same share of it already batched as now"
    ),
    "caching": (
        "requests with no cache reads or writes and a prompt of at least the model's minimum "
        "cacheable length, 2+ per workload and model, on the current model: assumed to share a "
        "prefix as long as their smallest prompt, cached 5 min and refreshed on use; a request "
        "within 5 min of the previous one reads it, any other writes it"
    ),
}


@dataclass(frozen=True)
class TargetRates:
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal
    batch_multiplier: Decimal


@dataclass(frozen=True)
class Rebuild:
    tokens: Decimal  # mean cached prefix volume per window, target tokens
    usd: Decimal
    ttl_seconds: int
    windows: int


@dataclass(frozen=True)
class Batch:
    requests: int
    batch_requests: int
    cost_usd: Decimal
    web_usd: Decimal
    unbatched_token_usd: Decimal
    batch_usd: Decimal
    basis: str  # "marked" | "batch traffic in the logs"


@dataclass(frozen=True)
class Caching:
    requests: int
    reads: int
    writes: int
    savings_usd: Decimal


@dataclass(frozen=True)
class Levers:
    rebuild: dict[tuple[str, str], Rebuild]
    batch: dict[str, Batch]
    caching: dict[str, Caching]
    rates: dict[str, TargetRates]


def _d(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value)


def rebuild_cost(
    cached_tokens: int,
    windows: int,
    write_5m_tokens: int,
    write_1h_tokens: int,
    ttl_seconds: int,
    rates: TargetRates,
) -> Rebuild:
    """Mean cached tokens per window x (blended cache-write rate - cache-read rate) / 1e6.

    The write rate is the 5-minute and 1-hour rates weighted by the workload's own writes (the
    TTL's rate when it wrote nothing in the window)."""
    with localcontext() as ctx:
        ctx.prec = 60
        if not windows:
            return Rebuild(ZERO, ZERO, ttl_seconds, 0)
        writes = write_5m_tokens + write_1h_tokens
        if writes:
            write_rate = (
                write_5m_tokens * rates.cache_write_5m + write_1h_tokens * rates.cache_write_1h
            ) / writes
        else:
            write_rate = rates.cache_write_1h if ttl_seconds == 3600 else rates.cache_write_5m
        tokens = Decimal(cached_tokens) / windows
        usd = tokens * (write_rate - rates.cache_read) / MTOK
        return Rebuild(tokens.quantize(Decimal("0.01")), usd.quantize(PLACES), ttl_seconds, windows)


def payback_days(switch_cost: Decimal | None, monthly_savings: Any) -> Decimal | None:
    """Days of savings that pay for the switch; None when the move saves nothing."""
    if switch_cost is None or monthly_savings is None or Decimal(monthly_savings) <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return (switch_cost / Decimal(monthly_savings) * DAYS_PER_MONTH).quantize(Decimal("0.1"))


def batch_on_target(projected: Any, batch: Batch, batch_multiplier: Decimal) -> Decimal | None:
    """The projected cost sent through the Batch API: web searches (a flat price, the same on
    every model) unchanged, and of the token cost the share not batched now at the target's
    batch multiplier."""
    if projected is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        tokens_now = batch.cost_usd - batch.web_usd
        share = batch.unbatched_token_usd / tokens_now if tokens_now else ZERO
        tokens = Decimal(projected) - batch.web_usd
        return (batch.web_usd + tokens * (1 - share * (1 - batch_multiplier))).quantize(PLACES)


def compute(
    conn: duckdb.DuckDBPyConnection,
    scenario: Scenario,
    filters: Filters,
    classes: pl.DataFrame,
    workloads: list[str],
    targets: tuple[str, ...],
    batchable: tuple[str, ...] = (),
) -> Levers:
    """Every lever for the workloads of a projection (targets as resolved by it)."""
    from switchcost.queries import projection

    move_all, move_sub = projection.selection(scenario, classes, workloads)
    marked = tuple(batchable) + tuple(scenario.batchable)
    return compute_moves(
        conn, filters, targets, move_all, move_sub, scenario.tokenizer_factor, marked
    )


def compute_moves(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    targets: tuple[str, ...],
    move_all: Sequence[str],
    move_sub: Sequence[str],
    tokenizer_factor: Decimal | None = None,
    batchable: Sequence[str] = (),
) -> Levers:
    """The levers when the moves are known: workloads moved whole, and those whose sub-agent
    calls move (queries.projection.moves gives both)."""
    from switchcost.queries.reports import query_params

    params = filters.params()
    recent_from = _recent_from(conn, filters)
    rates = {
        r["target"]: TargetRates(
            _d(r["cache_write_5m"]),
            _d(r["cache_write_1h"]),
            _d(r["cache_read"]),
            _d(r["batch_multiplier"]),
        )
        for r in records(conn, "levers_target_rates", targets=list(targets))
    }
    rebuild = {
        (r["workload"], r["target"]): rebuild_cost(
            int(r["cached_tokens"]),
            int(r["windows"]),
            int(r["write_5m_tokens"]),
            int(r["write_1h_tokens"]),
            int(r["ttl_seconds"]),
            rates[r["target"]],
        )
        for r in records(
            conn,
            "levers_rebuild",
            targets=list(targets),
            tokenizer_factor=tokenizer_factor,
            move_all=list(move_all),
            move_sub=list(move_sub),
            recent_from=recent_from,
            **params,
        )
        if r["target"] in rates and recent_from is not None
    }
    marked = set(batchable)
    batch = {}
    for r in records(conn, "levers_batch", **query_params(conn, filters)):
        basis = "marked" if r["workload"] in marked else None
        if basis is None and r["batch_requests"]:
            basis = "batch traffic in the logs"
        if basis is not None:
            batch[r["workload"]] = Batch(
                int(r["requests"]),
                int(r["batch_requests"]),
                _d(r["cost_usd"]),
                _d(r["web_usd"]),
                _d(r["unbatched_token_usd"]),
                _d(r["batch_usd"]),
                basis,
            )
    caching: dict[str, Caching] = {}
    for r in records(conn, "levers_caching", **params):
        was = caching.get(r["workload"], Caching(0, 0, 0, ZERO))
        caching[r["workload"]] = Caching(
            was.requests + int(r["requests"]),
            was.reads + int(r["reads"]),
            was.writes + int(r["writes"]),
            was.savings_usd + _d(r["savings_usd"]),
        )
    return Levers(rebuild, batch, caching, rates)


def columns(row: dict[str, Any], levers: Levers) -> dict[str, Any]:
    """The lever columns of one projection row (a workload x target)."""
    workload, target = str(row.get("workload")), str(row.get("target"))
    moved = bool(row.get("moved_requests"))
    rebuild = levers.rebuild.get((workload, target)) if moved else None
    switch_cost = rebuild.usd if rebuild is not None else (ZERO if moved else None)
    batch = levers.batch.get(workload)
    rates = levers.rates.get(target)
    caching = levers.caching.get(workload)
    return {
        "switch_cost_usd": switch_cost,
        "payback_days": payback_days(switch_cost, row.get("monthly_savings_usd")),
        "batchable": batch.basis if batch is not None else None,
        "batch_current_usd": batch.batch_usd.quantize(PLACES) if batch is not None else None,
        "batch_target_usd": (
            batch_on_target(row.get("projected_cost_usd"), batch, rates.batch_multiplier)
            if batch is not None and rates is not None
            else None
        ),
        "caching_requests": caching.requests if caching is not None else None,
        "caching_savings_usd": caching.savings_usd.quantize(PLACES) if caching else None,
    }


def total_columns(row: dict[str, Any], levers: Levers) -> dict[str, Any]:
    """The lever columns of a target's total row: switch cost and caching savings summed."""
    target = row.get("target")
    switch = sum((r.usd for (_, t), r in levers.rebuild.items() if t == target), ZERO)
    return {
        "switch_cost_usd": switch.quantize(PLACES),
        "payback_days": payback_days(switch, row.get("monthly_savings_usd")),
        "caching_savings_usd": sum((c.savings_usd for c in levers.caching.values()), ZERO).quantize(
            PLACES
        ),
    }


def with_levers(rows: list[dict[str, Any]], levers: Levers) -> list[dict[str, Any]]:
    return [{**row, **columns(row, levers)} for row in rows]


def _recent_from(conn: duckdb.DuckDBPyConnection, filters: Filters) -> dt.datetime | None:
    """RECENT_DAYS before the window's last request (None: no request at all)."""
    before = None
    if filters.until is not None:
        from zoneinfo import ZoneInfo

        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time())
        before = end.replace(tzinfo=ZoneInfo(filters.tz)).astimezone(dt.UTC)
    last = records(conn, "levers_last_request", before=before)[0]["last_ts"]
    return None if last is None else last - dt.timedelta(days=RECENT_DAYS)


def for_projection(
    conn: duckdb.DuckDBPyConnection,
    scenario: Scenario,
    filters: Filters,
    result: Any,
    batchable: tuple[str, ...] = (),
    defaults: Defaults | None = None,
) -> Levers:
    """`compute` for the workloads and targets of a projection result (queries.projection's
    `Projection`, or the measured one, which carries no task classes: they are read again)."""
    rows = result.rows if isinstance(result.rows, list) else result.rows.to_dicts()
    workloads = sorted({str(r["workload"]) for r in rows})
    targets = tuple(dict.fromkeys(str(r["target"]) for r in rows))
    classes = getattr(result, "classes", None)
    if classes is None or (classes.is_empty() and scenario.rule() == "recommended"):
        from switchcost.queries.task_class import load_defaults, task_classes

        classes = task_classes(conn, filters, defaults or load_defaults())
    return compute(conn, scenario, filters, classes, workloads, targets, batchable)


def add_to_payload(payload: dict[str, Any], levers: Levers) -> dict[str, Any]:
    """A `project` payload ({rows, totals, assumptions}) with the lever columns on every row and
    total, and their assumptions under assumptions["levers"]."""
    totals = dict(payload["totals"])
    by_target = {t: {**row, **total_columns(row, levers)} for t, row in totals["by_target"].items()}
    if "target" in totals:
        totals.update(total_columns(totals, levers))
    totals["by_target"] = by_target
    return {
        **payload,
        "rows": with_levers(payload["rows"], levers),
        "totals": totals,
        "assumptions": {**payload["assumptions"], "levers": ASSUMPTIONS},
    }
