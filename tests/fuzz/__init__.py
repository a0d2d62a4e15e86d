"""Generators for the reliability suite (tests/test_reliability_*.py): hostile log lines in
every format switchcost reads, mixed with valid lines whose dollars are computed here, from
queries/prices.toml's rates, with Decimal arithmetic that shares no code with switchcost's
pricing.  One module per concern: `rates` (independent pricing), `formats` (a valid record of
each format and where its fields sit), `kinds` (the bad-line kinds), `corpus` (files mixing
both, with the expected outcome of every line)."""

from __future__ import annotations

import pytest


def require_full(config: pytest.Config) -> None:
    """Skip a long trial unless it was asked for with `-m reliability_full` (a marker alone
    does not keep a test out of the default run)."""
    if "reliability_full" not in (config.getoption("markexpr", "") or ""):
        pytest.skip("a long reliability trial: run with -m reliability_full")
