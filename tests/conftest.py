"""Shared fixtures: every test runs with an isolated HOME, no user price file, a tmp database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # so tests can import bench.synth (the generators)

# In CI (CI=true) a skip whose reason is not on the allow-list fails the run (tests/skip_policy.py).
from tests.skip_policy import (  # noqa: E402,F401
    pytest_make_collect_report,
    pytest_runtest_makereport,
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's ~/.claude, ~/.config or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SWITCHCOST_DB", raising=False)
    monkeypatch.delenv("SWITCHCOST_PRICES", raising=False)
    monkeypatch.delenv("ANTHROPIC_ADMIN_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    from switchcost.queries import location

    user_prices = home / ".config/switchcost/prices.toml"
    monkeypatch.setattr(location, "USER_PRICE_FILE", user_prices)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a real DuckDB file in this test's tmp dir (created on first connect)."""
    return tmp_path / "switchcost.duckdb"
