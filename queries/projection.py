"""What each workload would cost, and how fast it would be, on another model.

SQL prices every request on every target with all the rules of the price table
(macros/target_units.sql) and sums the result per workload x target x day x the keys the scenario
rules need (project_units.sql), over the rollup when it is exact (at a token ratio of 1; models
whose tokens convert at another ratio are read request by request); latency percentiles come
from one query over the timed requests (project_latency.sql).  This module is the modelling on
top: which requests a scenario moves, the share of traffic moved, the output ratio, escalation
back to the original model, run-rates and labels.  Every default it uses is returned in
`assumptions`, so a number can be defended with its inputs.

With `C` the current cost of the requests a scenario moves, `T` their cost on the target, `s`
the share moved and `e` the escalation rate (moved requests re-run on the original model):
projected = current - s*C + s*(T + e*C), savings = s*((1 - e)*C - T), break-even e = 1 - T/C.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from queries import rollup
from queries.latency import TargetSpeed, latency_stats, projected_percentiles, target_speeds
from queries.reports import Filters
from queries.run_sql import rows, run
from queries.task_class import Defaults, load_defaults, task_classes

__all__ = [
    "BUILTIN_SCENARIOS",
    "Projection",
    "Scenario",
    "builtin_scenario",
    "latency_stats",
    "load_scenario_file",
    "project",
    "task_classes",
]

BUILTIN_SCENARIOS = ("all", "recommended", "subagents")
DEFAULT_TARGET = "claude-haiku-4-5"
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
ZERO = Decimal(0)
ONE = Decimal(1)
ROW_COLUMNS = (
    "workload",
    "target",
    "task_class",
    "recommendation",
    "requests",
    "moved_requests",
    "current_cost_usd",
    "projected_cost_usd",
    "savings_usd",
    "savings_pct",
    "monthly_current_usd",
    "monthly_projected_usd",
    "monthly_savings_usd",
    "ineligible_requests",
    "ineligible_reasons",
    "already_on_target",
    "unpriced_requests",
    "break_even_escalation",
    "moved_current_cost_usd",
    "moved_target_cost_usd",
    "current_p50_ms",
    "current_p95_ms",
    "projected_p50_ms",
    "projected_p95_ms",
    "latency_source",
)


@dataclass(frozen=True)
class Scenario:
    """What moves where, and the modelling knobs.  `workloads=None`: the scenario's rule decides
    (`all`: everything; `recommended`: per task-class advice; `subagents`: sub-agent calls only;
    any other name: everything)."""

    name: str
    targets: tuple[str, ...] = (DEFAULT_TARGET,)
    workloads: tuple[str, ...] | None = None
    share: Decimal = Decimal(1)
    escalation: Decimal = Decimal(0)
    output_ratio: Decimal | dict[str, Decimal] = Decimal(1)
    tokenizer_factor: Decimal | None = None
    batchable: tuple[str, ...] = ()  # workloads that need no immediate answer (queries/levers.py)

    def ratio_for(self, workload: str) -> Decimal:
        """The workload's output ratio: its own entry, else the `*` entry, else 1."""
        if isinstance(self.output_ratio, dict):
            return self.output_ratio.get(workload, self.output_ratio.get("*", ONE))
        return self.output_ratio

    def rule(self) -> str:
        if self.workloads is not None:
            return "workloads"
        return self.name if self.name in BUILTIN_SCENARIOS else "all"


def builtin_scenario(
    name: Literal["all", "recommended", "subagents"], targets: tuple[str, ...]
) -> Scenario:
    """One of the named scenarios with every knob at its default."""
    if name not in BUILTIN_SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}: choose {', '.join(BUILTIN_SCENARIOS)}")
    return Scenario(name=name, targets=tuple(targets) or (DEFAULT_TARGET,))


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    return Decimal(value)


