"""Switch to Haiku: build a scenario and see what it would have cost, per workload and per day."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import streamlit as st

from switchcost.app import charts, data, levers_view, measured_view, ui
from switchcost.app.data import ScenarioSpec, SwitchData
from switchcost.app.safe_text import md
from switchcost.queries import run_rate
from switchcost.queries.sketch import CAPTION as LATENCY_NOTE

filters = st.session_state["filters"]
targets_offered: list[str] = st.session_state.get("target_models", [])
classes = data.load("classes", filters)
MODES = {
    "Recommended workloads": "recommended",
    "Chosen workloads": "workloads",
    "Sub-agent calls only": "subagents",
    "Everything": "all",
}

st.title("Switch to Haiku")
headline_slot = st.container()  # the answer, filled once the scenario below is chosen
st.caption(
    "Re-prices the same requests on the target model: same tokens in, output scaled by the "
    "output ratio, escalated requests paid twice (target, then the original model again)."
)
workloads_all = classes["workload"].to_list()
recommended = classes.filter(pl.col("move") != "none")["workload"].to_list()
with st.container(border=True):
    left, right = st.columns(2)
    targets = left.multiselect(
        "Target model(s)",
        targets_offered,
        default=[m for m in targets_offered if m == "claude-haiku-4-5"][:1],
        key="sc_targets",
        help="Each target is projected separately: one row per workload and target.",
    )
    mode = right.selectbox(
        "What moves",
        list(MODES),
        key="sc_mode",
        help="Recommended: classes advised to move go whole; planning and agentic-coding "
        "workloads move only their sub-agent calls; fact lookup and unknown stay.",
    )
    workloads = st.multiselect(
        "Workloads to move",
        workloads_all,
        default=recommended,
        key="sc_workloads",
        format_func=data.project_name,
        disabled=MODES[mode] != "workloads",
        help="Starts from the workloads the task-class advice recommends moving; choose "
        "'Chosen workloads' above to edit.",
    )
    a, b, c = st.columns(3)
    share = a.slider("Share of their traffic moved", 0, 100, 100, 5, format="%d%%", key="sc_share")
    escalation = b.slider(
        "Escalation rate",
        0,
        50,
        0,
        1,
        format="%d%%",
        key="sc_escalation",
        help="Moved requests the target gets wrong and that are re-run on the original model.",
    )
    output_ratio = c.slider(
        "Output ratio",
        0.50,
        2.00,
        1.00,
        0.05,
        key="sc_output_ratio",
        help="Target output tokens per original output token (a wordier model costs more).",
    )

if not targets:
    st.info("Pick at least one target model.", icon=":material/info:")
    st.stop()
if MODES[mode] == "workloads" and not workloads:
    st.info("Pick at least one workload to move.", icon=":material/info:")
    st.stop()

spec = ScenarioSpec(
    name=MODES[mode] if MODES[mode] != "workloads" else "dashboard",
    targets=tuple(targets),
    workloads=tuple(workloads) if MODES[mode] == "workloads" else None,
    share=Decimal(share) / 100,
    escalation=Decimal(escalation) / 100,
    output_ratio=Decimal(str(output_ratio)).quantize(Decimal("0.01")),
)
st.session_state["scenario"] = spec
result: SwitchData = data.switch(filters, spec)
totals = result.totals

with headline_slot:
    st.markdown(f"#### {data.headline(result, spec)}")
cols = st.columns(4)
cols[0].metric("Current cost", ui.dollars(totals["current_cost_usd"]))
cols[1].metric("Projected cost", ui.dollars(totals["projected_cost_usd"]))
cols[2].metric(
    "Savings",
    ui.dollars(totals["savings_usd"]),
    delta=None if totals["savings_pct"] is None else f"{totals['savings_pct']:.1f}%",
    help="Current minus projected cost over the window; the delta is the share of current cost.",
)
cols[3].metric(
    "Break-even escalation",
    ui.percent(totals["break_even_escalation"]),
    help="The escalation rate at which moving stops saving money.",
)
st.caption(
    f"{int(totals['moved_requests']):,} of {int(totals['requests']):,} requests move"
    + (f" to {md(targets[0])}" if len(targets) > 1 else "")
    + f"; {int(totals['ineligible_requests']):,} cannot move"
    + (f" ({md(totals['ineligible_reasons'])})" if totals["ineligible_reasons"] else "")
    + ". Monthly savings at this rate: "
    + ui.dollars(totals["monthly_savings_usd"])
    + ". "
    + run_rate.note(int(result.assumptions["window_days"]))
)
if len(targets) > 1:
    ui.table(
        pl.DataFrame([totals["by_target"][t] for t in targets]).select(
            "target",
            "current_cost_usd",
            "projected_cost_usd",
            "savings_usd",
            "savings_pct",
            "break_even_escalation",
        ),
        "totals_by_target",
    )

ui.chart(charts.current_vs_projected_over_time(result.by_day), key="switch-over-time")
ui.chart(charts.current_vs_projected_by(result.rows, "workload"), key="switch-by-workload")

st.subheader("Workload × target")
st.caption(
    "Savings per workload on each target. Break-even escalation: the escalation rate at which "
    "the move stops saving money."
)
ui.table(data.matrix(result.rows), "workload_target_matrix")

st.subheader("Risk and recommendation per workload")
ui.table(
    classes.select(
        [
            c
            for c in ("workload", "task_class", "recommendation", "reason", "requests")
            if c in classes.columns
        ]
    ),
    "recommendations",
)

measured = measured_view.measured_table(filters, spec)
if not measured.is_empty():
    st.subheader("Measured by replay")
    if st.toggle(
        "Use what the replay measured",
        value=True,
        key="sc_measured",
        help="Per workload with replay data: the measured pass rate, output ratio and "
        "tokenizer factor instead of the assumptions above (switchcost project --measured).",
    ):
        st.caption(
            "From `switchcost replay`: a sample of these workloads' own requests re-sent to the "
            "target and graded. Workloads without replay keep the assumed projection above."
        )
        ui.table(measured, "measured")
    else:
        st.caption("Hidden: the figures above are the assumed projection only.")

st.subheader("Other levers")
st.caption(
    "Beside the switch: what the move itself costs once (prompt caches are per model), with "
    "its payback; the Batch API's half price for work that can wait; and prompt caching where "
    "long prompts repeat uncached. Batch and caching are over the same window as above."
)
can_wait = st.multiselect(
    "Workloads that can wait for an answer (Batch API)",
    workloads_all,
    default=[],
    key="sc_batchable",
    format_func=data.project_name,
    help="Workloads with batch requests in their logs are included anyway.",
)
other_levers = levers_view.levers_table(filters, spec, result, tuple(can_wait))
if other_levers.is_empty():
    st.caption("No other lever applies to these workloads.")
else:
    ui.table(other_levers, "other_levers")
with st.expander("How the other levers are estimated"):
    for lever, assumption in levers_view.assumptions().items():
        st.markdown(f"**{lever}**: {md(assumption)}")

st.subheader("Scenario results")
st.caption(LATENCY_NOTE)  # the latency percentiles here come from log buckets
ui.table(result.rows, "scenario_rows")
st.download_button(
    "Download scenario and results (CSV)",
    data=data.scenario_csv(spec, result),
    file_name="switchcost_scenario.csv",
    mime="text/csv",
    key="download-scenario",
    on_click="ignore",
    icon=":material/download:",
)
with st.expander("Assumptions"):
    ui.table(data.assumptions_table(result.assumptions), "assumptions")
