"""The projection's steps, each cacheable on its own by the dashboard.

`prepare_base` reads what does not depend on the scenario's selection (per-target cost sums,
task classes, target speeds, the model catalog); `moves` applies the scenario's rule;
`prepare_latency` queries the percentiles of that selection; `assemble` puts them together
without a database; `finish` applies share and escalation (no database, so a slider answers at
once).  `project` runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from typing import Any

import duckdb
import polars as pl

from switchcost.queries import rollup, sketch
from switchcost.queries.filters import Filters
from switchcost.queries.latency import TargetSpeed, projected_percentiles, target_speeds
from switchcost.queries.latency import window as latency_window
from switchcost.queries.projection.assumptions import assumptions
from switchcost.queries.projection.latency_cells import with_latency
from switchcost.queries.projection.model import aggregate, data_span, ineligible_by, model, totals
from switchcost.queries.projection.scenario import Scenario, resolve, selection, validate
from switchcost.queries.run_rate import Window, window
from switchcost.queries.run_sql import rows, run
from switchcost.queries.task_class import Defaults, load_defaults, task_classes


@dataclass
class Projection:
    """Per workload x target rows, totals (first target; `by_target` for all), the assumptions
    behind every number, current vs projected cost per local day, the task classes used, and
    the run-rate window (queries/run_rate.py)."""

    rows: pl.DataFrame
    totals: dict[str, Any]
    assumptions: dict[str, Any]
    by_day: pl.DataFrame = field(default_factory=pl.DataFrame)
    classes: pl.DataFrame = field(default_factory=pl.DataFrame)
    window: Window = field(default_factory=lambda: Window(None, None, 0))


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


def resolve_targets(conn: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical ids for the requested targets; unknown or unpriced targets are an error."""
    return resolve(run(conn, "model_catalog"), names)


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
    resolved = resolve(catalog_rows, targets)
    classes = task_classes(conn, f, d) if with_classes else pl.DataFrame()
    found = units(conn, resolved, tokenizer_factor, f)
    speeds = target_speeds(conn, resolved, d, f, exact=exact)
    catalog = {r["model_id"]: r for r in catalog_rows.iter_rows(named=True)}
    return Base(resolved, f, d, classes, found, speeds, catalog)


def moves(base: Base, scenario: Scenario) -> Moves:
    """The scenario's selection and output ratios over the workloads in `base`."""
    workloads = sorted(set(base.units["workload"].to_list()))
    move_all, move_sub = selection(scenario, base.classes, workloads)
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
    within 1%: project_latency_sketch.sql, with the current latency read from the rollup's
    histograms when they cover the window).  Plain, hashable inputs (a `Base`'s targets and
    speeds), so a caller can cache on them."""
    d = defaults or load_defaults()
    by_target = {s.target: s for s in speeds}
    params: dict[str, Any] = {
        "targets": list(targets),
        "tokenizer_factor": tokenizer_factor,
        "move_all": list(chosen.move_all),
        "move_sub": list(chosen.move_sub),
        "ratio_workloads": [w for w, _ in chosen.ratios],
        "ratio_values": [float(r) for _, r in chosen.ratios],
        "speed_targets": list(targets),
        "speed_kinds": [
            "none" if s.source == "logs" and not s.tokens_per_s else s.source
            for s in (by_target[t] for t in targets)
        ],
        "speed_tps": [by_target[t].tokens_per_s or None for t in targets],
        "rel_models": list(d.speeds),
        "rel_values": [float(s.relative) for s in d.speeds.values()],
        **filters.params(),
    }
    if exact:
        frame = run(conn, "project_latency", **params)
        return {(r["workload"], r["target"]): r for r in frame.iter_rows(named=True)}
    from_hist = rollup.status(conn, filters.tz)[1]
    frame = run(conn, "project_latency_sketch", current=not from_hist, **params)
    if from_hist:
        frame = pl.concat([frame, current_buckets(conn, filters, targets)], how="vertical_relaxed")
    return projected_percentiles(frame)


def current_buckets(
    conn: duckdb.DuckDBPyConnection, filters: Filters, targets: tuple[str, ...]
) -> pl.DataFrame:
    """project_latency_sketch.sql's current-latency rows (what 0) from the rollup's latency
    histograms: every timed request of the selection by workload and bucket, the same for each
    target (a request's current latency does not depend on where it would move)."""
    found = run(conn, "latency_sketch", **latency_window(conn, filters))
    counts = (
        found.filter(pl.col("metric") == sketch.LATENCY)
        .group_by("workload", "bucket")
        .agg(pl.col("n").sum())
    )
    return pl.concat(
        [
            counts.select(
                "workload",
                pl.lit(t).alias("target"),
                pl.lit(0).alias("what"),
                "bucket",
                "n",
                pl.lit(0).alias("moved"),
                pl.lit(0).alias("estimated"),
            )
            for t in targets
        ],
        how="vertical_relaxed",
    )


def assemble(
    base: Base,
    scenario: Scenario,
    chosen: Moves,
    latency: dict[tuple[str | None, str], dict[str, Any]],
) -> Prepared:
    """`Prepared` from its parts (no database)."""
    validate(scenario)
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
        groups=aggregate(frame),
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
    validate(scenario)
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
    validate(scenario)
    p = prepared
    span = window(p.filters, *data_span(p.groups))
    with localcontext() as ctx:
        ctx.prec = 60
        found, by_day = model(p.groups, scenario, p.ratios, p.classes, span)
        found = with_latency(found, p.latency, p.speeds)
        summed = totals(found, ineligible_by(p.groups), p.latency, p.targets, p.speeds, span)
    said = assumptions(
        p.catalog, scenario, p.targets, p.filters, p.defaults, span, p.speeds, p.ratios
    )
    return Projection(
        rows=found, totals=summed, assumptions=said, by_day=by_day, classes=p.classes, window=span
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


def units(
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
