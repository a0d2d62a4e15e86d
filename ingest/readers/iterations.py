"""`usage.iterations`: which token counts of a response are billed, at which model (one rule for
every reader of Messages API responses).

The beta usage block may list per-iteration usage (anthropic SDK `BetaIterationsUsage`), each
entry with its own input, output and cache counts and 5m/1h split, discriminated by `type`:

* no `iterations` (or an empty list): the top-level fields, at the response's model;
* `compaction` entries are NOT in the top-level fields: each is billed on top, at the
  response's model;
* `advisor_message` entries are billed at their own `model`;
* when a `fallback_message` entry is present, or a `message` entry names a model other than
  the response's: the top-level fields are not billed; each `message` / `fallback_message`
  entry is, at its own model (a `message` without one: the response's).  The main row is then
  the entry that served the response (the `fallback_message`, else the last `message`);
* otherwise the top-level fields are billed (they are the sum of the `message` entries) and
  `message` entries add nothing.

Entries of a type not listed above are not billed (their relation to the top-level fields is
unknown).  Each billed entry is its own row, so the long-context rule applies per iteration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from switchcost.ingest.readers.jsonl import BadRecord

# Kept from the top-level usage on every unit: they describe the whole request.
_REQUEST_FIELDS = ("service_tier", "speed", "inference_geo")
_TOKEN_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "cache_creation",
)


@dataclass(frozen=True)
class Unit:
    """What one row bills: `suffix` None for the main row, else `<type>-<index>` (the entry's
    position in the iterations list) appended to the request key after `#`."""

    suffix: str | None
    model: str
    usage: dict[str, Any]


def billing_units(usage: dict[str, Any], model: str) -> list[Unit]:
    """The rows a response's usage is billed as (the main row first)."""
    items = usage.get("iterations")
    if not items:
        return [Unit(None, model, usage)]
    if not isinstance(items, list):
        raise BadRecord("usage.iterations is not a list")
    entries: list[tuple[int, str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise BadRecord(f"usage.iterations[{index}] has no type")
        entries.append((index, item["type"], item))
    messages = [(i, e) for i, kind, e in entries if kind in ("message", "fallback_message")]
    per_message = any(
        kind == "fallback_message" or (kind == "message" and _other_model(e, model))
        for _, kind, e in entries
    )
    units: list[Unit] = []
    if per_message:
        fallback = [i for i, kind, _ in entries if kind == "fallback_message"]
        served = fallback[-1] if fallback else messages[-1][0]
        for index, entry in messages:
            at = _model_of(entry, index, model if entry["type"] == "message" else None)
            if index == served:
                main = {
                    **_entry_usage(usage, entry),
                    "server_tool_use": usage.get("server_tool_use"),
                }
                units.insert(0, Unit(None, at, main))
            else:
                units.append(Unit(f"{entry['type']}-{index}", at, _entry_usage(usage, entry)))
    else:
        units.append(Unit(None, model, usage))
    for index, kind, entry in entries:
        if kind == "compaction":
            units.append(Unit(f"compaction-{index}", model, _entry_usage(usage, entry)))
        elif kind == "advisor_message":
            at = _model_of(entry, index, None)
            units.append(Unit(f"advisor_message-{index}", at, _entry_usage(usage, entry)))
    return units


def _other_model(entry: dict[str, Any], model: str) -> bool:
    named = entry.get("model")
    return isinstance(named, str) and bool(named) and named.lower() != model.lower()


def _model_of(entry: dict[str, Any], index: int, default: str | None) -> str:
    named = entry.get("model")
    if isinstance(named, str) and named:
        return named
    if default is None:
        raise BadRecord(f"usage.iterations[{index}] ({entry['type']}) has no model")
    return default


def _entry_usage(usage: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """An entry's token counts with the request's tier, speed and geography."""
    out = {k: entry[k] for k in _TOKEN_FIELDS if k in entry}
    for key in _REQUEST_FIELDS:
        if key in usage:
            out[key] = usage[key]
    for key in ("input_tokens", "output_tokens"):
        if key not in out:
            raise BadRecord(f"usage.iterations entry ({entry['type']}) lacks {key}")
    return out
