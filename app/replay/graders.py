"""Graders: does the target's answer do as well as the original's, per sample.

- `exact`: the answers' text equal after normalising (Unicode NFKC, case-folded, runs of
  whitespace as one space, ends stripped).
- `json`: both parse as JSON (a fenced ```json block or the first {...}/[...] in the text);
  field-level agreement over the original's leaf fields (path → value); passes when every one
  of the original's fields has the same value in the target's.
- `label`: the class label (the first line, normalised as for `exact`, trailing punctuation
  dropped) is equal.
- `command:CMD`: CMD (split like a shell, run without one) gets {"request", "original",
  "target"} (target and original as text, plus their content blocks) as JSON on stdin and
  prints `pass` or `fail` first on stdout; anything else is an error, never a pass.
- `judge`: an LLM judge (app/replay/judge.py).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from switchcost.app.replay.calls import text_of
from switchcost.queries.errors import UserError

NAMES = ("exact", "json", "label", "judge")
COMMAND_TIMEOUT_S = 120


class GraderError(UserError):
    """A grader could not give a verdict (bad name, a command that failed)."""


@dataclass(frozen=True)
class Verdict:
    passed: bool
    detail: str
    cost_usd: Decimal = Decimal(0)
    reason: str | None = None  # the judge's words: kept in the capture store only


def check_name(name: str) -> str:
    if name in NAMES or name == "default":
        return name
    if name.startswith("command:") and name.removeprefix("command:").strip():
        return name
    raise GraderError(f"unknown grader {name!r}: use exact, json, label, judge or command:CMD")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def exact(original: str, target: str) -> Verdict:
    same = normalise(original) == normalise(target)
    return Verdict(same, "same text" if same else "text differs")


def label(original: str, target: str) -> Verdict:
    def first(text: str) -> str:
        line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
        return normalise(line).rstrip(".!;:,")

    same = first(original) == first(target)
    return Verdict(same, "same label" if same else "label differs")


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def parse_json(text: str) -> Any:
    """The JSON in an answer, or raise ValueError."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text.strip()]
    for open_, close in (("{", "}"), ("[", "]")):
        start, end = text.find(open_), text.rfind(close)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    for c in candidates:
        try:
            return json.loads(c)
        except ValueError:
            continue
    raise ValueError("no JSON found")


def leaves(value: Any, path: str = "$") -> dict[str, Any]:
    """Leaf fields by path ($.a.b[0]); an empty object or list is a leaf of its own."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(leaves(v, f"{path}.{k}"))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(leaves(v, f"{path}[{i}]"))
        return out
    return {path: value}


def json_fields(original: str, target: str) -> Verdict:
    try:
        want = leaves(parse_json(original))
    except ValueError:
        return Verdict(False, "original answer is not JSON")
    try:
        got = leaves(parse_json(target))
    except ValueError:
        return Verdict(False, f"target answer is not JSON (0 of {len(want)} fields)")
    agree = sum(1 for path, v in want.items() if path in got and got[path] == v)
    return Verdict(agree == len(want), f"{agree} of {len(want)} fields agree")


def command(cmd: str, request: dict[str, Any], original: list[Any], target: list[Any]) -> Verdict:
    argv = shlex.split(cmd)
    payload = json.dumps(
        {
            "request": request,
            "original": text_of(original),
            "target": text_of(target),
            "original_content": original,
            "target_content": target,
        }
    )
    try:
        done = subprocess.run(
            argv,
            input=payload,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise GraderError(f"grader command {argv[0]!r} could not run: {err}") from err
    words = done.stdout.split()
    word = words[0].lower() if words else ""
    if done.returncode != 0 or word not in ("pass", "fail"):
        raise GraderError(
            f"grader command {argv[0]!r} exited {done.returncode} and printed "
            f"{(word or 'nothing')[:20]!r}: it must print pass or fail"
        )
    return Verdict(word == "pass", f"command said {word}")


def grade_local(
    name: str, request: dict[str, Any], original: list[Any], target: list[Any]
) -> Verdict:
    """Every grader but the judge (no API calls)."""
    if name.startswith("command:"):
        return command(name.removeprefix("command:"), request, original, target)
    a, b = text_of(original), text_of(target)
    if name == "exact":
        return exact(a, b)
    if name == "json":
        return json_fields(a, b)
    if name == "label":
        return label(a, b)
    raise GraderError(f"{name} is not a local grader")


def default_for(task_class: str, original_texts: list[str]) -> str:
    """transformation → json when the originals are JSON, else exact; anything else → judge."""
    if task_class != "transformation":
        return "judge"
    for text in original_texts:
        try:
            parse_json(text)
        except ValueError:
            return "exact"
    return "json"
