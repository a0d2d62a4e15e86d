"""The Streamlit entrypoint: page config, the shared sidebar filters, and navigation.

Run by `switchcost dashboard`, which passes the database in `SWITCHCOST_DB`.  This file is the
frame around the pages: it puts the filters every page shares into `st.session_state["filters"]`
and shows how fresh the data is; the pages in `app_pages/` only lay out widgets.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

import streamlit as st

from switchcost.app import data, project_names
from switchcost.queries.db import DatabaseError
from switchcost.queries.filters import Filters

HERE = Path(__file__).resolve().parent
PAGES = HERE / "app_pages"
WINDOWS = ("All time", "Last 7 days", "Last 30 days", "Custom range")
THREADS = {"Main and sub-agents": None, "Main thread only": False, "Sub-agents only": True}


@cache
def _zones() -> list[str]:
    zones = sorted(available_timezones() - {"UTC"})
    return ["UTC", *zones]


def _window(
    choice: str, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The (since, until) a window choice means; relative windows end on the last day of data."""
    if choice == "All time" or last is None:
        return None, None
    if choice in ("Last 7 days", "Last 30 days"):
        days = 7 if choice == "Last 7 days" else 30
        return last - dt.timedelta(days=days - 1), last
    picked = st.sidebar.date_input(
        "Days (inclusive)", value=(first or last, last), key="dates", format="YYYY-MM-DD"
    )
    if isinstance(picked, tuple | list):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return None, None
    return picked, picked


def _no_data(message: str, path: Path) -> None:
    st.title("switchcost")
    st.error(message, icon=":material/database:")
    st.markdown("Fill the database with your Claude usage logs, then reload this page:")
    st.code(data.ingest_hint(path), language="bash")
    st.stop()


def sidebar() -> Filters:
    """Draw the shared filters and return them (also kept in session_state for the pages)."""
    path = data.db_path()
    bar = st.sidebar
    bar.title("switchcost")
    tz = bar.selectbox("Time zone", _zones(), key="tz", help="Calendar days are counted here.")
    try:
        side = data.load("sidebar", tz)
    except (data.NoData, DatabaseError) as err:
        _no_data(str(err), path)
        raise  # unreachable: st.stop() ends the run
    if side.requests == 0:
        _no_data(f"The database {path} holds no requests yet.", path)
    window = bar.selectbox("Window", WINDOWS, key="window")
    since, until = _window(window, side.first_day, side.last_day)
    workloads = bar.multiselect(
        "Workloads",
        side.choices["workload"],
        key="workloads",
        placeholder="All workloads",
        format_func=project_names.name,
        help="Claude Code projects by their folder's name.",
    )
    models = bar.multiselect("Models", side.choices["model"], key="models", placeholder="All")
    sources = bar.multiselect("Sources", side.choices["source"], key="sources", placeholder="All")
    thread = bar.radio("Calls", list(THREADS), key="thread")
    filters = Filters(
        since=since,
        until=until,
        tz=tz,
        workloads=tuple(workloads) or None,
        models=tuple(models) or None,
        sources=tuple(sources) or None,
        subagent=THREADS[thread],
    )
    st.session_state["filters"] = filters
    st.session_state["target_models"] = side.target_models
    bar.divider()
    last = side.last_ingest
    when = "never" if last is None else f"{last['finished_at']:%Y-%m-%d %H:%M:%S %Z}"
    bar.caption(
        f"{side.requests:,} requests, {side.first_day} to {side.last_day}  \n"
        f"Last ingested: {when}" + ("" if last is None else f" (run {last['run_id']})")
    )
    bar.caption(f"Database: `{path}`")
    return filters


def main() -> None:
    """Page config, filters, then whichever page the user picked."""
    st.set_page_config(page_title="switchcost", page_icon=":material/savings:", layout="wide")
    pages = [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/payments:", default=True),
        st.Page(PAGES / "switch.py", title="Switch to Haiku", icon=":material/swap_horiz:"),
        st.Page(PAGES / "latency.py", title="Latency", icon=":material/timer:"),
        st.Page(
            PAGES / "data_sources.py", title="Data", icon=":material/database:", url_path="data"
        ),
    ]
    nav = st.navigation(pages)
    sidebar()
    nav.run()


main()
