"""The monthly run-rate: the one rule every page and command uses (Overview, Switch, `project`).

A window's cost becomes a month's by the days the window covers, not the days that happen to
have requests: from the filter's first day (`--since`; open-ended: the first day with data) to
its last day (`--until`; open-ended: the last day with data), both inclusive.  So "the last 30
days" over 10 days of data is 30 days (the 20 days without requests cost nothing in this
window), and "all time" is the span of the data, first to last day.  A month is 30.4375 days
(365.25 / 12, so twelve make a year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

#: A month for the run-rate: the average Gregorian month, so 12 of them make a year.
DAYS_PER_MONTH = Decimal("30.4375")
RULE = (
    "monthly = the window's cost x 30.4375 / the days the window covers: from the first day "
    "of the filter (or of the data, when open) to its last day (or the data's), inclusive"
)


def note(days: int) -> str:
    """The rule as the pages state it, for a window of `days`."""
    return (
        f"Per month = the window's cost × 30.4375 / {days:,} days, the days the date filter "
        "covers (an open end: the first or last day with data); the same rule on every page "
        "and in `switchcost project`."
    )


class Bounds(Protocol):
    """The date bounds of a filter (queries.filters.Filters has them)."""

    @property
    def since(self) -> dt.date | None: ...
    @property
    def until(self) -> dt.date | None: ...


@dataclass(frozen=True)
class Window:
    """The days a run-rate divides by, and where they start and end."""

    first_day: dt.date | None
    last_day: dt.date | None
    days: int

    def monthly(self, amount: Decimal) -> Decimal | None:
        """`amount` (the window's cost) per month; None for a window of no days."""
        return amount * DAYS_PER_MONTH / self.days if self.days else None


def window(
    filters: Bounds, first_data_day: dt.date | None, last_data_day: dt.date | None
) -> Window:
    """The window of RULE for these filters and the first and last day with data in them."""
    start = filters.since or first_data_day
    end = filters.until or last_data_day
    if start is None or end is None or end < start:
        return Window(start, end, 0)
    return Window(start, end, (end - start).days + 1)
