"""What each workload would cost, and how fast it would be, on another model.

SQL prices every request on every target with all the rules of the price table
(macros/target_units.sql) and sums the result per workload x target x day x the keys the scenario
rules need (project_units.sql), over the rollup when it is exact (at a token ratio of 1; models
whose tokens convert at another ratio are read request by request); latency percentiles come
from one query over the timed requests (project_latency.sql).  This package is the modelling on
top, one module per job:

- `scenario`: the Scenario type, the built-in scenarios and scenario files, target resolution
  and which workloads a scenario's rule moves;
- `steps`: prepare_base / moves / prepare_latency / assemble / finish (the parts the dashboard
  caches) and `project`, which runs them all;
- `model`: the Decimal maths (share, output ratio, escalation, run-rates, totals);
- `latency_cells`: the current and projected latency columns and their source;
- `assumptions`: every default behind the numbers, built from them, so a number can be defended.

The monthly run-rate is queries/run_rate.py's, the same as the Overview's.  With `C` the current
cost of the requests a scenario moves, `T` their cost on the target, `s` the share moved and `e`
the escalation rate (moved requests re-run on the original model):
projected = current - s*C + s*(T + e*C), savings = s*((1 - e)*C - T), break-even e = 1 - T/C.
"""

from __future__ import annotations

from switchcost.queries.latency import latency_stats
from switchcost.queries.projection.model import ROW_COLUMNS, quantize, totals
from switchcost.queries.projection.scenario import (
    BUILTIN_SCENARIOS,
    DEFAULT_TARGET,
    Scenario,
    ScenarioError,
    builtin_scenario,
    load_scenario_file,
    selection,
)
from switchcost.queries.projection.steps import (
    Base,
    Moves,
    Prepared,
    Projection,
    assemble,
    finish,
    moves,
    prepare,
    prepare_base,
    prepare_latency,
    project,
    resolve_targets,
    units,
)
from switchcost.queries.run_rate import DAYS_PER_MONTH
from switchcost.queries.task_class import task_classes

__all__ = [
    "BUILTIN_SCENARIOS",
    "DAYS_PER_MONTH",
    "DEFAULT_TARGET",
    "ROW_COLUMNS",
    "Base",
    "Moves",
    "Prepared",
    "Projection",
    "Scenario",
    "ScenarioError",
    "assemble",
    "builtin_scenario",
    "finish",
    "latency_stats",
    "load_scenario_file",
    "moves",
    "prepare",
    "prepare_base",
    "prepare_latency",
    "project",
    "quantize",
    "resolve_targets",
    "selection",
    "task_classes",
    "totals",
    "units",
]
