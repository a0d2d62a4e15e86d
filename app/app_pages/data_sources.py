"""Data: what was ingested, what could not be read or priced, and the prices in force."""

from __future__ import annotations

import json

import streamlit as st

from switchcost.app import data, ui
from switchcost.app.data import DataPageData

view: DataPageData = data.load("data")

st.title("Data")
last = view.last_ingest
cols = st.columns(4)
cols[0].metric(
    "Last ingest",
    "never" if last is None else f"{last['finished_at']:%Y-%m-%d}",
    help=None if last is None else f"Finished {last['finished_at']:%Y-%m-%d %H:%M:%S %Z}.",
)
cols[1].metric("Files ingested", f"{view.source_files.height:,}")
cols[2].metric("Malformed lines", f"{view.malformed_total:,}")
cols[3].metric("Unpriced models", f"{view.unpriced.height:,}")
if last is not None:
    st.caption(
        f"Last ingest finished {last['finished_at']:%Y-%m-%d %H:%M:%S %Z} (run {last['run_id']})."
    )

st.subheader("Sources")
ui.table(view.sources, "sources")
st.subheader("Files")
ui.table(view.source_files, "source_files")
st.subheader("Ingest runs")
ui.table(view.ingest_runs, "ingest_runs")

st.subheader("Malformed lines")
if view.malformed_total:
    if view.malformed_total > view.malformed.height:
        st.caption(f"The first {view.malformed.height:,} of {view.malformed_total:,}.")
    ui.table(view.malformed, "malformed_lines")
else:
    st.success("Every line read so far was understood.", icon=":material/check:")

st.subheader("Unpriced models")
if view.unpriced.height:
    st.markdown(
        "These requests have no price in force, so they count as unpriced (never $0). Add the "
        "model to your price file (`~/.config/switchcost/prices.toml`, or pass `--prices FILE`); "
        "rates are USD per million tokens:"
    )
    ui.table(view.unpriced, "unpriced_models")
    model = json.dumps(str(view.unpriced["model"][0]), ensure_ascii=False)  # a TOML string
    st.code(
        f"[[models]]\nid = {model}\n\n  [[models.prices]]\n  effective_from = 2025-01-01\n"
        "  input = 3.0\n  output = 15.0\n  cache_write_5m = 3.75\n  cache_write_1h = 6.0\n"
        '  cache_read = 0.30\n  source = "where these rates come from"\n',
        language="toml",
    )
else:
    st.success("Every request has a price.", icon=":material/check:")

st.subheader("Price table")
st.caption("USD per million tokens, with the date each row takes effect and where it comes from.")
ui.table(view.price_table, "prices")
