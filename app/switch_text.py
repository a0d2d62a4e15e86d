"""The words around the Switch and Latency pages: the one-sentence answer, the scenario's name,
the assumptions as a table.  Pure functions of a projection (no Streamlit, no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from switchcost.app import project_names
from switchcost.app.safe_text import md, md_join

if TYPE_CHECKING:
    from switchcost.app.data import ScenarioSpec, SwitchData


def _dollars(value: Any) -> str:
    from switchcost.app.ui import dollars

    return dollars(value)


def _seconds(ms: Any) -> str:
    return f"{float(ms) / 1000:,.1f} s"


def _listing(names: list[str], shown: int = 3) -> str:
    if len(names) <= shown:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def headline(result: SwitchData, spec: ScenarioSpec) -> str:
    """The Switch page's answer in one sentence (Markdown, names escaped): which workloads
    move, dollars per month saved, the percentage, and the change in median latency."""
    target = spec.targets[0]
    moved = result.rows.filter((pl.col("target") == target) & (pl.col("moved_requests") > 0))
    moved = moved.sort("savings_usd", descending=True)
    t = result.totals.get("by_target", {}).get(target, result.totals)
    if moved.is_empty():
        return f"With these choices no request moves to {md(target)}: nothing changes."
    names = [md(project_names.name(w)) for w in moved["workload"].to_list()]
    monthly = t.get("monthly_savings_usd")
    saving = (
        f"saves **{_dollars(monthly)} a month**"
        if monthly is not None
        else f"saves **{_dollars(t['savings_usd'])}** over the window"
    )
    pct = t.get("savings_pct")
    share = "" if pct is None else f" ({Decimal(pct):.1f}% of this selection's spend)"
    now, then = t.get("current_p50_ms"), t.get("projected_p50_ms")
    if now is None:
        speed = "; these logs carry no timing, so the latency change is unknown"
    elif then is None:
        speed = f"; median latency is {_seconds(now)} today and cannot be projected from these logs"
    else:
        change = (float(then) - float(now)) / float(now) * 100
        speed = (
            f", and median latency goes from {_seconds(now)} to {_seconds(then)} ({change:+.0f}%)"
        )
    return f"Moving **{_listing(names)}** to {md(target)} {saving}{share}{speed}."


def assumptions_table(assumptions: dict[str, Any]) -> pl.DataFrame:
    """The projection's assumptions as (assumption, value) text rows; nothing reads `None`."""

    def text(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, dict):
            return "; ".join(f"{k}: {text(v)}" for k, v in value.items()) or "—"
        if isinstance(value, list | tuple):
            return ", ".join(text(v) for v in value) or "—"
        return str(value)

    rows = [
        {"assumption": k.replace("_", " ").capitalize(), "value": text(v)}
        for k, v in assumptions.items()
    ]
    return pl.DataFrame(rows, schema={"assumption": pl.String, "value": pl.String})


def scenario_label(spec: ScenarioSpec) -> str:
    """How the Latency page names the Switch page scenario it follows (Markdown, escaped)."""
    moves = {
        "recommended": "the recommended workloads",
        "subagents": "sub-agent calls only",
        "all": "everything",
    }.get(spec.name)
    if moves is None:
        moves = md_join(project_names.name(w) for w in spec.workloads or ()) or "all workloads"
    knobs = (
        f"{spec.share * 100:.0f}% of their traffic, escalation {spec.escalation * 100:.0f}%, "
        f"output ratio {spec.output_ratio}"
    )
    return f"Switch page scenario: {moves} to {md_join(spec.targets)} ({knobs})."
