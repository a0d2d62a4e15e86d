"""Overview: where the money goes in the filtered window."""

from __future__ import annotations

import streamlit as st

from switchcost.app import charts, data, ui
from switchcost.app.data import OverviewData
from switchcost.queries import run_rate

filters = st.session_state["filters"]
view: OverviewData = data.load("overview", filters)
k = view.kpis

st.title("Overview")
# Two rows of three: a value such as $123,456.78 has room and is never cut off.
cols = [*st.columns(3), *st.columns(3)]
cols[0].metric("Spend in window", ui.dollars(k.cost_usd), help=f"{k.days} days")
cols[1].metric(
    "Monthly run-rate",
    ui.dollars(k.monthly_run_rate_usd),
    help=run_rate.note(k.days),
)
cols[2].metric("Requests", f"{k.requests:,}")
cols[3].metric(
    "Cache hit rate",
    ui.percent(k.cache_hit_rate),
    help="Cache-read tokens as a share of all prompt tokens (input + cache writes + reads).",
)
cols[4].metric(
    "Saved by caching",
    ui.dollars(k.cache_savings_usd),
    help="What the cache reads would have cost as uncached input, minus what they cost.",
)
cols[5].metric("Unpriced requests", f"{k.unpriced_requests:,}", help="See the Data page.")
st.caption(run_rate.note(k.days))
if k.unpriced_requests:
    st.warning(
        f"{k.unpriced_requests:,} requests use a model with no price: they are counted but not in "
        "the spend. The Data page lists them and shows how to add a price.",
        icon=":material/warning:",
    )

ui.chart(charts.spend_over_time(view.by_day_model), key="spend-over-time")
left, right = st.columns(2)
with left:
    ui.chart(charts.spend_by(view.by_workload, "workload", "Spend by workload"), key="by-workload")
with right:
    ui.chart(charts.tokens_by_type(k.tokens), key="tokens-by-type")

st.subheader("By workload")
ui.table(view.by_workload, "spend_by_workload")
st.subheader("By model")
ui.table(view.by_model, "spend_by_model")
left, right = st.columns(2)
with left:
    st.subheader("Top sessions")
    ui.table(view.top_sessions, "top_sessions")
with right:
    st.subheader("Top projects")
    ui.table(view.top_projects, "top_projects")
with st.expander("Spend per day and model"):
    ui.table(view.by_day_model, "spend_by_day_model")
