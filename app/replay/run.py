"""Running a planned replay: live calls or a Message Batch, collecting results, grading.

Every answered sample is written (usage, cost, timing to the database; the answer to the capture
store) as soon as it arrives, so an interrupted replay resumes where it stopped and never pays
twice for a sample.  Live spend is summed from real usage; the next call is made only if its
estimate still fits under the cap.  A batch is checked against the cap by its estimate when it
is submitted; its real cost is summed at collect.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import anthropic

from switchcost.app.replay import calls, graders
from switchcost.app.replay.budget import Budget, CapReached, Rates
from switchcost.app.replay.judge import judge as run_judge
from switchcost.app.replay.plan import Plan
from switchcost.ingest import capture
from switchcost.ingest.redact import redact
from switchcost.queries import db as qdb
from switchcost.queries.errors import UserError
from switchcost.queries.measured import store

Say = Callable[[str], None]


def _record(
    db: Path,
    plan: Plan,
    key: str,
    answer: calls.Answer,
    cost: Decimal,
    already: str | None = None,
) -> None:
    dropped = ",".join(filter(None, [already, *answer.dropped])) or None
    capture.put_answer(db, plan.run_id, key, answer.content)
    with qdb.connect(db) as conn:
        store.update_sample(
            conn,
            plan.run_id,
            key,
            status="answered",
            target_input_tokens=int(answer.usage.get("input_tokens") or 0)
            + int(answer.usage.get("cache_creation_input_tokens") or 0)
            + int(answer.usage.get("cache_read_input_tokens") or 0),
            target_output_tokens=int(answer.usage.get("output_tokens") or 0),
            cost_usd=cost,
            latency_ms=answer.latency_ms,
            ttft_ms=answer.ttft_ms,
            dropped_params=dropped,
            error=None,
        )


def _fail(db: Path, plan: Plan, key: str, error: str) -> None:
    with qdb.connect(db) as conn:
        store.update_sample(conn, plan.run_id, key, status="failed", error=redact(error))


def _batch_error(
    db: Path, plan: Plan, s: dict[str, Any], err: calls.BatchError, c: capture.Captured | None
) -> None:
    """An errored batch request: a refused parameter is recorded and the sample left pending
    (the next `replay` sends it without that parameter); anything else fails the sample."""
    key = s["request_key"]
    refused = None
    if err.type == "invalid_request_error" and c is not None:
        params = calls.params_for(c.request, "x", s["dropped_params"])
        refused = calls.refused_in(err.message, params)
    if refused is None:
        _fail(db, plan, key, f"errored: {err.type}")
        return
    dropped = ",".join(filter(None, [s["dropped_params"], refused]))
    with qdb.connect(db) as conn:
        store.update_sample(
            conn, plan.run_id, key, status="pending", dropped_params=dropped, error=None
        )


def _status(db: Path, run_id: str, status: str, **extra: Any) -> None:
    with qdb.connect(db) as conn:
        run = store.get_run(conn, run_id)
        assert run is not None
        store.put_run(conn, {**run, **extra, "status": status})


def live(
    db: Path, plan: Plan, client: anthropic.Anthropic, target: Rates, budget: Budget, say: Say
) -> None:
    """Stream each sample not answered yet; stops (CapReached) before a call over the cap."""
    _status(db, plan.run_id, "running", estimate_usd=plan.estimate)
    for s in plan.samples:
        key = s["request_key"]
        if s["status"] == "answered":
            continue
        budget.check(plan.per_sample[key])
        params = calls.params_for(plan.captures[key].request, target.model, s["dropped_params"])
        try:
            answer = calls.live(client, params)
        except anthropic.AuthenticationError as err:
            raise UserError("the API refused the key (authentication error)") from err
        except anthropic.APIError as err:
            _fail(db, plan, key, f"{type(err).__name__}: {getattr(err, 'message', '')}")
            say(f"sample {key}: {type(err).__name__} after retries; left for the next run")
            continue
        cost = target.cost(answer.usage)
        budget.add(cost)
        _record(db, plan, key, answer, cost, s["dropped_params"])
        s["status"] = "answered"


def submit(
    db: Path, plan: Plan, client: anthropic.Anthropic, target: Rates, say: Say
) -> str | None:
    """One Message Batch of the samples not answered yet (none while a batch is out)."""
    if plan.run.get("status") == "submitted" and plan.run.get("batch_id"):
        say(f"batch {plan.run['batch_id']} is out: `switchcost replay collect --run {plan.run_id}`")
        return None
    todo = [s for s in plan.samples if s["status"] != "answered"]
    if not todo:
        return None
    requests = [
        (
            calls.custom_id(s["request_key"]),
            calls.params_for(
                plan.captures[s["request_key"]].request, target.model, s["dropped_params"]
            ),
        )
        for s in todo
    ]
    batch_id = calls.submit_batch(client, requests)
    _status(db, plan.run_id, "submitted", batch_id=batch_id, estimate_usd=plan.estimate)
    say(
        f"submitted batch {batch_id} ({len(todo)} requests); results within 24 h: "
        f"`switchcost replay status` then `switchcost replay collect --run {plan.run_id}`"
    )
    return batch_id


def collect(
    db: Path, run: dict[str, Any], client: anthropic.Anthropic, target: Rates, say: Say
) -> bool:
    """Store an ended batch's results (a sample answered before is left as it is); False
    while the batch is still running.  Collecting twice changes nothing."""
    batch_id = run.get("batch_id")
    if not batch_id:
        say(f"run {run['run_id']} has no batch to collect")
        return True
    state = calls.batch_state(client, batch_id)
    if state["processing_status"] != "ended":
        say(f"batch {batch_id}: {state['processing_status']} {state['request_counts']}")
        return False
    with qdb.connect(db) as conn:
        rows = store.samples(conn, run["run_id"])
    by_cid = {calls.custom_id(s["request_key"]): s for s in rows}
    caps = capture.get_captures(db, [s["request_key"] for s in rows])
    new = 0
    for cid, result in calls.batch_results(client, batch_id):
        s = by_cid.get(cid)
        if s is None or s["status"] == "answered":
            continue
        plan = Plan(run["run_id"], run, [], {}, {}, Decimal(0))
        if isinstance(result, calls.Answer):
            cost = target.cost(result.usage, batch=True)
            _record(db, plan, s["request_key"], result, cost, s["dropped_params"])
            new += 1
        elif isinstance(result, calls.BatchError):
            _batch_error(db, plan, s, result, caps.get(s["request_key"]))
        else:
            _fail(db, plan, s["request_key"], result)
    _status(db, run["run_id"], "collected")
    say(f"batch {batch_id}: {new} new answers stored")
    return True


def grade(
    db: Path,
    run_id: str,
    grader_for: dict[str, str],
    judge: tuple[anthropic.Anthropic, Rates] | None,
    budget: Budget,
    say: Say,
) -> int:
    """Grade every answered sample without a verdict from its workload's grader."""
    with qdb.connect(db) as conn:
        rows = store.samples(conn, run_id)
        have = {(v["request_key"], v["grader"]) for v in store.verdicts(conn, run_id)}
    answers = capture.get_answers(db, run_id)
    caps = capture.get_captures(db, [s["request_key"] for s in rows])
    pending: list[tuple[str, str, graders.Verdict]] = []
    graded = 0
    try:
        for s in rows:
            key, name = s["request_key"], grader_for.get(s["workload"], "judge")
            if s["status"] != "answered" or (key, name) in have or key not in caps:
                continue
            if key not in answers:
                continue
            c = caps[key]
            if name == "judge":
                if judge is None:
                    raise UserError("the judge grader needs a judge model")
                verdict = run_judge(judge[0], judge[1], budget, c.request, c.response, answers[key])
            else:
                verdict = graders.grade_local(name, c.request, c.response, answers[key])
            pending.append((key, name, verdict))
            graded += 1
            if name == "judge":  # paid: stored at once, so a stop loses nothing
                _verdicts(db, run_id, pending)
    finally:
        _verdicts(db, run_id, pending)
    say(f"graded {graded} samples")
    return graded


def _verdicts(db: Path, run_id: str, pending: list[tuple[str, str, graders.Verdict]]) -> None:
    """Store and clear the verdicts given so far (the judge's reasons in the capture store)."""
    if not pending:
        return
    for key, name, v in pending:
        if v.reason:
            capture.put_reason(db, run_id, key, name, v.reason)
    with qdb.connect(db) as conn:
        for key, name, v in pending:
            store.put_verdict(conn, run_id, key, name, v.passed, v.detail, v.cost_usd)
    pending.clear()


__all__ = ["CapReached", "collect", "grade", "live", "submit"]
