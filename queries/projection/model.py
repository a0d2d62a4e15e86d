"""The projection's Decimal model: share, output ratio and escalation applied to the sums.

With `C` the current cost of the requests a scenario moves, `T` their cost on the target, `s`
the share moved and `e` the escalation rate (moved requests re-run on the original model):
projected = current - s*C + s*(T + e*C), savings = s*((1 - e)*C - T), break-even e = 1 - T/C.
Monthly figures follow queries/run_rate.py.  No database: the inputs are the per workload x
target x day sums `aggregate` makes of project_units.sql's rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from switchcost.queries.latency import TargetSpeed
from switchcost.queries.projection.latency_cells import LATENCY_SCHEMA, NO_LATENCY, latency_cells
from switchcost.queries.projection.scenario import ONE, ZERO, Scenario
from switchcost.queries.run_rate import Window

MONEY = pl.Decimal(38, 12)
PLACES = Decimal("1e-12")
ROW_SCHEMA: dict[str, Any] = {
    "workload": pl.String,
    "target": pl.String,
    "task_class": pl.String,
    "recommendation": pl.String,
    "requests": pl.Int64,
    "moved_requests": pl.Int64,
    "current_cost_usd": MONEY,
    "projected_cost_usd": MONEY,
    "savings_usd": MONEY,
    "savings_pct": MONEY,
    "monthly_current_usd": MONEY,
    "monthly_projected_usd": MONEY,
    "monthly_savings_usd": MONEY,
    "ineligible_requests": pl.Int64,
    "ineligible_reasons": pl.String,
    "already_on_target": pl.Int64,
    "unpriced_requests": pl.Int64,
    "break_even_escalation": MONEY,
    "moved_current_cost_usd": MONEY,
    "moved_target_cost_usd": MONEY,
}
#: Every column of `Projection.rows`, in order (the CLI's CSV and JSON keep it).
ROW_COLUMNS = (*ROW_SCHEMA, *LATENCY_SCHEMA)
COUNTS = (
    "requests",
    "moved_requests",
    "unpriced_requests",
    "already_on_target",
    "ineligible_requests",
)


def quantize(value: Any) -> Any:
    """Decimals to the 12 places the SQL keeps, so frames have one fixed scale."""
    return value.quantize(PLACES) if isinstance(value, Decimal) else value


def reasons_text(reasons: dict[str, int]) -> str:
    """Why requests stay on their model, as the `ineligible_reasons` cell shows it."""
    return "; ".join(f"{k} ({v})" for k, v in sorted(reasons.items()))


def _dsum(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole * 100 if whole else None


def break_even(moved_current: Decimal, moved_target: Decimal) -> Decimal | None:
    """The escalation rate at which moving saves nothing: 1 - T/C, at least 0 (T >= C never
    saves); None when nothing moves."""
    if not moved_current:
        return None
    return max(ZERO, ONE - moved_target / moved_current)


def aggregate(frame: pl.DataFrame) -> pl.DataFrame:
    """Sums per workload x target x local day (exact Decimal sums in Polars, few rows)."""
    n = pl.col("requests")
    selected = pl.col("selected")
    ineligible = selected & pl.col("ineligible_reason").is_not_null()
    return (
        frame.group_by("workload", "target", "local_day")
        .agg(
            requests=n.sum(),
            unpriced_requests=n.filter(~pl.col("priced")).sum(),
            current=pl.col("current_cost_usd").filter(pl.col("priced")).sum(),
            moved_requests=pl.col("movable_requests").filter(selected).sum(),
            moved_current=pl.col("movable_current_usd").filter(selected).sum(),
            moved_target_in=pl.col("movable_target_in_usd").filter(selected).sum(),
            moved_target_out=pl.col("movable_target_out_usd").filter(selected).sum(),
            already_on_target=n.filter(selected & pl.col("on_target")).sum(),
            ineligible_requests=n.filter(ineligible).sum(),
            ineligible_reasons=pl.struct("ineligible_reason", "requests").filter(ineligible),
        )
        .sort("target", "workload", "local_day")
    )


def data_span(groups: pl.DataFrame) -> tuple[dt.date | None, dt.date | None]:
    """The first and last local day with requests in the sums."""
    if groups.is_empty():
        return None, None
    days = groups["local_day"]
    return days.min(), days.max()  # type: ignore[return-value]


def ineligible_by(groups: pl.DataFrame) -> dict[tuple[str, str], dict[str, int]]:
    """Requests that stay on their model, per (workload, target) and reason."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for g in groups.iter_rows(named=True):
        mine = out.setdefault((g["workload"], g["target"]), {})
        for item in g["ineligible_reasons"]:
            reason = item["ineligible_reason"]
            mine[reason] = mine.get(reason, 0) + int(item["requests"])
    return out


