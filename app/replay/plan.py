"""Before a replay sends anything: the sample, exact target token counts (free), the cost
estimate, the cap and the user's yes.

The run id is a hash of what defines the run (target, workloads, sample size, seed, mode,
grader): the same command again is the same run, and resumes it — samples already answered
are never sent again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import anthropic

from switchcost.app.replay import calls, sample
from switchcost.app.replay.budget import Rates, judge_estimate
from switchcost.ingest import capture
from switchcost.queries import db as qdb
from switchcost.queries.errors import UserError
from switchcost.queries.measured import store


@dataclass(frozen=True)
class Options:
    target: str
    workloads: tuple[str, ...] = ()
    per_workload: int = 50
    seed: int = 0
    mode: str = "batch"
    max_usd: Decimal = Decimal(5)
    grader: str = "default"
    judge_model: str = "claude-sonnet-4-5"


@dataclass
class Plan:
    run_id: str
    run: dict[str, Any]
    samples: list[dict[str, Any]]
    captures: dict[str, capture.Captured]
    graders: dict[str, str]  # workload -> grader
    spent: Decimal
    replay_usd: Decimal = Decimal(0)
    grading_usd: Decimal = Decimal(0)
    per_sample: dict[str, Decimal] = field(default_factory=dict)
    frame_note: str = ""

    @property
    def estimate(self) -> Decimal:
        return self.replay_usd + self.grading_usd


def run_id(o: Options) -> str:
    key = "|".join(
        [
            o.target,
            ",".join(sorted(o.workloads)),
            str(o.per_workload),
            str(o.seed),
            o.mode,
            o.grader,
        ]
    )
    return "r" + hashlib.sha256(key.encode()).hexdigest()[:11]


def _graders(
    conn: Any, o: Options, workloads: set[str], originals: dict[str, list[str]]
) -> dict[str, str]:
    if o.grader != "default":
        return dict.fromkeys(workloads, o.grader)
    from switchcost.queries.filters import Filters
    from switchcost.queries.task_class import load_defaults, task_classes

    classes = task_classes(conn, Filters(), load_defaults())
    cls = {r["workload"]: r["task_class"] for r in classes.iter_rows(named=True)}
    from switchcost.app.replay.graders import default_for

    return {w: default_for(cls.get(w, "unknown"), originals.get(w, [])) for w in workloads}


def prepare(
    db: Path, o: Options, client: anthropic.Anthropic, target: Rates, judge: Rates | None
) -> Plan:
    """Sample (or reload the run's sample), count tokens on the target, estimate."""
    rid = run_id(o)
    keys = [k for k, _, _ in capture.captured_keys(db)]
    if not keys:
        raise UserError(
            f"nothing captured next to {db}: log bodies with instrument(..., capture=True) "
            "and run `switchcost ingest --capture`"
        )
    with qdb.connect(db) as conn:
        run = store.get_run(conn, rid)
        frames = store.frame(conn, keys, list(o.workloads) or None)
        note = _frame_note(frames)
        if run is None or not store.samples(conn, rid):
            if not frames:
                raise UserError("no captured request matches a stored request of those workloads")
            picked = sample.draw(frames, o.per_workload, o.seed)
            run = {
                "run_id": rid,
                "started_at": dt.datetime.now(dt.UTC),
                "target": target.model,
                "mode": o.mode,
                "grader": o.grader,
                "seed": o.seed,
                "sample_size": o.per_workload,
                "max_usd": o.max_usd,
                "status": "estimated",
            }
            store.put_run(conn, run)
            store.add_samples(
                conn,
                [
                    {
                        "run_id": rid,
                        "request_key": f.request_key,
                        "workload": f.workload,
                        "stratum": b,
                        "original_model": f.model,
                        "original_input_tokens": f.input_tokens,
                        "original_output_tokens": f.output_tokens,
                        "status": "pending",
                    }
                    for f, b in picked
                ],
            )
        rows = store.samples(conn, rid)
        spent = store.spent(conn, rid)
        done_verdicts = {v["request_key"] for v in store.verdicts(conn, rid)}
    caps = capture.get_captures(db, [s["request_key"] for s in rows])
    rows = [s for s in rows if s["request_key"] in caps]  # purged since: left out
    originals: dict[str, list[str]] = {}
    for s in rows:
        originals.setdefault(s["workload"], []).append(
            calls.text_of(caps[s["request_key"]].response)
        )
    with qdb.connect(db) as conn:
        graders = _graders(conn, o, {s["workload"] for s in rows}, originals)
    plan = Plan(rid, {**run, "max_usd": o.max_usd}, rows, caps, graders, spent, frame_note=note)
    _count(db, plan, client, target)
    batch = o.mode == "batch"
    for s in plan.samples:
        key = s["request_key"]
        cost = Decimal(0)
        if s["status"] != "answered":
            cost = target.estimate(s["counted_input_tokens"], s["original_output_tokens"], batch)
            plan.replay_usd += cost
        plan.per_sample[key] = cost
        if graders[s["workload"]] == "judge" and key not in done_verdicts:
            if judge is None:
                raise UserError("the judge grader needs a judge model")
            plan.grading_usd += judge_estimate(
                judge, s["counted_input_tokens"], s["original_output_tokens"]
            )
    return plan


def _count(db: Path, plan: Plan, client: anthropic.Anthropic, target: Rates) -> None:
    """count_tokens on the target for samples not counted yet (free; stored as it goes)."""
    todo = [s for s in plan.samples if s["counted_input_tokens"] is None]
    counts: dict[str, int] = {}
    for s in todo:
        params = calls.params_for(plan.captures[s["request_key"]].request, target.model)
        counts[s["request_key"]] = calls.count_tokens(client, params)
    if counts:
        with qdb.connect(db) as conn:
            for key, n in counts.items():
                store.update_sample(conn, plan.run_id, key, counted_input_tokens=n)
    for s in todo:
        s["counted_input_tokens"] = counts[s["request_key"]]


def _frame_note(frames: list[store.Frame]) -> str:
    """The sampling frame: which requests were eligible, per workload, and their days."""
    if not frames:
        return "frame: no captured request with a completed usage row"
    per: dict[str, int] = {}
    for f in frames:
        per[f.workload] = per.get(f.workload, 0) + 1
    days = sorted(f.ts.date() for f in frames)
    counts = ", ".join(f"{w} {n}" for w, n in sorted(per.items()))
    return (
        f"frame: captured requests with a completed usage row, {days[0]} .. {days[-1]} "
        f"(UTC): {counts}"
    )


def estimate_lines(plan: Plan, o: Options) -> list[str]:
    n = len(plan.samples)
    todo = sum(1 for s in plan.samples if s["status"] != "answered")
    orig_in = sum(int(s["original_input_tokens"]) for s in plan.samples)
    counted = sum(int(s["counted_input_tokens"]) for s in plan.samples)
    factor = f"{counted / orig_in:.3f}" if orig_in else "n/a"
    graders = ", ".join(f"{w}: {g}" for w, g in sorted(plan.graders.items()))
    return [
        f"replay {plan.run_id}: {n} samples on {plan.run['target']} ({o.mode} mode), "
        f"{todo} to send; graders {graders}",
        plan.frame_note,
        f"target input tokens {counted:,} (original {orig_in:,}; tokenizer factor {factor})",
        f"estimate ${plan.replay_usd:.4f} replay + ${plan.grading_usd:.4f} grading "
        f"= ${plan.estimate:.4f}; spent so far ${plan.spent:.4f}; cap --max-usd ${o.max_usd}",
    ]


def approve(
    plan: Plan, o: Options, yes: bool, confirm: Callable[[str], bool], interactive: bool | None
) -> None:
    """Refuse an estimate over the cap; without --yes ask, and refuse when nobody can answer."""
    if plan.spent + plan.estimate > o.max_usd:
        raise UserError(
            f"estimated ${plan.estimate:.4f} (plus ${plan.spent:.4f} spent) is over --max-usd "
            f"${o.max_usd}: nothing was sent. Raise --max-usd or lower --sample."
        )
    if yes:
        return
    tty = sys.stdin.isatty() if interactive is None else interactive
    if not tty:
        raise UserError("not interactive: add --yes to spend the estimate above")
    if not confirm(f"Spend up to ${plan.estimate:.4f} on this replay?"):
        raise UserError("not confirmed: nothing was sent")


def graders_for_run(db: Path, run: dict[str, Any]) -> dict[str, str]:
    """The grader per workload of a stored run (the defaults decided again from task class)."""
    with qdb.connect(db) as conn:
        rows = store.samples(conn, run["run_id"])
    caps = capture.get_captures(db, [s["request_key"] for s in rows])
    originals: dict[str, list[str]] = {}
    for s in rows:
        if s["request_key"] in caps:
            text = calls.text_of(caps[s["request_key"]].response)
            originals.setdefault(s["workload"], []).append(text)
    o = Options(target=run["target"], grader=run["grader"])
    with qdb.connect(db) as conn:
        return _graders(conn, o, {s["workload"] for s in rows}, originals)
