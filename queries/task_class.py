"""Task classes and the advice that follows from them, from rules the user can edit.

The class decides what the `recommended` scenario moves, so the rules are data (a TOML file next
to the prices) and the matching is plain Python: tag values first (the app said what the task
is), then workload-name globs, then the log source.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from switchcost.queries import rollup
from switchcost.queries.errors import UserError
from switchcost.queries.filters import Filters
from switchcost.queries.run_sql import run

TaskClass = Literal[
    "transformation", "generation", "agentic-coding", "planning", "fact-lookup", "unknown"
]
TASK_CLASSES: tuple[str, ...] = (
    "transformation",
    "generation",
    "agentic-coding",
    "planning",
    "fact-lookup",
    "unknown",
)
MOVE_POLICIES = ("all", "subagents", "none")


class RulesError(UserError):
    """The projection defaults / rules file is not usable; the message names the entry."""


@dataclass(frozen=True)
class Rule:
    task_class: str
    tag_values: frozenset[str]
    name_patterns: tuple[str, ...]
    sources: frozenset[str]


@dataclass(frozen=True)
class Advice:
    move: str
    recommendation: str
    reason: str


@dataclass(frozen=True)
class Speed:
    relative: Decimal
    source: str


@dataclass(frozen=True)
class Defaults:
    tag_keys: tuple[str, ...]
    min_latency_samples: int
    rules: tuple[Rule, ...]
    classes: dict[str, Advice]
    speeds: dict[str, Speed]
    files: tuple[str, ...]


def shipped_defaults_file() -> Path:
    return Path(str(resources.files("switchcost.queries") / "projection_defaults.toml"))


def user_rules_file(explicit: Path | None = None) -> Path | None:
    """Flag > `SWITCHCOST_PROJECTION` > ~/.config/switchcost/projection.toml (if it exists)."""
    if explicit is not None:
        return explicit
    env = os.environ.get("SWITCHCOST_PROJECTION")
    if env:
        return Path(env).expanduser()
    home_file = Path.home() / ".config" / "switchcost" / "projection.toml"
    return home_file if home_file.exists() else None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError as err:
        raise RulesError(f"{path}: file not found") from err
    except tomllib.TOMLDecodeError as err:
        raise RulesError(f"{path}: not valid TOML: {err}") from err


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: expected a list of strings")
    return [v.lower() for v in value]


def _rules(doc: dict[str, Any], path: Path) -> list[Rule]:
    out = []
    for i, entry in enumerate(doc.get("rules", [])):
        where = f"{path} rules[{i}]"
        cls = entry.get("class")
        if cls not in TASK_CLASSES:
            raise RulesError(f"{where}: class must be one of {', '.join(TASK_CLASSES)}")
        out.append(
            Rule(
                task_class=cls,
                tag_values=frozenset(_strings(entry.get("tag_values", []), f"{where}.tag_values")),
                name_patterns=tuple(
                    _strings(entry.get("name_patterns", []), f"{where}.name_patterns")
                ),
                sources=frozenset(_strings(entry.get("sources", []), f"{where}.sources")),
            )
        )
    return out


def load_defaults(user_file: Path | None = None) -> Defaults:
    """The shipped defaults overlaid by the user's file (its rules are tried first)."""
    files = [shipped_defaults_file()]
    extra = user_rules_file(user_file)
    if extra is not None:
        files.append(extra)
    tag_keys: tuple[str, ...] = ()
    min_samples = 20
    rules: list[Rule] = []
    classes: dict[str, Advice] = {}
    speeds: dict[str, Speed] = {}
    for path in files:
        doc = _read(path)
        if "tag_keys" in doc:
            tag_keys = tuple(_strings(doc["tag_keys"], f"{path} tag_keys"))
        if "min_latency_samples" in doc:
            value = doc["min_latency_samples"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise RulesError(f"{path} min_latency_samples: expected a positive integer")
            min_samples = value
        rules = _rules(doc, path) + rules
        for name, entry in doc.get("classes", {}).items():
            if name not in TASK_CLASSES:
                raise RulesError(f"{path} classes.{name}: unknown class")
            move = entry.get("move")
            if move not in MOVE_POLICIES:
                raise RulesError(f"{path} classes.{name}.move: one of {', '.join(MOVE_POLICIES)}")
            classes[name] = Advice(
                move, str(entry.get("recommendation", "")), str(entry.get("reason", ""))
            )
        for model, entry in doc.get("speeds", {}).items():
            rel = entry.get("relative")
            if isinstance(rel, bool) or not isinstance(rel, int | Decimal) or rel <= 0:
                raise RulesError(f"{path} speeds.{model}.relative: expected a positive number")
            speeds[model.lower()] = Speed(Decimal(rel), str(entry.get("source", "")))
    missing = [c for c in TASK_CLASSES if c not in classes]
    if missing:
        raise RulesError(f"no advice for task classes {', '.join(missing)}")
    return Defaults(tag_keys, min_samples, tuple(rules), classes, speeds, tuple(map(str, files)))


def classify(
    workload: str, tag_counts: dict[str, int], sources: list[str], rules: tuple[Rule, ...]
) -> tuple[str, str]:
    """(class, why) for one workload: tag values, then name globs, then sources."""
    name = workload.lower()
    for value, _count in sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0])):
        for rule in rules:
            if value in rule.tag_values:
                return rule.task_class, f"tag value {value!r}"
    for rule in rules:
        for pattern in rule.name_patterns:
            if fnmatch.fnmatchcase(name, pattern):
                return rule.task_class, f"name matches {pattern!r}"
    for rule in rules:
        hit = sorted(rule.sources.intersection(s.lower() for s in sources))
        if hit:
            return rule.task_class, f"source {hit[0]!r}"
    return "unknown", "no rule matched"


def task_classes(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    defaults: Defaults | None = None,
) -> pl.DataFrame:
    """Per workload: task_class, matched_by, move, recommendation, reason and request counts."""
    d = defaults or load_defaults()
    f = filters or Filters()
    frame = run(
        conn,
        "workload_tag_values",
        tag_keys=list(d.tag_keys),
        rollup=rollup.usable(conn, f.tz),
        **f.params(),
    )
    rows: list[dict[str, Any]] = []
    for part in frame.partition_by("workload", maintain_order=True):
        first = part.row(0, named=True)
        tags = {
            str(r["tag_value"]): int(r["tag_requests"])
            for r in part.iter_rows(named=True)
            if r["tag_value"] is not None
        }
        cls, why = classify(first["workload"], tags, list(first["sources"] or []), d.rules)
        advice = d.classes[cls]
        rows.append(
            {
                "workload": first["workload"],
                "task_class": cls,
                "matched_by": why,
                "move": advice.move,
                "recommendation": advice.recommendation,
                "reason": advice.reason,
                "requests": int(first["requests"]),
                "subagent_requests": int(first["subagent_requests"]),
            }
        )
    schema = {
        "workload": pl.String,
        "task_class": pl.String,
        "matched_by": pl.String,
        "move": pl.String,
        "recommendation": pl.String,
        "reason": pl.String,
        "requests": pl.Int64,
        "subagent_requests": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)
