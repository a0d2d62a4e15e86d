"""The Switch page's "Other levers" table: queries/levers.py over the page's own projection."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from switchcost.app import data, ui

if TYPE_CHECKING:
    from switchcost.app.data import ScenarioSpec, SwitchData
    from switchcost.queries.filters import Filters

# Lever column -> the name the page shows it under (app/ui.py turns names into labels).
SHOWN = {
    "workload": "workload",
    "target": "target",
    "switch_cost_usd": "switch_cost_usd",
    "payback_days": "payback_days",
    "batchable": "batch_because",
    "batch_current_usd": "batch_now_usd",
    "batch_target_usd": "batch_on_target_usd",
    "caching_requests": "caching_candidates",
    "caching_savings_usd": "caching_saves_usd",
}
# How the page labels them (app/ui.py's registry; every empty cell says why).
ui.LABELS.update(
    {
        "switch_cost_usd": ui.Col(
            "Switch cost",
            "money",
            "One-off: the target writes the workload's cached prefixes again (caches are per "
            "model). —: this workload does not move.",
        ),
        "payback_days": ui.Col(
            "Payback (days)",
            "speed",
            "Days of savings that pay for the switch cost. —: the move saves nothing, or the "
            "workload does not move.",
        ),
        "batch_because": ui.Col(
            "Batch because", help="—: not marked as able to wait, and no batch requests logged."
        ),
        "batch_now_usd": ui.Col(
            "Batch, current model",
            "money",
            "Every request at the Batch API's half price. —: not batchable.",
        ),
        "batch_on_target_usd": ui.Col(
            "Batch, on target",
            "money",
            "The projected cost at the Batch API's half price. —: not batchable.",
        ),
        "caching_candidates": ui.Col(
            "Caching candidates",
            "int",
            "Requests with a prompt of at least the model's minimum cacheable length and no "
            "cache use, 2+ per model. —: none.",
        ),
        "caching_saves_usd": ui.Col(
            "Caching saves",
            "money",
            "What caching their shared prefix would save (negative: it would cost more). —: no "
            "candidate requests.",
        ),
    }
)
WHY = {"marked": "marked here", "batch traffic in the logs": "batch requests in the logs"}
NAMES = {
    "switch_cost": "Cost of the switch",
    "batch": "Batch API",
    "caching": "Prompt caching",
}


def levers_table(
    filters: Filters, spec: ScenarioSpec, result: SwitchData, batchable: tuple[str, ...]
) -> pl.DataFrame:
    """One row per workload x target with any lever to show, in the page's projection."""
    from switchcost.queries import levers, projection

    base = replace(
        data.load("switch_base", filters, spec.targets), classes=data.load("classes", filters)
    )
    chosen = projection.moves(base, spec.build())
    found = data.load(
        "levers", filters, base.targets, chosen.move_all, chosen.move_sub, tuple(sorted(batchable))
    )
    rows = []
    for row in levers.with_levers(result.rows.to_dicts(), found):
        if all(row.get(c) is None for c in ("switch_cost_usd", "batchable", "caching_requests")):
            continue
        shown = {SHOWN[c]: row.get(c) for c in SHOWN}
        shown["batch_because"] = WHY.get(str(row.get("batchable")))
        rows.append(shown)
    if not rows:
        return pl.DataFrame()
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame if len(spec.targets) > 1 else frame.drop("target")


def assumptions() -> dict[str, str]:
    """Each lever's assumption, by its name on the page."""
    from switchcost.queries.levers import ASSUMPTIONS

    return {NAMES[k]: v for k, v in ASSUMPTIONS.items()}
