"""Claude Code project folders shown by a readable name (app/project_names.py), and the CSV copy
of a dashboard table keeping the stored value with the full path beside it (app/ui.py)."""

from __future__ import annotations

import polars as pl
import pytest

from switchcost.app import project_names, ui


@pytest.mark.parametrize(
    ("folder", "name", "path"),
    [
        ("-home-alice-code-billing-core", "billing-core", "/home/alice/code/billing-core"),
        ("-Users-dana-code-search-svc", "search-svc", "/Users/dana/code/search-svc"),
        ("-Users-dana-work-web-dashboard", "web-dashboard", "/Users/dana/work/web-dashboard"),
        ("-home-chen-work-infra", "infra", "/home/chen/work/infra"),
        ("-srv-apps-ledger", "srv-apps-ledger", "/srv-apps-ledger"),
        ("-root-code-api", "api", "/root/code/api"),
        ("-home-alice", "alice", "/home/alice"),  # the home folder itself
        ("C--Users-bob-repos-tool", "tool", "C:\\Users\\bob\\repos\\tool"),
    ],
)
def test_readable_name_and_path(folder: str, name: str, path: str) -> None:
    assert project_names.readable(folder) == (name, path)


@pytest.mark.parametrize("value", ["docs-qa", "json-extraction", "-=evil()", "(none)", "-x"])
def test_other_names_are_their_own_name(value: str) -> None:
    assert not project_names.is_encoded(value)
    assert project_names.name(value) == value


def test_none_reads_as_none_in_words() -> None:
    assert project_names.name(None) == "(none)"


def test_table_shows_names_and_csv_keeps_the_stored_value_with_the_path() -> None:
    frame = pl.DataFrame(
        {"project": ["-home-alice-code-billing-core", None, "docs-qa"], "requests": [3, 1, 2]}
    )
    shown, config = ui.display(frame)
    assert shown["project"].to_list() == ["billing-core", None, "docs-qa"]
    assert shown["project_path"].to_list() == ["/home/alice/code/billing-core", None, None]
    assert config["project_path"]["label"] == "Project path"
    assert "—" in config["project_path"]["help"]  # why a cell is empty
    csv = ui.with_paths(frame)
    assert csv["project"].to_list() == ["-home-alice-code-billing-core", None, "docs-qa"]
    assert csv["project_path"].to_list() == ["/home/alice/code/billing-core", None, None]


def test_display_formats_money_rates_prices_and_labels() -> None:
    from decimal import Decimal

    frame = pl.DataFrame(
        {
            "cost_usd": [Decimal("1234.5678")],
            "break_even_escalation": [Decimal("0.676")],
            "input": [Decimal("0.125")],
            "output": [Decimal("15")],
            "cache_write_5m_tokens": [1234567],
        },
        schema={
            "cost_usd": pl.Decimal(38, 12),
            "break_even_escalation": pl.Decimal(38, 12),
            "input": pl.Decimal(18, 6),
            "output": pl.Decimal(18, 6),
            "cache_write_5m_tokens": pl.Int64,
        },
    )
    shown, config = ui.display(frame)
    assert config["cost_usd"]["type_config"]["format"] == "dollar"
    assert shown["break_even_escalation"][0] == pytest.approx(67.6)  # shown as 67.6%
    assert config["break_even_escalation"]["type_config"]["format"] == "%.1f%%"
    assert shown["input"][0] == "$0.125"  # every digit of a price
    assert shown["output"][0] == "$15.00"
    assert config["cache_write_5m_tokens"]["label"] == "Cache write 5 min"
    assert config["cache_write_5m_tokens"]["type_config"]["format"] == "localized"


def test_metric_helpers_never_say_none() -> None:
    assert ui.dollars(None) == "—"
    assert ui.percent(None) == "—"
    assert ui.dollars("-1234.565") == "-$1,234.57"
    assert ui.percent("0.676") == "67.6%"
