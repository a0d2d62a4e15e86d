"""Every default and rule behind a projection's numbers, so a figure can be defended.

Built from the numbers the model used (never parsed back from display text): the dictionary is
`Projection.assumptions`, printed by `project --format json` and shown on the Switch page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from switchcost.queries.filters import Filters
from switchcost.queries.latency import TargetSpeed
from switchcost.queries.projection.scenario import Scenario
from switchcost.queries.run_rate import DAYS_PER_MONTH, RULE, Window
from switchcost.queries.task_class import Defaults

SCENARIO_RULES = {
    "all": "every eligible request moves",
    "recommended": "per task-class advice: classes with move=all move every request, "
    "move=subagents only sub-agent calls, move=none nothing",
    "subagents": "sub-agent calls move; orchestrator (main-thread) calls stay",
    "workloads": "every eligible request of the listed workloads moves",
}
CAPABILITIES = (
    "context_window",
    "max_output_tokens",
    "min_cacheable_tokens",
    "supports_inference_geo",
    "supports_fast_mode",
    "tokenizer",
)
FIXED = {
    "escalation_model": "expected cost = target cost + escalation x original cost",
    "tokenizer_conversion": "tokens x target family factor / source family factor, rounded "
    "to whole tokens; an override replaces the ratio between two different families",
    "cache_rule": "cached tokens (writes + reads) below the target's minimum cacheable "
    "length are priced as uncached input",
    "eligibility": "stays on its model if: source unpriced, prompt over the target's "
    "context window, inference_geo 'us' on a target without regional inference, output "
    "over the target's max output; requests already on the target are unchanged",
    "target_price_date": "the target's price in force on the request's date (its first "
    "price for earlier dates); batch stays batch; fast and us-geo multipliers only where "
    "the target supports them",
    "latency_method": "projected = the request's own time to first token + target output "
    "tokens / target output speed; latency percentiles assume every selected request moves",
    "latency_not_streamed": "a request that logged no time to first token (not streamed) "
    "takes the median time to first token of the streamed requests of the same model and "
    "workload in the selection, else the median of the target's streamed requests in the "
    "window; its source generation time is its latency minus that (at least 0) "
    "(queries/sql/project_latency.sql)",
}


def assumptions(
    catalog: dict[str, dict[str, Any]],
    scenario: Scenario,
    targets: tuple[str, ...],
    f: Filters,
    d: Defaults,
    window: Window,
    speeds: dict[str, TargetSpeed],
    ratios: dict[str, Decimal],
) -> dict[str, Any]:
    """The assumptions of one projection, keyed as `project --format json` prints them."""
    default_ratio = scenario.default_ratio()
    factors = {r["tokenizer"]: r["tokenizer_factor"] for r in catalog.values()}
    return {
        "scenario": scenario.name,
        "scenario_rule": SCENARIO_RULES[scenario.rule()],
        "workloads_moved": list(scenario.workloads) if scenario.workloads is not None else None,
        "targets": list(targets),
        "share_moved": scenario.share,
        "escalation_rate": scenario.escalation,
        "escalation_model": FIXED["escalation_model"],
        "output_ratio_default": default_ratio,
        "output_ratio_by_workload": {w: r for w, r in ratios.items() if r != default_ratio},
        "tokenizer_factor": scenario.tokenizer_factor
        if scenario.tokenizer_factor is not None
        else "from price file",
        "tokenizer_factors": factors,
        "tokenizer_conversion": FIXED["tokenizer_conversion"],
        "target_capabilities": {t: {k: catalog[t][k] for k in CAPABILITIES} for t in targets},
        "cache_rule": FIXED["cache_rule"],
        "eligibility": FIXED["eligibility"],
        "target_price_date": FIXED["target_price_date"],
        "window_first_day": window.first_day,
        "window_last_day": window.last_day,
        "window_days": window.days,
        "days_per_month": DAYS_PER_MONTH,
        "run_rate": RULE,
        "filters": {k: v for k, v in f.params().items() if v is not None},
        "latency_method": FIXED["latency_method"],
        "latency_not_streamed": FIXED["latency_not_streamed"],
        "latency_min_samples": d.min_latency_samples,
        "latency_speed_by_target": {t: f"{s.source}: {s.detail}" for t, s in speeds.items()},
        "task_class_rules": list(d.files),
    }
