"""Chart labels from the data cannot inject Plotly's HTML subset (links, bold, line breaks).

Every figure builder in app.charts is fed names holding markup; no string in the figure JSON may
then hold a `<` other than the builder's own `<br>` / `<extra>` template markup, and the name is
still there, escaped (Plotly shows `&lt;` as `<`; quotes stay as they are, since Plotly does not
decode `&quot;`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest

from switchcost.app import charts
from switchcost.app.safe_text import md

LINK = '<a href="https://example.com">x</a>'
BOLD = "<b>big</b><br>next"
TEMPLATE = "%{customdata[0]}<i>"
NAMES = (LINK, BOLD, TEMPLATE)
OWN_MARKUP = re.compile(r"<br>|<extra>|</extra>")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from _strings(v)


def assert_inert(fig: go.Figure) -> None:
    texts = list(_strings(fig.to_plotly_json()))
    for text in texts:
        assert "<" not in OWN_MARKUP.sub("", text), text
    joined = "\n".join(texts)
    assert '&lt;a href="https://example.com"&gt;x&lt;/a&gt;' in joined
    assert "&lt;b&gt;big&lt;/b&gt;&lt;br&gt;next" in joined
    # A name is never pasted into a hover template, where %{...} would be substituted.
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None) or ""
        assert "customdata[0]}&lt;i&gt;" not in template


def _money(*values: str) -> pl.Series:
    return pl.Series([Decimal(v) for v in values], dtype=pl.Decimal(18, 6))


def test_spend_over_time() -> None:
    frame = pl.DataFrame(
        {
            "day": [dt.date(2026, 11, 2)] * 3,
            "model": list(NAMES),
            "cost_usd": _money("1.5", "2.5", "0.5"),
            "requests": [1, 2, 3],
        }
    )
    fig = charts.spend_over_time(frame)
    assert_inert(fig)
    assert {t.name for t in fig.data} == {charts.label(n) for n in NAMES}


@pytest.mark.parametrize("column", ["workload", "model", "project", "session_id", "source"])
def test_spend_by(column: str) -> None:
    frame = pl.DataFrame(
        {column: list(NAMES), "cost_usd": _money("1", "2", "3"), "requests": [1, 1, 1]}
    )
    assert_inert(charts.spend_by(frame, column, "Spend by " + column))


def test_tokens_by_type_with_an_unknown_key() -> None:
    fig = charts.tokens_by_type({"input_tokens": 10, LINK: 1, BOLD: 2, TEMPLATE: 3})
    assert_inert(fig)


def _projection(label: str, values: list[Any]) -> pl.DataFrame:
    rows = []
    for target in ("claude-haiku-4-5", LINK):
        for v in values:
            rows.append(
                {
                    label: v,
                    "target": target,
                    "current_cost_usd": Decimal("2"),
                    "projected_cost_usd": Decimal("1"),
                }
            )
    return pl.DataFrame(rows)


def test_current_vs_projected_over_time() -> None:
    frame = _projection("day", [dt.date(2026, 11, 2), dt.date(2026, 11, 3)])
    fig = charts.current_vs_projected_over_time(frame)
    for text in _strings(fig.to_plotly_json()):
        assert "<" not in OWN_MARKUP.sub("", text), text
    assert 'Projected on &lt;a href="https://example.com"&gt;x&lt;/a&gt;' in {
        t.name for t in fig.data
    }


def test_current_vs_projected_by() -> None:
    assert_inert(charts.current_vs_projected_by(_projection("workload", list(NAMES)), "workload"))


def test_percentiles() -> None:
    frame = pl.DataFrame(
        {
            "workload": list(NAMES),
            "latency_p50_ms": [1.0, 2.0, 3.0],
            "latency_p95_ms": [2.0, 3.0, 4.0],
            "latency_samples": [5, 6, 7],
        }
    )
    cols = (("latency_p50_ms", "p50"), ("latency_p95_ms", "p95"))
    assert_inert(charts.percentiles(frame, "workload", cols, "latency_samples", "Latency", "ms"))


@pytest.mark.parametrize("with_target", [True, False])
def test_latency_current_vs_projected(with_target: bool) -> None:
    data: dict[str, Any] = {
        "workload": list(NAMES),
        "current_p50_ms": [1.0, 2.0, 3.0],
        "projected_p50_ms": [1.0, 2.0, 3.0],
        "current_p95_ms": [1.0, 2.0, 3.0],
        "projected_p95_ms": [1.0, 2.0, 3.0],
    }
    if with_target:
        data["target"] = [LINK] * 3
    assert_inert(charts.latency_current_vs_projected(pl.DataFrame(data)))


def test_markdown_text_is_literal() -> None:
    # Markdown links, images, emphasis and Streamlit's :color[...] directives become plain text.
    out = md("[x](https://example.com) ![i](https://e.com/p.png) *b* :red[r] $x$\nnext")
    assert "\n" not in out
    for raw in ("[x](", "![i]", "*b*", ":red[", "$x$"):
        assert raw not in out
    assert out.replace("\\", "") == (
        "[x](https://example.com) ![i](https://e.com/p.png) *b* :red[r] $x$ next"
    )