def load_scenario_file(path: Path) -> list[Scenario]:
    """User scenarios: a TOML file of `[[scenarios]]` tables.

    Keys: name (required), targets or target, workloads, share, escalation, output_ratio (a
    number, or a table workload -> number with `"*"` as the default), tokenizer_factor,
    batchable (workloads whose requests need no immediate answer: queries/levers.py).
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError as err:
        raise ValueError(f"{path}: scenario file not found") from err
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from err
    entries = doc.get("scenarios")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected one or more [[scenarios]] tables")
    out = []
    known = {
        "name",
        "target",
        "targets",
        "workloads",
        "share",
        "escalation",
        "output_ratio",
        "tokenizer_factor",
        "batchable",
    }
    for i, entry in enumerate(entries):
        where = f"{path} scenarios[{i}]"
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ValueError(f"{where}: unknown keys {', '.join(unknown)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: every scenario needs a name")
        targets = entry.get("targets", [entry["target"]] if "target" in entry else [DEFAULT_TARGET])
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ValueError(f"{where}.targets: expected a list of model ids")
        workloads = entry.get("workloads")
        if workloads is not None and (
            not isinstance(workloads, list) or not all(isinstance(w, str) for w in workloads)
        ):
            raise ValueError(f"{where}.workloads: expected a list of workload names")
        raw_ratio = entry.get("output_ratio", ONE)
        ratio: Decimal | dict[str, Decimal]
        if isinstance(raw_ratio, dict):
            ratio = {str(k): _dec(v, f"{where}.output_ratio.{k}") for k, v in raw_ratio.items()}
        else:
            ratio = _dec(raw_ratio, f"{where}.output_ratio")
        factor = entry.get("tokenizer_factor")
        batchable = entry.get("batchable", [])
        if not isinstance(batchable, list) or not all(isinstance(w, str) for w in batchable):
            raise ValueError(f"{where}.batchable: expected a list of workload names")
        scenario = Scenario(
            name=name,
            targets=tuple(targets),
            workloads=tuple(workloads) if workloads is not None else None,
            share=_dec(entry.get("share", ONE), f"{where}.share"),
            escalation=_dec(entry.get("escalation", ZERO), f"{where}.escalation"),
            output_ratio=ratio,
            tokenizer_factor=_dec(factor, f"{where}.tokenizer_factor") if factor else None,
            batchable=tuple(batchable),
        )
        _validate(scenario)
        out.append(scenario)
    return out


def _validate(s: Scenario) -> None:
    if not s.targets:
        raise ValueError(f"scenario {s.name!r}: no target model")
    if not ZERO <= s.share <= ONE:
        raise ValueError(f"scenario {s.name!r}: share must be between 0 and 1, got {s.share}")
    if not ZERO <= s.escalation <= ONE:
        raise ValueError(
            f"scenario {s.name!r}: escalation must be between 0 and 1, got {s.escalation}"
        )
    ratios = s.output_ratio.values() if isinstance(s.output_ratio, dict) else [s.output_ratio]
    if any(r <= 0 for r in ratios):
        raise ValueError(f"scenario {s.name!r}: output ratios must be positive")
    if s.tokenizer_factor is not None and s.tokenizer_factor <= 0:
        raise ValueError(f"scenario {s.name!r}: tokenizer_factor must be positive")


@dataclass
class Projection:
    """Per workload x target rows, totals (first target; `by_target` for all), the assumptions
    behind every number, current vs projected cost per local day, and the task classes used."""

    rows: pl.DataFrame
    totals: dict[str, Any]
    assumptions: dict[str, Any]
    by_day: pl.DataFrame = field(default_factory=pl.DataFrame)
    classes: pl.DataFrame = field(default_factory=pl.DataFrame)


def resolve_targets(conn: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical ids for the requested targets; unknown or unpriced targets are an error."""
    return _resolve(run(conn, "model_catalog"), names)


def _resolve(catalog_rows: pl.DataFrame, names: tuple[str, ...]) -> tuple[str, ...]:
    catalog = {r["alias"]: r for r in catalog_rows.iter_rows(named=True)}
    out: list[str] = []
    for name in names:
        row = catalog.get(name.lower().removesuffix("[1m]"))
        if row is None:
            raise ValueError(f"unknown target model {name!r}: see `switchcost prices`")
        if not row["priced"]:
            raise ValueError(f"target model {name!r} has no price: add one with --prices FILE")
        if row["model_id"] not in out:
            out.append(row["model_id"])
    return tuple(out)


def _selection(
    scenario: Scenario, classes: pl.DataFrame, workloads: list[str]
) -> tuple[list[str], list[str]]:
    """(workloads moved whole, workloads whose sub-agent calls move) under the scenario's rule."""
    rule = scenario.rule()
    if rule == "workloads":
        return list(scenario.workloads or ()), []
    if rule == "subagents":
        return [], workloads
    if rule == "recommended":
        move_all = classes.filter(pl.col("move") == "all")["workload"].to_list()
        move_sub = classes.filter(pl.col("move") == "subagents")["workload"].to_list()
        return move_all, move_sub
    return workloads, []


