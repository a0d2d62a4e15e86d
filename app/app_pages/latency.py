"""Latency: how fast each model and workload answers, and what the scenario would change."""

from __future__ import annotations

import streamlit as st

from switchcost.app import charts, data, ui
from switchcost.app.data import LatencyData, ScenarioSpec

filters = st.session_state["filters"]
# The Switch page's scenario once it has been opened; until then its default (recommended).
spec: ScenarioSpec = st.session_state.get("scenario", ScenarioSpec(name="recommended"))
view: LatencyData = data.load("latency", filters)

st.title("Latency")
st.caption(
    "Percentiles of total latency, time to first token and output tokens per second, from the "
    "requests that logged timings. Sample counts are shown so thin data is visible. Claude Code "
    "logs no latency: its figures are derived from the transcripts' timestamps (prompt line to "
    'the response\'s first and last content block), so its "first token" is the first block.'
)
if view.note:  # percentiles read from the rollup's histograms: approximate, within 1%
    st.caption(view.note)
LAT = (("latency_p50_ms", "p50"), ("latency_p95_ms", "p95"), ("latency_p99_ms", "p99"))
TTFT = (("ttft_p50_ms", "p50"), ("ttft_p95_ms", "p95"), ("ttft_p99_ms", "p99"))
TPS = (("tokens_per_s_p50", "p50"), ("tokens_per_s_p95", "p95"), ("tokens_per_s_p99", "p99"))

by_label = (
    st.segmented_control("Group by", ["model", "workload"], default="model", key="latency_by")
    or "model"
)
frame = view.by_model if by_label == "model" else view.by_workload
if frame.is_empty() or int(frame["latency_samples"].sum()) == 0:
    st.info("No request in this window logged its latency.", icon=":material/info:")
else:
    ui.chart(
        charts.percentiles(frame, by_label, LAT, "latency_samples", "Total latency", "ms"),
        key="latency-total",
    )
    left, right = st.columns(2)
    with left:
        ui.chart(
            charts.percentiles(frame, by_label, TTFT, "ttft_samples", "Time to first token", "ms"),
            key="ttft",
        )
    with right:
        ui.chart(
            charts.percentiles(
                frame, by_label, TPS, "speed_samples", "Output tokens per second", "tokens/s"
            ),
            key="tps",
        )
    ui.table(frame, f"latency_by_{by_label}")

st.subheader("Current vs projected")
st.caption(
    data.scenario_label(spec) + " Change it on the Switch to Haiku page. A moved request keeps "
    "its time to first token and generates its output at the target's speed; a request that "
    "was not streamed takes the median first token of the streamed requests of the same model "
    "and workload (else the target's)."
)
# The same cache key as the Switch page: its projection is reused, not computed again.
projected = data.projected_latency(data.switch(filters, spec))
if projected.is_empty():
    st.info("The scenario moves no timed requests.", icon=":material/info:")
else:
    ui.chart(charts.latency_current_vs_projected(projected), key="latency-projected")
    ui.table(projected, "latency_projected")
