"""The Switch page's "Measured by replay" table: queries/measured over the page's scenario.

Shown when `switchcost replay` has graded samples in the database; each row is a workload and
target with the evidence (pass rate, output ratio, tokenizer factor, each with its 95% interval)
and the savings it implies.  Workloads without replay keep the assumed projection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from switchcost.app import data, ui

if TYPE_CHECKING:
    from switchcost.app.data import ScenarioSpec
    from switchcost.queries.filters import Filters

ui.LABELS.update(
    {
        "samples": ui.Col("Samples graded", "int", "Replayed requests with a verdict."),
        "pass_rate_shown": ui.Col(
            "As good (95% interval)", help="Share of samples the grader passed; Wilson interval."
        ),
        "output_ratio_shown": ui.Col(
            "Output ratio (95% interval)",
            help="Target over original output tokens (ratio of sums); bootstrap interval.",
        ),
        "tokenizer_factor_shown": ui.Col(
            "Tokenizer factor", help="Target over original input tokens, from count_tokens."
        ),
        "savings_shown": ui.Col(
            "Savings (95% interval)",
            help="Over the window, with the measured output ratio, tokenizer factor and the "
            "failed share re-run on the original model; bootstrap interval.",
        ),
        "grader": ui.Col("Grader"),
    }
)


def _measured(conn: Any, filters: Filters, spec: ScenarioSpec) -> pl.DataFrame:
    """The measured projection's rows for workloads with replay evidence (empty: none)."""
    from switchcost.queries.measured.evidence import load
    from switchcost.queries.measured.projection import project_measured

    if not load(conn):
        return pl.DataFrame()
    result = project_measured(conn, spec.build(), filters)
    rows = []
    for row in result.rows:
        m = row.get("measured")
        if not m:
            continue
        rows.append(
            {
                "workload": row["workload"],
                "target": row["target"],
                "samples": m["n"],
                "pass_rate_shown": _pct(m["pass_rate"], m["pass_rate_ci"]),
                "output_ratio_shown": _ratio(m["output_ratio"], m["output_ratio_ci"]),
                "tokenizer_factor_shown": _ratio(m["tokenizer_factor"], None),
                "savings_shown": _money(row.get("savings_usd"), row.get("savings_usd_ci")),
                "recommendation": row["recommendation"],
                "grader": m["grader"],
            }
        )
    return pl.DataFrame(rows) if rows else pl.DataFrame()


data.LOADERS["measured"] = _measured


def measured_table(filters: Filters, spec: ScenarioSpec) -> pl.DataFrame:
    frame: pl.DataFrame = data.load("measured", filters, spec)
    if frame.is_empty() or len(spec.targets) > 1:
        return frame
    return frame.drop("target")


def _pct(value: Any, ci: Any) -> str:
    text = f"{float(value) * 100:.0f}%"
    return f"{text} ({float(ci[0]) * 100:.0f}–{float(ci[1]) * 100:.0f}%)" if ci else text


def _ratio(value: Any, ci: Any) -> str:
    if value is None:
        return "—"
    text = f"{float(value):.2f}"
    return f"{text} ({float(ci[0]):.2f}–{float(ci[1]):.2f})" if ci else text


def _money(value: Any, ci: Any) -> str:
    if value is None:
        return "—"
    text = ui.dollars(value)
    return f"{text} ({ui.dollars(ci[0])} to {ui.dollars(ci[1])})" if ci else text
