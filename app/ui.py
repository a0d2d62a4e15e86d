"""Small Streamlit building blocks the pages share: a sortable table with its CSV download.

Tables keep exact Decimals for the download (written by `app.output.csv_text`, which also makes
formula-looking cells inert); only the on-screen copy turns money into floats with a $ format.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from app.output import csv_text, money

CENT = Decimal("0.01")


def dollars(value: Any) -> str:
    """$1,234.57 for a metric (rounded half up from the exact amount)."""
    amount = money(value, CENT)
    return f"-${-amount:,}" if amount < 0 else f"${amount:,}"


def percent(value: Any, places: int = 1) -> str:
    """12.3% from a fraction (None shows as a dash)."""
    if value is None:
        return "–"
    return f"{Decimal(value) * 100:.{places}f}%"


def _display(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Any]]:
    config: dict[str, Any] = {}
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Float64))
            if name.endswith("_usd"):
                config[name] = st.column_config.NumberColumn(name, format="$%,.2f")
        elif name.endswith("_pct") or name in {"cache_hit_rate", "share"}:
            config[name] = st.column_config.NumberColumn(name, format="%.1f%%")
    shown = frame.with_columns(casts) if casts else frame
    return shown, config


def table(frame: pl.DataFrame, name: str, *, key: str | None = None, height: Any = "auto") -> None:
    """A sortable table plus a "Download CSV" button for exactly these rows."""
    shown, config = _display(frame)
    st.dataframe(shown, column_config=config, hide_index=True, height=height)
    st.download_button(
        f"Download {name}.csv",
        data=csv_text(frame.to_dicts(), frame.columns),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key or f"download-{name}",
        icon=":material/download:",
    )


def chart(figure: Any, key: str) -> None:
    """A Plotly figure at full width."""
    st.plotly_chart(figure, key=key, width="stretch")
