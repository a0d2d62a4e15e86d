"""The replay commands' bodies: plan, approve, run or submit, grade, and a short summary.

Exit codes: 0 done (or a batch submitted / still running), 3 stopped at the --max-usd cap.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from switchcost.app.replay import budget as money
from switchcost.app.replay import calls, run
from switchcost.app.replay.graders import check_name
from switchcost.app.replay.plan import Options, approve, estimate_lines, graders_for_run, prepare
from switchcost.queries import db as qdb
from switchcost.queries.errors import UserError
from switchcost.queries.measured import evidence, store

STOPPED_AT_CAP = 3


def _say(text: str) -> None:
    click.echo(text, err=True)


def start(db: Path, **kw: Any) -> int:
    o = Options(
        target=kw["target"],
        workloads=tuple(kw["workloads"]),
        per_workload=kw["per_workload"],
        seed=kw["seed"],
        mode=kw["mode"],
        max_usd=kw["max_usd"],
        grader=check_name(kw["grader"]),
        judge_model=kw["judge_model"],
    )
    target = money.rates(o.target, kw.get("prices"))
    o = Options(**{**o.__dict__, "target": target.model})
    client = calls.make_client(kw.get("base_url"))
    judge = money.rates(o.judge_model, kw.get("prices"))
    plan = prepare(db, o, client, target, judge)
    for line in estimate_lines(plan, o):
        _say(line)
    approve(plan, o, kw["yes"], lambda q: click.confirm(q, err=True), kw.get("interactive"))
    budget = money.Budget(o.max_usd, plan.spent)
    try:
        if o.mode == "live":
            run.live(db, plan, client, target, budget, _say)
        else:
            run.submit(db, plan, client, target, _say)
            return 0
        run.grade(db, plan.run_id, plan.graders, (client, judge), budget, _say)
    except money.CapReached as stop:
        with qdb.connect(db) as conn:
            store.set_run_status(conn, plan.run_id, "stopped")
        _say(f"{stop}; run the same command with a higher --max-usd to resume")
        summary(db, plan.run_id)
        return STOPPED_AT_CAP
    with qdb.connect(db) as conn:
        store.set_run_status(conn, plan.run_id, "done")
    summary(db, plan.run_id)
    return 0


def _latest_batch(db: Path, run_id: str | None) -> dict[str, Any]:
    with qdb.connect(db) as conn:
        runs = store.runs(conn)
    if run_id is not None:
        found = [r for r in runs if r["run_id"] == run_id]
        if not found:
            raise UserError(f"no replay run {run_id!r}: see `switchcost replay status`")
        return found[0]
    batches = [r for r in runs if r["batch_id"]]
    if not batches:
        raise UserError("no batch replay to collect: start one with `switchcost replay --to`")
    return batches[0]


def collect(
    db: Path,
    run_id: str | None,
    base_url: str | None,
    prices: Path | None,
    cap: Decimal | None,
    judge_model: str = "claude-sonnet-4-5",
) -> int:
    r = _latest_batch(db, run_id)
    target = money.rates(r["target"], prices)
    client = calls.make_client(base_url)
    if not run.collect(db, r, client, target, _say):
        return 0
    with qdb.connect(db) as conn:
        spent = store.spent(conn, r["run_id"])
    budget = money.Budget(cap if cap is not None else Decimal(r["max_usd"]), spent)
    grader_for = graders_for_run(db, r)
    judge = None
    if "judge" in grader_for.values():
        judge = (client, money.rates(judge_model, prices))
    try:
        run.grade(db, r["run_id"], grader_for, judge, budget, _say)
    except money.CapReached as stop:
        _say(f"{stop}; collect again with a higher --max-usd to grade the rest")
        return STOPPED_AT_CAP
    with qdb.connect(db) as conn:
        store.set_run_status(conn, r["run_id"], "done")
    summary(db, r["run_id"])
    return 0


def status(db: Path, run_id: str | None, base_url: str | None) -> None:
    with qdb.connect(db) as conn:
        runs = [r for r in store.runs(conn) if run_id is None or r["run_id"] == run_id]
        info = {
            r["run_id"]: (store.samples(conn, r["run_id"]), store.spent(conn, r["run_id"]))
            for r in runs
        }
        graded = {r["run_id"]: len(store.verdicts(conn, r["run_id"])) for r in runs}
    if not runs:
        _say("no replay runs yet")
        return
    for r in runs:
        samples, spent = info[r["run_id"]]
        counts: dict[str, int] = {}
        for s in samples:
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        line = (
            f"{r['run_id']} {r['target']} {r['mode']} {r['status']}: {len(samples)} samples "
            f"{counts}, {graded[r['run_id']]} graded, spent ${spent:.4f} of ${r['max_usd']:.2f}"
        )
        if r["batch_id"] and r["status"] == "submitted":
            state = calls.batch_state(calls.make_client(base_url), r["batch_id"])
            line += f"; batch {r['batch_id']} {state['processing_status']}"
        click.echo(line)


def summary(db: Path, run_id: str) -> None:
    """One line per workload of the run: pass rate, output ratio, tokenizer factor."""
    with qdb.connect(db) as conn:
        found = [e for e in evidence.load(conn).values() if e.run_id == run_id]
    for e in found:
        lo, hi = e.pass_rate_ci
        ratio = e.output_ratio
        ci = e.output_ratio_ci()
        ratio_text = "n/a" if ratio is None else f"{ratio:.2f}"
        if ci is not None:
            ratio_text += f" ({ci[0]:.2f}–{ci[1]:.2f})"
        factor = e.tokenizer_factor
        click.echo(
            f"{e.workload} on {e.target}: {e.passed} of {e.n} answers as good "
            f"({lo:.0%}–{hi:.0%}, {e.grader}); output ratio {ratio_text}; tokenizer factor "
            f"{'n/a' if factor is None else f'{factor:.3f}'}"
            + (f"; p50 {e.latency_p50_ms:.0f} ms" if e.latency_p50_ms is not None else "")
        )
