"""The LLM judge: is the target's answer at least as good as the original's?

The judge sees the request and both answers twice, in both orders (A/B then B/A), to cancel
position bias, and answers with JSON {"better": "A" | "B" | "tie", "reason": "..."}.  The
sample fails only when both orders prefer the original; an inconsistent pair counts as a tie,
and a tie passes (Zheng et al. 2023, MT-Bench).  An unreadable judge reply counts as a tie for
that order.  Each call is checked against the budget first and its real cost counts.
"""

from __future__ import annotations

import json
import re
from typing import Any

import anthropic

from switchcost.app.replay.budget import JUDGE_OUTPUT_TOKENS, Budget, Rates
from switchcost.app.replay.calls import text_of
from switchcost.app.replay.graders import Verdict

DEFAULT_JUDGE = "claude-sonnet-4-5"
INSTRUCTIONS = (
    "You compare two answers to the same request. Judge correctness, completeness and "
    "following the request's instructions; ignore length and style unless the request asks "
    'for them. Reply with only a JSON object: {"better": "A" or "B" or "tie", '
    '"reason": "<one sentence>"}.'
)


def _request_text(request: dict[str, Any]) -> str:
    system = request.get("system")
    parts = []
    if system:
        parts.append(f"[system]\n{system if isinstance(system, str) else text_of(system)}")
    for m in request.get("messages") or []:
        content = m.get("content")
        body = content if isinstance(content, str) else text_of(content or [])
        parts.append(f"[{m.get('role')}]\n{body}")
    return "\n\n".join(parts)


def _prompt(request: dict[str, Any], a: str, b: str) -> str:
    return (
        f"<request>\n{_request_text(request)}\n</request>\n\n"
        f"<answer_A>\n{a}\n</answer_A>\n\n<answer_B>\n{b}\n</answer_B>"
    )


def _better(text: str) -> tuple[str, str]:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        body = json.loads(match.group(0)) if match else {}
    except ValueError:
        body = {}
    better = str(body.get("better", "tie")).strip().upper() if isinstance(body, dict) else "TIE"
    reason = str(body.get("reason", "")) if isinstance(body, dict) else ""
    return (better if better in ("A", "B") else "tie"), reason


def judge(
    client: anthropic.Anthropic,
    rates: Rates,
    budget: Budget,
    request: dict[str, Any],
    original: list[Any],
    target: list[Any],
) -> Verdict:
    orig, new = text_of(original), text_of(target)
    picks: list[str] = []
    reasons: list[str] = []
    cost = rates.estimate(0, 0)
    for a, b in ((orig, new), (new, orig)):
        prompt = _prompt(request, a, b)
        budget.check(rates.estimate(len(prompt) // 3 + 200, JUDGE_OUTPUT_TOKENS))
        reply = client.messages.create(
            model=rates.model,
            max_tokens=JUDGE_OUTPUT_TOKENS,
            system=INSTRUCTIONS,
            messages=[{"role": "user", "content": prompt}],
        )
        body: dict[str, Any] = reply.to_dict(mode="json")
        spent = rates.cost(dict(body.get("usage") or {}))
        budget.add(spent)
        cost += spent
        better, reason = _better(text_of(list(body.get("content") or [])))
        picks.append(better)
        reasons.append(reason)
    # First order: A is the original; second: B is.  Fail only if both prefer the original.
    original_wins = picks[0] == "A" and picks[1] == "B"
    detail = f"orders: original first → {picks[0]}, target first → {picks[1]}"
    return Verdict(not original_wins, detail, cost, " | ".join(r for r in reasons if r))