MONEY = pl.Decimal(38, 12)
_ROW_SCHEMA: dict[str, Any] = {
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
PLACES = Decimal("1e-12")


def _q(value: Any) -> Any:
    """Decimals to the 12 places the SQL keeps, so frames have one fixed scale."""
    return value.quantize(PLACES) if isinstance(value, Decimal) else value


def _reasons_text(reasons: dict[str, int]) -> str:
    return "; ".join(f"{k} ({v})" for k, v in sorted(reasons.items()))


def _dsum(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole * 100 if whole else None


def _break_even(moved_current: Decimal, moved_target: Decimal) -> Decimal | None:
    """The escalation rate at which moving saves nothing: 1 - T/C, at least 0 (T >= C never
    saves); None when nothing moves."""
    if not moved_current:
        return None
    return max(ZERO, ONE - moved_target / moved_current)


@dataclass(frozen=True)
class Prepared:
    """Everything a projection reads from the database, summed: share and escalation act on
    these sums only, so `finish` can apply a new share or escalation without a query."""

    scenario: Scenario
    targets: tuple[str, ...]
    filters: Filters
    defaults: Defaults
    classes: pl.DataFrame
    groups: pl.DataFrame
    ratios: dict[str, Decimal]
    speeds: dict[str, TargetSpeed]
    latency: dict[tuple[str | None, str], dict[str, Any]]
    catalog: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Base:
    """The part of `Prepared` that does not depend on which workloads move or on the output
    ratio: the dashboard keeps it while a user edits the scenario, so only the latency
    percentiles (which do depend on them) are queried again."""

    targets: tuple[str, ...]
    filters: Filters
    defaults: Defaults
    classes: pl.DataFrame
    units: pl.DataFrame
    speeds: dict[str, TargetSpeed]
    catalog: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Moves:
    """What a scenario moves, as plain values: the latency query's inputs besides the base."""

    ratios: tuple[tuple[str, Decimal], ...]
    move_all: tuple[str, ...]
    move_sub: tuple[str, ...]


def prepare_base(
    conn: duckdb.DuckDBPyConnection,
    targets: tuple[str, ...],
    tokenizer_factor: Decimal | None = None,
    filters: Filters | None = None,
    *,
    defaults: Defaults | None = None,
    with_classes: bool = True,
    exact: bool = True,
) -> Base:
    """Task classes, the per-target cost sums, target speeds and the model catalog.  A caller
    that has the task classes already (the dashboard loads them for its defaults) passes
    `with_classes=False` and puts its own in with `dataclasses.replace`.  `exact=False` takes
    the targets' median speeds from the rollup's histograms (within 1%)."""
    d = defaults or load_defaults()
    f = filters or Filters()
    catalog_rows = run(conn, "model_catalog")
    resolved = _resolve(catalog_rows, targets)
    classes = task_classes(conn, f, d) if with_classes else pl.DataFrame()
    units = _units(conn, resolved, tokenizer_factor, f)
    speeds = target_speeds(conn, resolved, d, f, exact=exact)
    catalog = {r["model_id"]: r for r in catalog_rows.iter_rows(named=True)}
    return Base(resolved, f, d, classes, units, speeds, catalog)


def moves(base: Base, scenario: Scenario) -> Moves:
    """The scenario's selection and output ratios over the workloads in `base`."""
    workloads = sorted(set(base.units["workload"].to_list()))
    move_all, move_sub = _selection(scenario, base.classes, workloads)
    return Moves(
        ratios=tuple((w, scenario.ratio_for(w)) for w in workloads),
        move_all=tuple(move_all),
        move_sub=tuple(move_sub),
    )


def prepare_latency(
    conn: duckdb.DuckDBPyConnection,
    targets: tuple[str, ...],
    filters: Filters,
    speeds: tuple[TargetSpeed, ...],
    chosen: Moves,
    tokenizer_factor: Decimal | None = None,
    *,
    defaults: Defaults | None = None,
    exact: bool = True,
) -> dict[tuple[str | None, str], dict[str, Any]]:
    """Current and projected latency percentiles per (workload, target) and per (None, target)
    for this selection (project_latency.sql with `exact`; else its buckets, each percentile
    within 1%: project_latency_sketch.sql).  Plain, hashable inputs (a `Base`'s targets and
    speeds), so a caller can cache on them."""
    d = defaults or load_defaults()
    by_target = {s.target: s for s in speeds}
    frame = run(
        conn,
        "project_latency" if exact else "project_latency_sketch",
        targets=list(targets),
        tokenizer_factor=tokenizer_factor,
        move_all=list(chosen.move_all),
        move_sub=list(chosen.move_sub),
        ratio_workloads=[w for w, _ in chosen.ratios],
        ratio_values=[float(r) for _, r in chosen.ratios],
        speed_targets=list(targets),
        speed_kinds=[
            "none" if s.source == "logs" and not s.tokens_per_s else s.source
            for s in (by_target[t] for t in targets)
        ],
        speed_tps=[by_target[t].tokens_per_s or None for t in targets],
        rel_models=list(d.speeds),
        rel_values=[float(s.relative) for s in d.speeds.values()],
        **filters.params(),
    )
    if not exact:
        return projected_percentiles(frame)
    return {(r["workload"], r["target"]): r for r in frame.iter_rows(named=True)}


def assemble(
    base: Base,
    scenario: Scenario,
    chosen: Moves,
    latency: dict[tuple[str | None, str], dict[str, Any]],
) -> Prepared:
    """`Prepared` from its parts (no database)."""
    _validate(scenario)
    frame = base.units.with_columns(
        selected=pl.col("workload").is_in(list(chosen.move_all))
        | (pl.col("is_subagent") & pl.col("workload").is_in(list(chosen.move_sub)))
    )
    return Prepared(
        scenario=scenario,
        targets=base.targets,
        filters=base.filters,
        defaults=base.defaults,
        classes=base.classes,
        groups=_aggregate(frame),
        ratios=dict(chosen.ratios),
        speeds=base.speeds,
        latency=latency,
        catalog=base.catalog,
    )


def prepare(
    conn: duckdb.DuckDBPyConnection,
    scenario: Scenario,
    filters: Filters | None = None,
    *,
    defaults: Defaults | None = None,
    exact: bool = True,
) -> Prepared:
    """The database side of `project`: the same for every share and escalation.  With
    `exact=False` latency percentiles and target speeds come from log buckets (within 1%)."""
    _validate(scenario)
    base = prepare_base(
        conn, scenario.targets, scenario.tokenizer_factor, filters, defaults=defaults, exact=exact
    )
    chosen = moves(base, scenario)
    latency = prepare_latency(
        conn,
        base.targets,
        base.filters,
        tuple(base.speeds.values()),
        chosen,
        scenario.tokenizer_factor,
        defaults=base.defaults,
        exact=exact,
    )
    return assemble(base, scenario, chosen, latency)


def finish(
    prepared: Prepared, share: Decimal | None = None, escalation: Decimal | None = None
) -> Projection:
    """The projection of `prepared` at this share and escalation (default: the prepared
    scenario's own): no database, so a slider on the dashboard answers at once."""
    scenario = replace(
        prepared.scenario,
        share=prepared.scenario.share if share is None else share,
        escalation=prepared.scenario.escalation if escalation is None else escalation,
    )
    _validate(scenario)
    p = prepared
    with localcontext() as ctx:
        ctx.prec = 60
        rows, by_day, window = _model(p.groups, scenario, p.ratios, p.classes)
        rows = _with_latency(rows, p.latency, p.speeds)
        totals = _totals(rows, p.latency, p.targets, p.speeds, window)
    assumptions = _assumptions(
        p.catalog, scenario, p.targets, p.filters, p.defaults, window, p.speeds, p.ratios
    )
    return Projection(
        rows=rows, totals=totals, assumptions=assumptions, by_day=by_day, classes=p.classes
    )


def project(
    conn: duckdb.DuckDBPyConnection,
    scenario: Scenario,
    filters: Filters | None = None,
    *,
    defaults: Defaults | None = None,
    exact: bool = True,
) -> Projection:
    """Price the scenario: rows per workload x target, totals, assumptions and a daily series
    (`exact=False`: latency percentiles and target speeds within 1%, from log buckets)."""
    return finish(prepare(conn, scenario, filters, defaults=defaults, exact=exact))


def _units(
    conn: duckdb.DuckDBPyConnection,
    targets: tuple[str, ...],
    factor: Decimal | None,
    f: Filters,
) -> pl.DataFrame:
    """project_units over the rollup where it is exact, plus raw requests where it is not."""
    common: dict[str, Any] = {"targets": list(targets), "tokenizer_factor": factor}
    if not rollup.usable(conn, f.tz):
        return run(conn, "project_units", rollup=False, pairs="all", **common, **f.params())
    frame = run(conn, "project_units", rollup=True, pairs="unit", **common, **f.params())
    other = [m for (m,) in rows(conn, "project_other_models", targets=list(targets))]
    if f.models is not None:
        other = [m for m in other if m in f.models]
    if not other:
        return frame
    params = {**f.params(), "models": other}
    raw = run(conn, "project_units", rollup=False, pairs="other", **common, **params)
    return pl.concat([frame, raw], how="vertical_relaxed")


def _aggregate(frame: pl.DataFrame) -> pl.DataFrame:
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


def _model(
    groups: pl.DataFrame,
    scenario: Scenario,
    ratios: dict[str, Decimal],
    classes: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Apply share, output ratio and escalation in Decimal; roll up to workload and to day."""
    s, e = scenario.share, scenario.escalation
    advice = {r["workload"]: r for r in classes.iter_rows(named=True)}
    per_wl: dict[tuple[str, str], dict[str, Any]] = {}
    per_day: dict[tuple[dt.date, str], list[Decimal]] = {}
    days: list[dt.date] = []
    for g in groups.iter_rows(named=True):
        current = _dsum(g["current"])
        c_m = _dsum(g["moved_current"])
        t_m = _dsum(g["moved_target_in"]) + ratios[g["workload"]] * _dsum(g["moved_target_out"])
        projected = current + s * (t_m - c_m + e * c_m)
        key = (g["workload"], g["target"])
        acc = per_wl.setdefault(
            key,
            {
                "requests": 0,
                "moved_requests": 0,
                "unpriced_requests": 0,
                "already_on_target": 0,
                "ineligible_requests": 0,
                "reasons": {},
                "current": ZERO,
                "projected": ZERO,
                "c_m": ZERO,
                "t_m": ZERO,
            },
        )
        for k in (
            "requests",
            "moved_requests",
            "unpriced_requests",
            "already_on_target",
            "ineligible_requests",
        ):
            acc[k] += int(g[k])
        for item in g["ineligible_reasons"]:
            reason = item["ineligible_reason"]
            acc["reasons"][reason] = acc["reasons"].get(reason, 0) + int(item["requests"])
        acc["current"] += current
        acc["projected"] += projected
        acc["c_m"] += c_m
        acc["t_m"] += t_m
        day = per_day.setdefault((g["local_day"], g["target"]), [ZERO, ZERO])
        day[0] += current
        day[1] += projected
        days.append(g["local_day"])
    first, last = (min(days), max(days)) if days else (None, None)
    window_days = (last - first).days + 1 if first and last else 0
    monthly = DAYS_PER_MONTH / window_days if window_days else None
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
                "savings_pct": _pct(savings, a["current"]),
                "monthly_current_usd": a["current"] * monthly if monthly else None,
                "monthly_projected_usd": a["projected"] * monthly if monthly else None,
                "monthly_savings_usd": savings * monthly if monthly else None,
                "ineligible_requests": a["ineligible_requests"],
                "ineligible_reasons": _reasons_text(a["reasons"]),
                "already_on_target": a["already_on_target"],
                "unpriced_requests": a["unpriced_requests"],
                "break_even_escalation": _break_even(a["c_m"], a["t_m"]),
                "moved_current_cost_usd": a["c_m"],
                "moved_target_cost_usd": a["t_m"],
            }
        )
    rows = [{k: _q(v) for k, v in r.items()} for r in rows]
    rows.sort(key=lambda r: (r["target"], -r["savings_usd"], r["workload"]))
    day_rows = [
        {"day": day, "target": target, "current_cost_usd": _q(v[0]), "projected_cost_usd": _q(v[1])}
        for (day, target), v in sorted(per_day.items())
    ]
    by_day = pl.DataFrame(
        day_rows,
        schema={
            "day": pl.Date,
            "target": pl.String,
            "current_cost_usd": pl.Decimal(38, 12),
            "projected_cost_usd": pl.Decimal(38, 12),
        },
    )
    window = {"first_day": first, "last_day": last, "days": window_days, "monthly_factor": monthly}
    return pl.DataFrame(rows, schema=_ROW_SCHEMA), by_day, window


_NO_LATENCY: dict[str, Any] = {
    "latency_samples": 0,
    "projected_samples": 0,
    "moved_projected": 0,
    "current_p50_ms": None,
    "current_p95_ms": None,
    "projected_p50_ms": None,
    "projected_p95_ms": None,
}


def _latency_cells(lat: dict[str, Any]) -> dict[str, float | None]:
    """Current and projected p50/p95; projected None when a timed request could not be
    projected (leaving it out would bias the percentiles towards the requests that could)."""
    whole = lat["projected_samples"] == lat["latency_samples"]
    return {
        "current_p50_ms": lat["current_p50_ms"],
        "current_p95_ms": lat["current_p95_ms"],
        "projected_p50_ms": lat["projected_p50_ms"] if whole else None,
        "projected_p95_ms": lat["projected_p95_ms"] if whole else None,
    }


def _source_label(lat: dict[str, Any], moved_requests: int, speed: TargetSpeed) -> str:
    if not lat["latency_samples"]:
        return "no timing in logs"
    if not moved_requests:
        return "unchanged (nothing moves)"
    if not lat["moved_projected"]:
        return "no timing or speed data for moved requests"
    if lat.get("ttft_estimated"):
        return f"{speed.source}; first token estimated for {lat['ttft_estimated']:,} not streamed"
    return str(speed.source)


def _with_latency(
    rows: pl.DataFrame,
    latency: dict[tuple[str | None, str], dict[str, Any]],
    speeds: dict[str, TargetSpeed],
) -> pl.DataFrame:
    lat_schema: dict[str, Any] = {
        "current_p50_ms": pl.Float64,
        "current_p95_ms": pl.Float64,
        "projected_p50_ms": pl.Float64,
        "projected_p95_ms": pl.Float64,
        "latency_source": pl.String,
    }
    extra: list[dict[str, Any]] = []
    for r in rows.iter_rows(named=True):
        lat = latency.get((r["workload"], r["target"]), _NO_LATENCY)
        label = _source_label(lat, int(r["moved_requests"]), speeds[r["target"]])
        extra.append({**_latency_cells(lat), "latency_source": label})
    lat_frame = pl.DataFrame(extra, schema=lat_schema)
    return pl.concat([rows, lat_frame], how="horizontal")


def _totals(
    rows: pl.DataFrame,
    latency: dict[tuple[str | None, str], dict[str, Any]],
    targets: tuple[str, ...],
    speeds: dict[str, TargetSpeed],
    window: dict[str, Any],
) -> dict[str, Any]:
    """Sums of the rows per target; the top level repeats the first target's totals."""
    monthly = window["monthly_factor"]
    by_target: dict[str, dict[str, Any]] = {}
    for target in targets:
        mine = [r for r in rows.iter_rows(named=True) if r.get("target") == target]
        current = sum((Decimal(r["current_cost_usd"]) for r in mine), ZERO)
        projected = sum((Decimal(r["projected_cost_usd"]) for r in mine), ZERO)
        c_m = sum((Decimal(r["moved_current_cost_usd"]) for r in mine), ZERO)
        t_m = sum((Decimal(r["moved_target_cost_usd"]) for r in mine), ZERO)
        reasons: dict[str, int] = {}
        for r in mine:
            for part in filter(None, (r["ineligible_reasons"] or "").split("; ")):
                reason, _, count = part.rpartition(" (")
                reasons[reason] = reasons.get(reason, 0) + int(count.rstrip(")"))
        savings = current - projected
        cells = _latency_cells(latency.get((None, target), _NO_LATENCY))
        by_target[target] = {
            k: _q(v)
            for k, v in {
                "workload": "TOTAL",
                "target": target,
                "requests": sum(int(r["requests"]) for r in mine),
                "moved_requests": sum(int(r["moved_requests"]) for r in mine),
                "current_cost_usd": current,
                "projected_cost_usd": projected,
                "savings_usd": savings,
                "savings_pct": _pct(savings, current),
                "monthly_current_usd": current * monthly if monthly else None,
                "monthly_projected_usd": projected * monthly if monthly else None,
                "monthly_savings_usd": savings * monthly if monthly else None,
                "ineligible_requests": sum(int(r["ineligible_requests"]) for r in mine),
                "ineligible_reasons": _reasons_text(reasons),
                "already_on_target": sum(int(r["already_on_target"]) for r in mine),
                "unpriced_requests": sum(int(r["unpriced_requests"]) for r in mine),
                "break_even_escalation": _break_even(c_m, t_m),
                "moved_current_cost_usd": c_m,
                "moved_target_cost_usd": t_m,
                **cells,
                "latency_source": str(speeds[target].source),
            }.items()
        }
    first = by_target[targets[0]]
    return {**first, "by_target": by_target}


def _assumptions(
    catalog: dict[str, dict[str, Any]],
    scenario: Scenario,
    targets: tuple[str, ...],
    f: Filters,
    d: Defaults,
    window: dict[str, Any],
    speeds: dict[str, Any],
    ratios: dict[str, Decimal],
) -> dict[str, Any]:
    factors = {r["tokenizer"]: r["tokenizer_factor"] for r in catalog.values()}
    rule_text = {
        "all": "every eligible request moves",
        "recommended": "per task-class advice: classes with move=all move every request, "
        "move=subagents only sub-agent calls, move=none nothing",
        "subagents": "sub-agent calls move; orchestrator (main-thread) calls stay",
        "workloads": "every eligible request of the listed workloads moves",
    }[scenario.rule()]
    default_ratio = (
        scenario.output_ratio.get("*", ONE)
        if isinstance(scenario.output_ratio, dict)
        else scenario.output_ratio
    )
    return {
        "scenario": scenario.name,
        "scenario_rule": rule_text,
        "workloads_moved": list(scenario.workloads) if scenario.workloads is not None else None,
        "targets": list(targets),
        "share_moved": scenario.share,
        "escalation_rate": scenario.escalation,
        "escalation_model": "expected cost = target cost + escalation x original cost",
        "output_ratio_default": default_ratio,
        "output_ratio_by_workload": {w: r for w, r in ratios.items() if r != default_ratio},
        "tokenizer_factor": scenario.tokenizer_factor
        if scenario.tokenizer_factor is not None
        else "from price file",
        "tokenizer_factors": factors,
        "tokenizer_conversion": "tokens x target family factor / source family factor, rounded "
        "to whole tokens; an override replaces the ratio between two different families",
        "target_capabilities": {
            t: {
                k: catalog[t][k]
                for k in (
                    "context_window",
                    "max_output_tokens",
                    "min_cacheable_tokens",
                    "supports_inference_geo",
                    "supports_fast_mode",
                    "tokenizer",
                )
            }
            for t in targets
        },
        "cache_rule": "cached tokens (writes + reads) below the target's minimum cacheable "
        "length are priced as uncached input",
        "eligibility": "stays on its model if: source unpriced, prompt over the target's "
        "context window, inference_geo 'us' on a target without regional inference, output "
        "over the target's max output; requests already on the target are unchanged",
        "target_price_date": "the target's price in force on the request's date (its first "
        "price for earlier dates); batch stays batch; fast and us-geo multipliers only where "
        "the target supports them",
        "window_first_day": window["first_day"],
        "window_last_day": window["last_day"],
        "window_days": window["days"],
        "days_per_month": DAYS_PER_MONTH,
        "run_rate": "monthly = window cost x days_per_month / window_days",
        "filters": {k: v for k, v in f.params().items() if v is not None},
        "latency_method": "projected = the request's own time to first token + target output "
        "tokens / target output speed; latency percentiles assume every selected request moves",
        "latency_not_streamed": "a request that logged no time to first token (not streamed) "
        "takes the median time to first token of the streamed requests of the same model and "
        "workload in the selection, else the median of the target's streamed requests in the "
        "window; its source generation time is its latency minus that (at least 0) "
        "(queries/sql/project_latency.sql)",
        "latency_min_samples": d.min_latency_samples,
        "latency_speed_by_target": {t: f"{s.source}: {s.detail}" for t, s in speeds.items()},
        "task_class_rules": list(d.files),
    }
