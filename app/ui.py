"""Small Streamlit building blocks the pages share: a sortable table with its CSV download.

Tables keep exact Decimals and machine column names for the download (written by
`app.output.csv_text`, which also makes formula-looking cells inert); only the on-screen copy is
shaped for reading: human labels, thousands separators, money as $1,234.56, rates as
percentages, an em dash for an empty cell (with the column's help saying why it can be empty),
and Claude Code projects by their readable name (the full path in a column of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from switchcost.app import project_names
from switchcost.app.output import csv_text, money

CENT = Decimal("0.01")
EMPTY = "—"
NO_TIMING = f"{EMPTY}: these requests' logs carry no timing."
NOTHING_MOVES = f"{EMPTY}: no request of this workload moves, or its logs carry no timing."


@dataclass(frozen=True)
class Col:
    """How one machine column reads on screen."""

    label: str
    kind: str = "text"  # text, int, money, price, pct (already x100), fraction, ms, speed, ...
    help: str | None = None


LABELS: dict[str, Col] = {
    # names
    "workload": Col("Workload"),
    "model": Col("Model"),
    "project": Col("Project", help=f"Claude Code project folder. {EMPTY}: not a Claude Code call."),
    "project_path": Col(
        "Project path",
        help=f"The Claude Code project's folder, from its encoded name. {EMPTY}: not a project.",
    ),
    "session": Col("Session"),
    "source": Col("Source"),
    "target": Col("Target"),
    "task_class": Col("Task class"),
    "matched_by": Col("Matched by"),
    "move": Col("Moves"),
    "recommendation": Col("Recommendation"),
    "reason": Col("Reason"),
    "display_name": Col("Name"),
    "format": Col("Format"),
    "path": Col("File"),
    "day": Col("Day", "date"),
    "effective_from": Col("In force from", "date"),
    "latency_source": Col("Latency from", help="Where the projected speed comes from."),
    "ineligible_reasons": Col("Why some cannot move"),
    # counts
    "requests": Col("Requests", "int"),
    "moved_requests": Col("Moved requests", "int"),
    "ineligible_requests": Col("Cannot move", "int"),
    "already_on_target": Col("Already on target", "int"),
    "unpriced_requests": Col("Unpriced requests", "int"),
    "subagent_requests": Col("Sub-agent requests", "int"),
    "input_tokens": Col("Input tokens", "int", "Uncached input tokens."),
    "cache_write_5m_tokens": Col(
        "Cache write 5 min", "int", "Tokens written to the 5-minute cache."
    ),
    "cache_write_1h_tokens": Col("Cache write 1 h", "int", "Tokens written to the 1-hour cache."),
    "cache_read_tokens": Col("Cache read", "int", "Tokens read from the prompt cache."),
    "output_tokens": Col("Output tokens", "int"),
    "files": Col("Files", "int"),
    "files_read": Col("Files read", "int"),
    "new_requests": Col("New requests", "int"),
    "duplicates": Col("Duplicates", "int"),
    "malformed_lines": Col("Malformed lines", "int"),
    "lines": Col("Lines", "int"),
    "line": Col("Line", "int"),
    "resets": Col("Resets", "int", "Times the file was found rewritten and read again."),
    "run_id": Col("Run", "id"),
    "last_run_id": Col("Last run", "id"),
    "size_bytes": Col("Size", "bytes"),
    "latency_samples": Col("Timed requests", "int"),
    "ttft_samples": Col("First-token samples", "int", "Streamed requests (time to first token)."),
    "speed_samples": Col("Speed samples", "int"),
    "long_context_threshold": Col(
        "Long context over", "int", f"Prompt tokens. {EMPTY}: no long-context price."
    ),
    # money
    "cost_usd": Col("Cost", "money"),
    "current_cost_usd": Col("Current cost", "money"),
    "projected_cost_usd": Col("Projected cost", "money"),
    "savings_usd": Col("Savings", "money"),
    "monthly_current_usd": Col("Current per month", "money"),
    "monthly_projected_usd": Col("Projected per month", "money"),
    "monthly_savings_usd": Col("Savings per month", "money"),
    "moved_current_cost_usd": Col("Moved, current cost", "money"),
    "moved_target_cost_usd": Col("Moved, cost on target", "money"),
    "input": Col("Input $/MTok", "price"),
    "output": Col("Output $/MTok", "price"),
    "cache_write_5m": Col("Cache write 5 min $/MTok", "price"),
    "cache_write_1h": Col("Cache write 1 h $/MTok", "price"),
    "cache_read": Col("Cache read $/MTok", "price"),
    "batch_multiplier": Col("Batch ×", "ratio"),
    "confirmed": Col("Confirmed", "bool"),
    # rates
    "savings_pct": Col("Savings %", "pct", f"{EMPTY}: the workload costs nothing today."),
    "break_even_escalation": Col(
        "Break-even escalation",
        "fraction",
        "The escalation rate at which moving stops saving money. "
        f"{EMPTY}: nothing moves, so there is nothing to break even.",
    ),
    # timing
    "current_p50_ms": Col("Now p50 (ms)", "ms", NO_TIMING),
    "current_p95_ms": Col("Now p95 (ms)", "ms", NO_TIMING),
    "projected_p50_ms": Col("Projected p50 (ms)", "ms", NOTHING_MOVES),
    "projected_p95_ms": Col("Projected p95 (ms)", "ms", NOTHING_MOVES),
    "latency_p50_ms": Col("Latency p50 (ms)", "ms", NO_TIMING),
    "latency_p95_ms": Col("Latency p95 (ms)", "ms", NO_TIMING),
    "latency_p99_ms": Col("Latency p99 (ms)", "ms", NO_TIMING),
    "ttft_p50_ms": Col("First token p50 (ms)", "ms", f"{EMPTY}: no streamed request was timed."),
    "ttft_p95_ms": Col("First token p95 (ms)", "ms", f"{EMPTY}: no streamed request was timed."),
    "ttft_p99_ms": Col("First token p99 (ms)", "ms", f"{EMPTY}: no streamed request was timed."),
    "tokens_per_s_p50": Col("Tokens/s p50", "speed", f"{EMPTY}: no speed in these logs."),
    "tokens_per_s_p95": Col("Tokens/s p95", "speed", f"{EMPTY}: no speed in these logs."),
    "tokens_per_s_p99": Col("Tokens/s p99", "speed", f"{EMPTY}: no speed in these logs."),
    # times
    "first_ts": Col("First request", "datetime"),
    "last_ts": Col("Last request", "datetime"),
    "started_at": Col("Started", "datetime"),
    "finished_at": Col("Finished", "datetime"),
}
NAME_COLUMNS = ("workload", "project")
_FORMATS = {
    "int": "localized",
    "id": "%d",
    "money": "dollar",
    "pct": "%.1f%%",
    "fraction": "%.1f%%",
    "ms": "%,.0f",
    "speed": "%,.1f",
    "ratio": "%.2f",
    "bytes": "bytes",
}


def column(name: str) -> Col:
    """How a column reads: from LABELS, or `TARGET column` (the matrix), or words from the name."""
    if name in LABELS:
        return LABELS[name]
    head, _, tail = name.rpartition(" ")
    if head and tail in LABELS:
        known = LABELS[tail]
        return Col(f"{known.label} on {head}", known.kind, known.help)
    words = name.replace("_usd", "").replace("_", " ").strip()
    return Col(words[:1].upper() + words[1:], "money" if name.endswith("_usd") else "text")


def dollars(value: Any) -> str:
    """$1,234.57 for a metric (rounded half up from the exact amount); None is an em dash."""
    if value is None:
        return EMPTY
    amount = money(value, CENT)
    return f"-${-amount:,}" if amount < 0 else f"${amount:,}"


def percent(value: Any, places: int = 1) -> str:
    """12.3% from a fraction (None shows as an em dash)."""
    if value is None:
        return EMPTY
    return f"{Decimal(value) * 100:.{places}f}%"


def rate(value: Any) -> str:
    """$0.30 or $0.125: a price per million tokens with every digit it has (at least cents)."""
    if value is None:
        return EMPTY
    amount = Decimal(value).normalize()
    places = max(2, -int(amount.as_tuple().exponent))
    return f"${amount:,.{places}f}"


def _readable_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Claude Code project folders shown by name, with a `project_path` column after the table."""
    for col in NAME_COLUMNS:
        if col not in frame.columns or frame.schema[col] != pl.String:
            continue
        values = frame[col].to_list()
        if not any(project_names.is_encoded(v) for v in values):
            continue
        frame = frame.with_columns(
            pl.Series(col, [_name(v) for v in values], dtype=pl.String),
            pl.Series("project_path", _paths(values), dtype=pl.String),
        )
    return frame


