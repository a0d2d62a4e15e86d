"""`project --measured`: the projection with what a replay measured in place of assumptions.

Per workload × target with replay evidence (queries/measured/evidence.py), over the requests
the scenario moves (current cost C_m, target input cost T_in and output cost T_out as priced
by the projection, share s):

    projected = current − s·C_m + s·(T_in·k + r·T_out + e·C_m)

with r the measured output ratio (ratio of sums), e the escalation = the share of graded
samples that failed (each re-run on the original model), k the measured tokenizer factor over
the factor the price file assumed for the same samples (so a price-file conversion is not
applied twice).  Savings in dollars and percent get a 95% interval from a seeded bootstrap over
the sampled requests (1,000 resamples: r, e and k recomputed from each resample); the pass rate
gets a Wilson interval.  Live replays replace the projected p50 latency with the measured one.
Workloads without replay keep the scenario's assumptions and say so.

The task class is the prior; the measured pass rate overrides it in `recommended` when the
sample can say so (RULE below).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import duckdb

from switchcost.queries import projection as proj
from switchcost.queries.filters import Filters
from switchcost.queries.measured.evidence import Evidence, Sampled, load
from switchcost.queries.measured.intervals import MIN_RESAMPLES, percentile_bounds, resample_indices
from switchcost.queries.projection.model import ineligible_by
from switchcost.queries.run_rate import Window
from switchcost.queries.run_sql import run
from switchcost.queries.task_class import Defaults

MIN_SAMPLES = 20
MOVE_LOWER = 0.80
KEEP_UPPER = 0.90
RULE = (
    f"with at least {MIN_SAMPLES} graded samples, the measured pass rate overrides the task "
    f"class: move when its 95% Wilson interval's lower bound is at least {MOVE_LOWER:.0%}, "
    f"keep when its upper bound is under {KEEP_UPPER:.0%}; otherwise the task-class advice "
    "stands"
)
ZERO, ONE = Decimal(0), Decimal(1)


@dataclass
class Measured:
    """Rows (plain dicts: the projection's columns plus `measured`, `savings_usd_ci`,
    `savings_pct_ci`), totals and assumptions."""

    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    assumptions: dict[str, Any]


def decision(e: Evidence) -> str | None:
    """move, keep or None (the prior stands) by RULE."""
    if e.n < MIN_SAMPLES:
        return None
    lo, hi = e.pass_rate_ci
    if lo >= MOVE_LOWER:
        return "move"
    if hi < KEEP_UPPER:
        return "keep"
    return None


def cite(e: Evidence) -> str:
    lo, hi = e.pass_rate_ci
    return f"{e.passed} of {e.n} answers as good ({lo:.0%}–{hi:.0%})"


def _factors(conn: duckdb.DuckDBPyConnection) -> dict[str, Decimal]:
    frame = run(conn, "model_catalog")
    return {r["alias"]: Decimal(r["tokenizer_factor"] or 1) for r in frame.iter_rows(named=True)}


def _stats(
    samples: list[Sampled], target_factor: Decimal, factors: dict[str, Decimal]
) -> tuple[Decimal, Decimal, Decimal] | None:
    """(output ratio, escalation, tokenizer adjustment) of these samples (None if undefined)."""
    orig_out = sum(s.original_output for s in samples)
    orig_in = sum(s.original_input for s in samples)
    if not orig_out or not orig_in:
        return None
    ratio = Decimal(sum(s.target_output for s in samples)) / orig_out
    escalation = Decimal(sum(1 for s in samples if not s.passed)) / len(samples)
    assumed = sum(
        (s.original_input * target_factor / factors.get(s.original_model, ONE) for s in samples),
        ZERO,
    )
    counted = Decimal(sum(s.counted_input for s in samples))
    adjust = counted / assumed if assumed else ONE
    return ratio, escalation, adjust


def _sums(groups: Any, workload: str, target: str) -> dict[str, Decimal]:
    out = dict.fromkeys(("current", "moved_current", "moved_target_in", "moved_target_out"), ZERO)
    for g in groups.iter_rows(named=True):
        if g["workload"] == workload and g["target"] == target:
            for k in out:
                out[k] += ZERO if g[k] is None else Decimal(g[k])
    return out


def _projected(sums: dict[str, Decimal], share: Decimal, stats: tuple[Decimal, ...]) -> Decimal:
    ratio, esc, adjust = stats
    c, c_m = sums["current"], sums["moved_current"]
    t_m = sums["moved_target_in"] * adjust + ratio * sums["moved_target_out"]
    return c - share * c_m + share * (t_m + esc * c_m)


def _intervals(
    e: Evidence, sums: dict[str, Decimal], share: Decimal, tf: Decimal, f: dict[str, Decimal]
) -> tuple[list[Decimal] | None, list[Decimal] | None]:
    current = sums["current"]
    savings: list[Decimal] = []
    for idx in resample_indices(e.n, MIN_RESAMPLES, seed=0):
        stats = _stats([e.samples[i] for i in idx], tf, f)
        if stats is not None:
            savings.append(current - _projected(sums, share, stats))
    if not savings:
        return None, None
    lo, hi = percentile_bounds(savings)
    usd = [proj.quantize(lo), proj.quantize(hi)]
    pct = (
        [proj.quantize(lo / current * 100), proj.quantize(hi / current * 100)] if current else None
    )
    return usd, pct


_TOTAL_CI = ("savings_usd_ci", "savings_pct_ci")


def _total_intervals(
    rows: list[dict[str, Any]],
    evidence: dict[tuple[str, str], Evidence],
    prepared: proj.Prepared,
    share: Decimal,
    factors: dict[str, Decimal],
) -> dict[str, tuple[list[Decimal] | None, list[Decimal] | None]]:
    """Per target, the 95% interval of the total savings: in each of the 1,000 resamples every
    measured workload draws its own samples (a seed per workload, so the draws are independent
    strata) and the workloads without replay add their assumed savings; the bounds are taken
    over the sums.  Per-workload intervals do not add up to this."""
    out: dict[str, tuple[list[Decimal] | None, list[Decimal] | None]] = {}
    for target in dict.fromkeys(r["target"] for r in rows):
        mine = [r for r in rows if r["target"] == target]
        current = sum((Decimal(r["current_cost_usd"] or 0) for r in mine), ZERO)
        fixed = ZERO
        draws: list[list[Decimal | None]] = []
        for row in mine:
            e = evidence.get((row["workload"], target))
            sums = _sums(prepared.groups, row["workload"], target)
            tf = factors.get(target, ONE)
            if (
                e is None
                or not sums["moved_current"]
                or _stats(list(e.samples), tf, factors) is None
            ):
                fixed += Decimal(row["savings_usd"] or 0)
                continue
            seed = zlib.crc32(row["workload"].encode())
            drawn: list[Decimal | None] = []
            for idx in resample_indices(e.n, MIN_RESAMPLES, seed=seed):
                stats = _stats([e.samples[i] for i in idx], tf, factors)
                drawn.append(
                    None if stats is None else sums["current"] - _projected(sums, share, stats)
                )
            draws.append(drawn)
        if not draws:
            out[target] = (None, None)
            continue
        totals = []
        for i in range(MIN_RESAMPLES):
            parts = [d[i] for d in draws]
            if all(v is not None for v in parts):
                totals.append(fixed + sum((v for v in parts if v is not None), ZERO))
        if not totals:
            out[target] = (None, None)
            continue
        lo, hi = percentile_bounds(totals)
        usd = [proj.quantize(lo), proj.quantize(hi)]
        pct = (
            [proj.quantize(lo / current * 100), proj.quantize(hi / current * 100)]
            if current
            else None
        )
        out[target] = (usd, pct)
    return out


def project_measured(
    conn: duckdb.DuckDBPyConnection,
    scenario: proj.Scenario,
    filters: Filters | None = None,
    *,
    defaults: Defaults | None = None,
) -> Measured:
    evidence = load(conn)
    base = proj.prepare_base(
        conn, scenario.targets, scenario.tokenizer_factor, filters, defaults=defaults
    )
    chosen = proj.moves(base, scenario)
    first = base.targets[0]
    overrides: dict[str, str] = {}
    if scenario.rule() == "recommended":
        move_all, move_sub = list(chosen.move_all), list(chosen.move_sub)
        for (workload, target), e in evidence.items():
            verdict = decision(e) if target == first else None
            if verdict == "move":
                move_all = [*(w for w in move_all if w != workload), workload]
                move_sub = [w for w in move_sub if w != workload]
            elif verdict == "keep":
                move_all = [w for w in move_all if w != workload]
                move_sub = [w for w in move_sub if w != workload]
            if verdict:
                overrides[workload] = verdict
        chosen = proj.Moves(chosen.ratios, tuple(move_all), tuple(move_sub))
    latency = proj.prepare_latency(
        conn, base.targets, base.filters, tuple(base.speeds.values()), chosen,
        scenario.tokenizer_factor, defaults=base.defaults,
    )  # fmt: skip
    prepared = proj.assemble(base, scenario, chosen, latency)
    plain = proj.finish(prepared)
    factors = _factors(conn)
    window = plain.window
    rows = []
    with localcontext() as ctx:
        ctx.prec = 60
        for row in plain.rows.iter_rows(named=True):
            found = evidence.get((row["workload"], row["target"]))
            rows.append(_row(row, found, prepared, scenario.share, factors, window, overrides))
    import polars as pl

    frame = pl.DataFrame(
        [{k: r[k] for k in proj.ROW_COLUMNS} for r in rows], schema=plain.rows.schema
    )
    reasons = ineligible_by(prepared.groups)
    totals = proj.totals(frame, reasons, latency, base.targets, base.speeds, window)
    with localcontext() as ctx:
        ctx.prec = 60
        for target, (usd, pct) in _total_intervals(
            rows, evidence, prepared, scenario.share, factors
        ).items():
            totals["by_target"][target].update(savings_usd_ci=usd, savings_pct_ci=pct)
    totals.update({k: totals["by_target"][first].get(k) for k in _TOTAL_CI})
    assumptions = {
        **plain.assumptions,
        "measured_rule": RULE,
        "measured_model": "projected = current - s*C_m + s*(T_in*k + r*T_out + e*C_m): r measured "
        "output ratio, e share of graded samples that failed, k measured tokenizer factor over "
        "the price file's; 95% intervals: Wilson (pass rate), seeded bootstrap of 1,000 "
        "resamples over sampled requests (output ratio, savings)",
        "measured_workloads": sorted({w for (w, _t) in evidence}),
    }
    return Measured(rows, totals, assumptions)


def _row(
    row: dict[str, Any],
    e: Evidence | None,
    prepared: proj.Prepared,
    share: Decimal,
    factors: dict[str, Decimal],
    window: Window,
    overrides: dict[str, str],
) -> dict[str, Any]:
    if e is None:
        return {
            **row,
            "recommendation": f"{row['recommendation']} (assumed: no replay)".strip(),
            "measured": None,
            "savings_usd_ci": None,
            "savings_pct_ci": None,
        }
    tf = factors.get(row["target"], ONE)
    sums = _sums(prepared.groups, row["workload"], row["target"])
    stats = _stats(list(e.samples), tf, factors)
    out = dict(row)
    if stats is not None and sums["moved_current"]:
        projected = _projected(sums, share, stats)
        savings = sums["current"] - projected
        t_m = sums["moved_target_in"] * stats[2] + stats[0] * sums["moved_target_out"]
        out.update(
            projected_cost_usd=proj.quantize(projected),
            savings_usd=proj.quantize(savings),
            savings_pct=proj.quantize(savings / sums["current"] * 100) if sums["current"] else None,
            monthly_projected_usd=proj.quantize(window.monthly(projected)),
            monthly_savings_usd=proj.quantize(window.monthly(savings)),
            moved_target_cost_usd=proj.quantize(t_m),
            break_even_escalation=proj.quantize(max(ZERO, ONE - t_m / sums["moved_current"])),
        )
        usd_ci, pct_ci = _intervals(e, sums, share, tf, factors)
    else:
        usd_ci, pct_ci = None, None
    verdict = overrides.get(row["workload"])
    if verdict:
        out["recommendation"] = f"{verdict}: {cite(e)}"
    else:
        out["recommendation"] = f"{row['recommendation']}; measured {cite(e)}".strip("; ")
    if e.latency_p50_ms is not None:
        out["projected_p50_ms"] = e.latency_p50_ms
        out["latency_source"] = f"measured: live replay of {e.n} samples"
    out["measured"] = e.as_json()
    out["savings_usd_ci"] = usd_ci
    out["savings_pct_ci"] = pct_ci
    return out
