"""In CI, a skipped test fails the run unless its reason is on a short allow-list.

CI (`.ci/run`) installs everything the suite can use, ccusage and Chromium included, so a test
that skips there has silently stopped testing something.  When the environment variable `CI` is
`true`, any skip (a test's or a whole module's) whose reason does not start with one of
`CI_ALLOWED_SKIPS` is reported as a failure naming the reason.  Expected failures (`xfail`) are
not skips.  Outside CI, skips stay skips; `-ra` lists each with its reason.

Loaded by tests/conftest.py (hooks imported there) and by name (`-p tests.skip_policy`) in
tests/test_ci_skips.py.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

# Reasons CI cannot rule out: they depend on the machine, not on what CI installed.  ccusage
# parity and the browser tests are NOT here: CI installs both, so they must run.
CI_ALLOWED_SKIPS = (
    "this DuckDB build does not lock across processes",
    "mounting a small tmpfs needs root",
    "cannot mount a tmpfs here",
    # a kill aimed at the moment DuckDB starts spilling: a fast run may never spill
    "the run finished before DuckDB spilled",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    """The reason text of a skipped report (without pytest's 'Skipped: ' prefix)."""
    longrepr: Any = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return str(text).removeprefix("Skipped: ")


def allowed(reason: str) -> bool:
    return reason.startswith(CI_ALLOWED_SKIPS)


def _fail_if_forbidden(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail") or not in_ci():
        return
    reason = skip_reason(report)
    if allowed(reason):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped in CI, where it must run (CI=true): {reason}\n"
        "Install what it needs in .ci/run, or add the reason to CI_ALLOWED_SKIPS in "
        "tests/skip_policy.py if CI can never provide it."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    _fail_if_forbidden(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    _fail_if_forbidden(outcome.get_result())