def with_paths(frame: pl.DataFrame) -> pl.DataFrame:
    """The CSV copy: every stored value as it is, plus `project_path` for Claude Code projects."""
    for col in NAME_COLUMNS:
        if col in frame.columns and frame.schema[col] == pl.String:
            values = frame[col].to_list()
            if any(project_names.is_encoded(v) for v in values):
                return frame.with_columns(
                    pl.Series("project_path", _paths(values), dtype=pl.String)
                )
    return frame


def _name(value: Any) -> Any:
    return project_names.readable(value)[0] if project_names.is_encoded(value) else value


def _paths(values: list[Any]) -> list[str | None]:
    """The full path of each Claude Code project; None (shown as —) for any other name."""
    return [project_names.readable(v)[1] if project_names.is_encoded(v) else None for v in values]


def display(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The on-screen copy of a frame and its column config (labels, formats, help)."""
    frame = _readable_names(frame)
    config: dict[str, Any] = {}
    casts = []
    for name, dtype in frame.schema.items():
        col = column(name)
        kind = col.kind
        if kind == "text" and dtype.is_numeric():
            kind = "int" if dtype.is_integer() else "ratio"
        if kind == "price":
            casts.append(pl.col(name).map_elements(rate, return_dtype=pl.String, skip_nulls=False))
            config[name] = st.column_config.TextColumn(col.label, help=col.help)
            continue
        if isinstance(dtype, pl.Decimal):
            if dtype.scale == 0 and kind in ("int", "id"):
                casts.append(pl.col(name).cast(pl.Int64))
            elif kind == "fraction":
                casts.append((pl.col(name).cast(pl.Float64) * 100).alias(name))
            else:
                casts.append(pl.col(name).cast(pl.Float64))
        elif kind == "fraction":
            casts.append((pl.col(name) * 100).alias(name))
        if kind in _FORMATS:
            config[name] = st.column_config.NumberColumn(
                col.label, format=_FORMATS[kind], help=col.help
            )
        elif kind == "date":
            config[name] = st.column_config.DateColumn(
                col.label, format="YYYY-MM-DD", help=col.help
            )
        elif kind == "datetime":
            config[name] = st.column_config.DatetimeColumn(
                col.label, format="YYYY-MM-DD HH:mm:ss z", help=col.help
            )
        elif kind == "bool":
            config[name] = st.column_config.CheckboxColumn(col.label, help=col.help)
        else:
            config[name] = st.column_config.TextColumn(col.label, help=col.help)
    shown = frame.with_columns(casts) if casts else frame
    return shown, config


def table(frame: pl.DataFrame, name: str, *, key: str | None = None, height: Any = "auto") -> None:
    """A sortable table plus a "Download CSV" button for exactly these rows."""
    shown, config = display(frame)
    st.dataframe(shown, column_config=config, hide_index=True, height=height, placeholder=EMPTY)
    download = with_paths(frame)
    st.download_button(
        f"Download {name}.csv",
        data=csv_text(download.to_dicts(), download.columns),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key or f"download-{name}",
        icon=":material/download:",
    )


def chart(figure: Any, key: str) -> None:
    """A Plotly figure at full width."""
    st.plotly_chart(figure, key=key, width="stretch")
