"""Pure functions from Polars frames to Plotly figures: no Streamlit, no database.

Money arrives as exact Decimals and is turned into floats only here, for drawing; the hover text
shows the amount rounded to the cent.  Keeping these pure lets a test check a figure's data
without a browser.

Plotly draws a subset of HTML in legends, tick labels, hover text and titles (`<a href>`, `<b>`,
`<br>`), so every label that comes from the data (model, workload, project, session, target
names) goes through `label` (html.escape; Plotly shows `&lt;` as `<`), and hover templates name
a trace with `%{fullData.name}` rather than pasting the name into the template.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl

from switchcost.app import project_names

MONEY_AXIS = {"tickprefix": "$", "tickformat": ",.2f", "separatethousands": True}
TOKEN_LABELS = {
    "input_tokens": "Input (uncached)",
    "cache_write_5m_tokens": "Cache write 5 min",
    "cache_write_1h_tokens": "Cache write 1 h",
    "cache_read_tokens": "Cache read",
    "output_tokens": "Output",
}
_LAYOUT: dict[str, Any] = {
    "margin": {"l": 10, "r": 10, "t": 90, "b": 10},
    "title_y": 0.97,
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
    "hoverlabel": {"namelength": -1},
}


def label(value: Any) -> str:
    """A data-derived name made inert for Plotly's HTML subset (shown as typed).  Only & < > are
    escaped: Plotly decodes &amp; &lt; &gt; but would show `&quot;` as those six characters."""
    return html.escape(str(value), quote=False)


def _labels(values: Iterable[Any]) -> list[str]:
    return [label(v) for v in values]


def _names(values: Iterable[Any]) -> list[str]:
    """Workload/project names as shown: a Claude Code project folder by its readable name."""
    return [label(project_names.name(v)) for v in values]


def _paths(values: Iterable[Any]) -> list[str]:
    """The hover line under a name: the full path of a Claude Code project, else nothing."""
    return [
        "<br>" + label(project_names.readable(v)[1]) if project_names.is_encoded(v) else ""
        for v in values
    ]


def _floats(values: Iterable[Any]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def dollars(value: Any) -> str:
    """$1,234.57 — for hover text and labels (display only; the value stays exact elsewhere)."""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title,
        annotations=[{"text": "No data for these filters", "showarrow": False}],
        **_LAYOUT,
    )
    return fig


def spend_over_time(frame: pl.DataFrame) -> go.Figure:
    """Daily spend stacked by model (frame: day, model, cost_usd, requests)."""
    title = "Spend per day by model"
    if frame.is_empty():
        return _empty(title)
    fig = go.Figure()
    for model in frame["model"].unique(maintain_order=True).sort().to_list():
        part = frame.filter(pl.col("model") == model)
        fig.add_bar(
            name=label(model),
            x=[str(d) for d in part["day"].to_list()],
            y=_floats(part["cost_usd"]),
            customdata=list(
                zip(
                    [dollars(c) for c in part["cost_usd"]],
                    part["requests"].to_list(),
                    strict=True,
                )
            ),
            hovertemplate="%{fullData.name}<br>%{x}<br>%{customdata[0]} · "
            "%{customdata[1]:,} requests<extra></extra>",
        )
    fig.update_layout(title=title, barmode="stack", xaxis_title="Day", yaxis_title="Spend (USD)")
    fig.update_yaxes(**MONEY_AXIS)
    fig.update_layout(**_LAYOUT)
    return fig


def spend_by(frame: pl.DataFrame, column: str, title: str) -> go.Figure:
    """Horizontal bars of cost_usd per `column` (workload, model, ...), largest on top."""
    if frame.is_empty():
        return _empty(title)
    part = frame.sort("cost_usd")
    fig = go.Figure(
        go.Bar(
            x=_floats(part["cost_usd"]),
            y=_names(part[column].to_list()),
            orientation="h",
            text=[dollars(c) for c in part["cost_usd"]],
            customdata=list(
                zip(part["requests"].to_list(), _paths(part[column].to_list()), strict=True)
            ),
            hovertemplate="%{y}%{customdata[1]}<br>%{text} · %{customdata[0]:,} requests"
            "<extra></extra>",
        )
    )
    fig.update_layout(title=title, xaxis_title="Spend (USD)", yaxis_title=None)
    fig.update_xaxes(**MONEY_AXIS)
    fig.update_layout(**_LAYOUT)
    return fig


def tokens_by_type(tokens: dict[str, int]) -> go.Figure:
    """One bar per token type (uncached input, cache writes, cache reads, output)."""
    names = [TOKEN_LABELS.get(k) or label(k) for k in tokens]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=list(tokens.values()),
            hovertemplate="%{x}: %{y:,} tokens<extra></extra>",
        )
    )
    fig.update_layout(title="Tokens by type", yaxis_title="Tokens", **_LAYOUT)
    fig.update_yaxes(tickformat="~s")
    return fig


def _current_and_projected(frame: pl.DataFrame, label: str) -> pl.DataFrame:
    """Per `label`: current cost once (it is the same for every target), projected per target."""
    first = frame["target"][0]
    current = frame.filter(pl.col("target") == first).select(
        label, pl.col("current_cost_usd").alias("Current")
    )
    wide = current
    for target in frame["target"].unique(maintain_order=True).to_list():
        part = frame.filter(pl.col("target") == target).select(
            label, pl.col("projected_cost_usd").alias(f"Projected on {target}")
        )
        wide = wide.join(part, on=label, how="full", coalesce=True)
    return wide


def current_vs_projected_over_time(frame: pl.DataFrame) -> go.Figure:
    """Lines per day: what it cost, and what it would have cost on each target."""
    title = "Current vs projected spend per day"
    if frame.is_empty():
        return _empty(title)
    wide = _current_and_projected(frame, "day").sort("day")
    days = [str(d) for d in wide["day"].to_list()]
    fig = go.Figure()
    for name in wide.columns[1:]:
        fig.add_scatter(
            x=days,
            y=_floats(wide[name]),
            name=label(name),
            mode="lines+markers",
            text=[dollars(v or 0) for v in wide[name]],
            hovertemplate="%{fullData.name}<br>%{x}: %{text}<extra></extra>",
        )
    fig.update_layout(title=title, xaxis_title="Day", yaxis_title="Spend (USD)", **_LAYOUT)
    fig.update_yaxes(**MONEY_AXIS)
    return fig


def current_vs_projected_by(frame: pl.DataFrame, column: str = "workload") -> go.Figure:
    """Grouped bars per workload: current cost and projected cost on each target."""
    title = f"Current vs projected spend by {label(column)}"
    if frame.is_empty():
        return _empty(title)
    wide = _current_and_projected(frame, column).sort("Current", descending=True)
    names = _names(wide[column].to_list())
    paths = _paths(wide[column].to_list())
    fig = go.Figure()
    for name in wide.columns[1:]:
        fig.add_bar(
            x=names,
            y=_floats(wide[name]),
            name=label(name),
            text=[dollars(v or 0) for v in wide[name]],
            customdata=paths,
            hovertemplate="%{fullData.name}<br>%{x}%{customdata}: %{text}<extra></extra>",
        )
    fig.update_layout(title=title, barmode="group", yaxis_title="Spend (USD)", **_LAYOUT)
    fig.update_yaxes(**MONEY_AXIS)
    return fig


def percentiles(
    frame: pl.DataFrame,
    column: str,
    columns: Sequence[tuple[str, str]],
    samples: str,
    title: str,
    unit: str,
) -> go.Figure:
    """Grouped bars of percentile columns per `column`, with the sample count in the hover."""
    present = [(c, n) for c, n in columns if c in frame.columns]
    if frame.is_empty() or not present:
        return _empty(title)
    frame = frame.filter(pl.col(samples) > 0)
    if frame.is_empty():
        return _empty(title)
    names = [
        f"{label(project_names.name(v))} (n={n:,})"
        for v, n in zip(frame[column], frame[samples], strict=True)
    ]
    counts = [int(v) for v in frame[samples].to_list()]
    fig = go.Figure()
    for col, name in present:
        fig.add_bar(
            x=names,
            y=_floats(frame[col]),
            name=name,
            customdata=counts,
            hovertemplate=f"%{{x}} %{{fullData.name}}: %{{y:,.0f}} {label(unit)}"
            "<br>%{customdata:,} samples<extra></extra>",
        )
    fig.update_layout(title=label(title), barmode="group", yaxis_title=label(unit), **_LAYOUT)
    return fig


def latency_current_vs_projected(frame: pl.DataFrame) -> go.Figure:
    """Per workload and target: current p50/p95 beside the projected p50/p95."""
    title = "Current vs projected latency (ms)"
    if frame.is_empty():
        return _empty(title)
    if "target" in frame.columns:
        names = [
            f"{label(project_names.name(w))} → {label(t)}"
            for w, t in zip(frame["workload"], frame["target"], strict=True)
        ]
    else:
        names = _names(frame["workload"])
    fig = go.Figure()
    for col, name in (
        ("current_p50_ms", "Current p50"),
        ("projected_p50_ms", "Projected p50"),
        ("current_p95_ms", "Current p95"),
        ("projected_p95_ms", "Projected p95"),
    ):
        if col in frame.columns:
            fig.add_bar(
                x=names,
                y=_floats(frame[col]),
                name=name,
                hovertemplate="%{x}<br>%{fullData.name}: %{y:,.0f} ms<extra></extra>",
            )
    fig.update_layout(title=title, barmode="group", yaxis_title="ms", **_LAYOUT)
    return fig
