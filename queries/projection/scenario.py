"""Scenarios: what moves where, and the modelling knobs (built in, or from a TOML file).

A scenario names its target models, which workloads move (or a rule that decides), the share of
their traffic moved, the escalation rate, the output ratio and an optional tokenizer factor.
Everything here is plain values: no database, no prices.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl

from switchcost.queries.errors import UserError

BUILTIN_SCENARIOS = ("all", "recommended", "subagents")
DEFAULT_TARGET = "claude-haiku-4-5"
ZERO = Decimal(0)
ONE = Decimal(1)
KNOWN_KEYS = frozenset(
    {
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
)


class ScenarioError(UserError):
    """A scenario (its file, a knob, a target model) the user has to fix; names what and where."""


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

    def default_ratio(self) -> Decimal:
        """The output ratio of a workload without its own entry."""
        return self.ratio_for("*") if isinstance(self.output_ratio, dict) else self.output_ratio

    def rule(self) -> str:
        if self.workloads is not None:
            return "workloads"
        return self.name if self.name in BUILTIN_SCENARIOS else "all"


def builtin_scenario(
    name: Literal["all", "recommended", "subagents"], targets: tuple[str, ...]
) -> Scenario:
    """One of the named scenarios with every knob at its default."""
    if name not in BUILTIN_SCENARIOS:
        raise ScenarioError(f"unknown scenario {name!r}: choose {', '.join(BUILTIN_SCENARIOS)}")
    return Scenario(name=name, targets=tuple(targets) or (DEFAULT_TARGET,))


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    return Decimal(value)


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def load_scenario_file(path: Path) -> list[Scenario]:
    """User scenarios: a TOML file of `[[scenarios]]` tables.

    Keys: name (required), targets or target, workloads, share, escalation, output_ratio (a
    number, or a table workload -> number with `"*"` as the default), tokenizer_factor,
    batchable (workloads whose requests need no immediate answer: queries/levers.py).
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError as err:
        raise ScenarioError(f"{path}: scenario file not found") from err
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from err
    entries = doc.get("scenarios")
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"{path}: expected one or more [[scenarios]] tables")
    out = []
    for i, entry in enumerate(entries):
        scenario = _entry(entry, f"{path} scenarios[{i}]")
        validate(scenario)
        out.append(scenario)
    return out


def _entry(entry: dict[str, Any], where: str) -> Scenario:
    unknown = sorted(set(entry) - KNOWN_KEYS)
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {', '.join(unknown)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{where}: every scenario needs a name")
    targets = entry.get("targets", [entry["target"]] if "target" in entry else [DEFAULT_TARGET])
    if isinstance(targets, str):
        targets = [targets]
    if not _names(targets):
        raise ScenarioError(f"{where}.targets: expected a list of model ids")
    workloads = entry.get("workloads")
    if workloads is not None and not _names(workloads):
        raise ScenarioError(f"{where}.workloads: expected a list of workload names")
    raw_ratio = entry.get("output_ratio", ONE)
    ratio: Decimal | dict[str, Decimal]
    if isinstance(raw_ratio, dict):
        ratio = {str(k): _dec(v, f"{where}.output_ratio.{k}") for k, v in raw_ratio.items()}
    else:
        ratio = _dec(raw_ratio, f"{where}.output_ratio")
    factor = entry.get("tokenizer_factor")
    batchable = entry.get("batchable", [])
    if not _names(batchable):
        raise ScenarioError(f"{where}.batchable: expected a list of workload names")
    return Scenario(
        name=name,
        targets=tuple(targets),
        workloads=tuple(workloads) if workloads is not None else None,
        share=_dec(entry.get("share", ONE), f"{where}.share"),
        escalation=_dec(entry.get("escalation", ZERO), f"{where}.escalation"),
        output_ratio=ratio,
        tokenizer_factor=_dec(factor, f"{where}.tokenizer_factor") if factor else None,
        batchable=tuple(batchable),
    )


def validate(s: Scenario) -> None:
    """Refuse knobs outside their range (ScenarioError naming the scenario)."""
    if not s.targets:
        raise ScenarioError(f"scenario {s.name!r}: no target model")
    if not ZERO <= s.share <= ONE:
        raise ScenarioError(f"scenario {s.name!r}: share must be between 0 and 1, got {s.share}")
    if not ZERO <= s.escalation <= ONE:
        raise ScenarioError(
            f"scenario {s.name!r}: escalation must be between 0 and 1, got {s.escalation}"
        )
    ratios = s.output_ratio.values() if isinstance(s.output_ratio, dict) else [s.output_ratio]
    if any(r <= 0 for r in ratios):
        raise ScenarioError(f"scenario {s.name!r}: output ratios must be positive")
    if s.tokenizer_factor is not None and s.tokenizer_factor <= 0:
        raise ScenarioError(f"scenario {s.name!r}: tokenizer_factor must be positive")


def resolve(catalog_rows: pl.DataFrame, names: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical ids for the requested targets (rows of model_catalog.sql); an unknown or
    unpriced target is a ScenarioError."""
    catalog = {r["alias"]: r for r in catalog_rows.iter_rows(named=True)}
    out: list[str] = []
    for name in names:
        row = catalog.get(name.lower().removesuffix("[1m]"))
        if row is None:
            raise ScenarioError(f"unknown target model {name!r}: see `switchcost prices`")
        if not row["priced"]:
            raise ScenarioError(f"target model {name!r} has no price: add one with --prices FILE")
        if row["model_id"] not in out:
            out.append(row["model_id"])
    return tuple(out)


def selection(
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