def model(
    groups: pl.DataFrame,
    scenario: Scenario,
    ratios: dict[str, Decimal],
    classes: pl.DataFrame,
    window: Window,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply share, output ratio and escalation in Decimal; roll up to workload and to day."""
    s, e = scenario.share, scenario.escalation
    advice = {r["workload"]: r for r in classes.iter_rows(named=True)}
    per_wl: dict[tuple[str, str], dict[str, Any]] = {}
    per_day: dict[tuple[dt.date, str], list[Decimal]] = {}
    for g in groups.iter_rows(named=True):
        current = _dsum(g["current"])
        c_m = _dsum(g["moved_current"])
        t_m = _dsum(g["moved_target_in"]) + ratios[g["workload"]] * _dsum(g["moved_target_out"])
        projected = current + s * (t_m - c_m + e * c_m)
        acc = per_wl.setdefault(
            (g["workload"], g["target"]),
            {
                **dict.fromkeys(COUNTS, 0),
                **dict.fromkeys(("current", "projected", "c_m", "t_m"), ZERO),
            },
        )
        for k in COUNTS:
            acc[k] += int(g[k])
        acc["current"] += current
        acc["projected"] += projected
        acc["c_m"] += c_m
        acc["t_m"] += t_m
        day = per_day.setdefault((g["local_day"], g["target"]), [ZERO, ZERO])
        day[0] += current
        day[1] += projected
    reasons = ineligible_by(groups)
    rows = []
    for (workload, target), a in per_wl.items():
        info = advice.get(workload, {})
        savings = a["current"] - a["projected"]
        rows.append(
            {
                "workload": workload,
                "target": target,
                "task_class": info.get("task_class", "unknown"),
                "recommendation": info.get("recommendation", ""),
                "requests": a["requests"],
                "moved_requests": a["moved_requests"],
                "current_cost_usd": a["current"],
                "projected_cost_usd": a["projected"],
                "savings_usd": savings,
                "savings_pct": percent(savings, a["current"]),
                "monthly_current_usd": window.monthly(a["current"]),
                "monthly_projected_usd": window.monthly(a["projected"]),
                "monthly_savings_usd": window.monthly(savings),
                "ineligible_requests": a["ineligible_requests"],
                "ineligible_reasons": reasons_text(reasons.get((workload, target), {})),
                "already_on_target": a["already_on_target"],
                "unpriced_requests": a["unpriced_requests"],
                "break_even_escalation": break_even(a["c_m"], a["t_m"]),
                "moved_current_cost_usd": a["c_m"],
                "moved_target_cost_usd": a["t_m"],
            }
        )
    rows = [{k: quantize(v) for k, v in r.items()} for r in rows]
    rows.sort(key=lambda r: (r["target"], -r["savings_usd"], r["workload"]))
    day_rows = [
        {
            "day": day,
            "target": target,
            "current_cost_usd": quantize(v[0]),
            "projected_cost_usd": quantize(v[1]),
        }
        for (day, target), v in sorted(per_day.items())
    ]
    by_day = pl.DataFrame(
        day_rows,
        schema={
            "day": pl.Date,
            "target": pl.String,
            "current_cost_usd": MONEY,
            "projected_cost_usd": MONEY,
        },
    )
    return pl.DataFrame(rows, schema=ROW_SCHEMA), by_day


def totals(
    rows: pl.DataFrame,
    reasons: dict[tuple[str, str], dict[str, int]],
    latency: dict[tuple[str | None, str], dict[str, Any]],
    targets: tuple[str, ...],
    speeds: dict[str, TargetSpeed],
    window: Window,
) -> dict[str, Any]:
    """Sums of the rows per target (`reasons` as `ineligible_by` counts them); the top level
    repeats the first target's totals."""
    by_target: dict[str, dict[str, Any]] = {}
    for target in targets:
        mine = [r for r in rows.iter_rows(named=True) if r.get("target") == target]
        current = sum((Decimal(r["current_cost_usd"]) for r in mine), ZERO)
        projected = sum((Decimal(r["projected_cost_usd"]) for r in mine), ZERO)
        c_m = sum((Decimal(r["moved_current_cost_usd"]) for r in mine), ZERO)
        t_m = sum((Decimal(r["moved_target_cost_usd"]) for r in mine), ZERO)
        why: dict[str, int] = {}
        for (_workload, where), counts in reasons.items():
            if where == target:
                for reason, n in counts.items():
                    why[reason] = why.get(reason, 0) + n
        savings = current - projected
        cells = latency_cells(latency.get((None, target), NO_LATENCY))
        by_target[target] = {
            k: quantize(v)
            for k, v in {
                "workload": "TOTAL",
                "target": target,
                "requests": sum(int(r["requests"]) for r in mine),
                "moved_requests": sum(int(r["moved_requests"]) for r in mine),
                "current_cost_usd": current,
                "projected_cost_usd": projected,
                "savings_usd": savings,
                "savings_pct": percent(savings, current),
                "monthly_current_usd": window.monthly(current),
                "monthly_projected_usd": window.monthly(projected),
                "monthly_savings_usd": window.monthly(savings),
                "ineligible_requests": sum(int(r["ineligible_requests"]) for r in mine),
                "ineligible_reasons": reasons_text(why),
                "already_on_target": sum(int(r["already_on_target"]) for r in mine),
                "unpriced_requests": sum(int(r["unpriced_requests"]) for r in mine),
                "break_even_escalation": break_even(c_m, t_m),
                "moved_current_cost_usd": c_m,
                "moved_target_cost_usd": t_m,
                **cells,
                "latency_source": str(speeds[target].source),
            }.items()
        }
    first = by_target[targets[0]]
    return {**first, "by_target": by_target}
