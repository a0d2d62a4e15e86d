"""The filters every query takes: date window, time zone, workloads, models, sources, sub-agents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Filters:
    """The filters every report, projection and dashboard page shares."""

    since: dt.date | None = None
    until: dt.date | None = None
    tz: str = "UTC"
    workloads: tuple[str, ...] | None = None
    models: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    subagent: bool | None = None

    def params(self) -> dict[str, Any]:
        """The filters as the bound parameters of the SQL files."""
        return {
            "since": self.since,
            "until": self.until,
            "tz": self.tz,
            "workloads": list(self.workloads) if self.workloads is not None else None,
            "models": list(self.models) if self.models is not None else None,
            "sources": list(self.sources) if self.sources is not None else None,
            "subagent": self.subagent,
        }
