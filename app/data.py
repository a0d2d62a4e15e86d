"""The only dashboard module that opens the database.

DuckDB allows one writing process or many readers, never both, and a scheduled
`switchcost ingest` must never find the file held by the dashboard.  So every page load attaches
the file read-only (`queries.db.reading`), runs that page's queries, and detaches it at once.
Results are cached per (page, filters, scenario) with a stamp of the database file, the WAL and the
price file, so any write (an ingest commits to the WAL and checkpoints into the file) changes the
key and the next rerun reads fresh data.  While an ingest holds the write lock the open is retried
briefly; if the lock outlasts that, the last good result for the same key is shown with a notice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from switchcost.app import project_names
from switchcost.app.output import csv_text
from switchcost.app.switch_text import assumptions_table as assumptions_table
from switchcost.app.switch_text import headline as headline
from switchcost.app.switch_text import scenario_label as scenario_label
from switchcost.queries import dashboard as qdash
from switchcost.queries import dashboard_hours as qhours
from switchcost.queries import db as qdb
from switchcost.queries.filters import Filters
from switchcost.queries.location import file_identity, user_price_file

DB_ENV = "SWITCHCOST_DB"
#: Seconds to wait for an ingest to release the write lock before falling back to cached data.
LOCK_WAIT = 2.0
TOP_N = 10
_KEEP_LAST = 64


class NoData(Exception):
    """The database is missing or holds no requests yet; the message says how to ingest."""


def db_path() -> Path:
    """The database the CLI passed in `SWITCHCOST_DB` (or the default location)."""
    return qdb.default_db_path()


def db_stamp(path: Path) -> tuple[object, ...]:
    """Changes whenever the data or the prices change: file, WAL and user price file."""
    wal = path.with_name(path.name + ".wal")
    return (file_identity(path), file_identity(wal), file_identity(user_price_file()))


def project_name(value: object) -> str:
    """A workload or project as the pages show it (a Claude Code folder by its readable name)."""
    return project_names.name(value)


def ingest_hint(path: Path) -> str:
    """The command that fills this database."""
    return f"switchcost ingest ~/.claude/projects --db {path}"


# ------------------------------------------------------------------------------- page bundles


@dataclass(frozen=True)
class SidebarData:
    """What the shared filters offer, and how fresh the data is."""

    choices: dict[str, list[str]]
    first_day: Any
    last_day: Any
    last_ingest: dict[str, Any] | None
    requests: int
    target_models: list[str]


@dataclass(frozen=True)
class OverviewData:
    kpis: qdash.Kpis
    by_day_model: pl.DataFrame
    by_workload: pl.DataFrame
    by_model: pl.DataFrame
    top_sessions: pl.DataFrame
    top_projects: pl.DataFrame


@dataclass(frozen=True)
class DataPageData:
    last_ingest: dict[str, Any] | None
    sources: pl.DataFrame
    source_files: pl.DataFrame
    ingest_runs: pl.DataFrame
    malformed_total: int
    malformed: pl.DataFrame
    unpriced: pl.DataFrame
    price_table: pl.DataFrame


@dataclass(frozen=True)
class ScenarioSpec:
    """The Switch page's choices as plain, hashable values (cache key and CSV header)."""

    targets: tuple[str, ...] = ("claude-haiku-4-5",)
    workloads: tuple[str, ...] | None = None
    share: Decimal = Decimal(1)
    escalation: Decimal = Decimal(0)
    output_ratio: Decimal = Decimal(1)
    name: str = "dashboard"

    def build(self) -> Any:
        """The `queries.projection.Scenario` these choices describe."""
        from switchcost.queries.projection import Scenario

        return Scenario(
            name=self.name,
            targets=self.targets,
            workloads=self.workloads,
            share=self.share,
            escalation=self.escalation,
            output_ratio=self.output_ratio,
        )


@dataclass(frozen=True)
class SwitchData:
    rows: pl.DataFrame
    totals: dict[str, Any]
    assumptions: dict[str, Any]
    by_day: pl.DataFrame
    classes: pl.DataFrame = field(default_factory=pl.DataFrame)


@dataclass(frozen=True)
class LatencyData:
    """Observed latency only: the projected side is the Switch page's cached projection."""

    by_model: pl.DataFrame
    by_workload: pl.DataFrame
    #: The caption under percentiles read from the rollup's histograms (None when exact).
    note: str | None = None


def _sidebar(conn: Any, tz: str) -> SidebarData:
    first, last, requests = qdash.data_span(conn, tz)
    return SidebarData(
        choices=qdash.choices(conn),
        first_day=first,
        last_day=last,
        last_ingest=qdash.last_ingest(conn),
        requests=requests,
        target_models=_targets(qdash.price_table(conn)),
    )


def _targets(prices: pl.DataFrame) -> list[str]:
    """Priced models a workload could move to, Haiku models first (the switch this tool is for)."""
    models = prices["model"].unique(maintain_order=True).to_list()
    return sorted(models, key=lambda m: ("haiku" not in m, m))


def _overview(conn: Any, filters: Filters) -> OverviewData:
    view = qhours.overview(conn, filters, top=TOP_N)
    return OverviewData(
        kpis=view.kpis,
        by_day_model=view.by_day_model,
        by_workload=view.by_workload,
        by_model=view.by_model,
        top_sessions=view.by_session,
        top_projects=view.by_project.head(TOP_N),
    )


def _switch(conn: Any, filters: Filters, spec: ScenarioSpec) -> SwitchData:
    from switchcost.queries import projection

    return _switch_data(projection.project(conn, spec.build(), filters, exact=False))


def _switch_data(result: Any) -> SwitchData:
    return SwitchData(
        rows=result.rows,
        totals=dict(result.totals),
        assumptions=dict(result.assumptions),
        by_day=result.by_day,
        classes=result.classes,
    )


def _switch_base(conn: Any, filters: Filters, targets: tuple[str, ...]) -> Any:
    from switchcost.queries import projection

    return projection.prepare_base(conn, targets, None, filters, with_classes=False, exact=False)


def _switch_latency(
    conn: Any, filters: Filters, targets: tuple[str, ...], speeds: tuple[Any, ...], chosen: Any
) -> dict[tuple[str | None, str], dict[str, Any]]:
    from switchcost.queries import projection

    return projection.prepare_latency(conn, targets, filters, speeds, chosen, exact=False)


def switch(filters: Filters, spec: ScenarioSpec) -> SwitchData:
    """The Switch page's projection, cached in two parts: the cost sums, task classes and target
    speeds per (filters, targets), and the latency percentiles per selection and output ratio.
    Share and escalation only rescale the sums, so moving those sliders costs no query, and
    editing which workloads move re-runs only the latency query."""
    from switchcost.queries import projection

    scenario = spec.build()
    base = replace(load("switch_base", filters, spec.targets), classes=load("classes", filters))
    chosen = projection.moves(base, scenario)
    speeds = tuple(base.speeds.values())
    latency = load("switch_latency", filters, base.targets, speeds, chosen)
    prepared = projection.assemble(base, scenario, chosen, latency)
    return _switch_data(projection.finish(prepared, spec.share, spec.escalation))


def _classes(conn: Any, filters: Filters) -> pl.DataFrame:
    from switchcost.queries import projection

    return projection.task_classes(conn, filters)


def _latency(conn: Any, filters: Filters) -> LatencyData:
    from switchcost.queries.latency import latency_tables

    found = latency_tables(conn, filters)
    return LatencyData(by_model=found.by_model, by_workload=found.by_workload, note=found.note)


LATENCY_COLUMNS = (
    "workload",
    "target",
    "requests",
    "current_p50_ms",
    "current_p95_ms",
    "projected_p50_ms",
    "projected_p95_ms",
    "latency_source",
)


def projected_latency(result: SwitchData) -> pl.DataFrame:
    """The Latency page's current vs projected table: columns of the Switch page's projection
    (loaded through the same cache key, so the page does not project a second time)."""
    return result.rows.select([c for c in LATENCY_COLUMNS if c in result.rows.columns])


def _data_page(conn: Any) -> DataPageData:
    total, bad = qdash.malformed(conn)
    if "reason" in bad.columns and bad.height:
        # Reasons are redacted when stored; this also covers rows an older version stored.
        from switchcost.ingest.redact import redact

        bad = bad.with_columns(pl.col("reason").map_elements(redact, return_dtype=pl.String))
    sources, source_files, unpriced = qhours.data_tables(conn)
    runs = qdash.ingest_runs(conn)  # newest first: the last ingest is its first row
    return DataPageData(
        last_ingest=runs.row(0, named=True) if runs.height else None,
        sources=sources,
        source_files=source_files,
        ingest_runs=runs,
        malformed_total=total,
        malformed=bad,
        unpriced=unpriced,
        price_table=qdash.price_table(conn),
    )


def _levers(
    conn: Any,
    filters: Filters,
    targets: tuple[str, ...],
    move_all: tuple[str, ...],
    move_sub: tuple[str, ...],
    batchable: tuple[str, ...],
) -> Any:
    """The other levers beside the switch (queries/levers.py; shaped by app/levers_view.py)."""
    from switchcost.queries import levers

    return levers.compute_moves(conn, filters, targets, move_all, move_sub, None, batchable)


LOADERS: dict[str, Callable[..., Any]] = {
    "levers": _levers,
    "sidebar": _sidebar,
    "overview": _overview,
    "classes": _classes,
    "switch": _switch,
    "switch_base": _switch_base,
    "switch_latency": _switch_latency,
    "latency": _latency,
    "data": _data_page,
}


# ------------------------------------------------------------------------ shaping for the page


def matrix(rows: pl.DataFrame) -> pl.DataFrame:
    """Workload x target: savings and break-even escalation side by side, one row per workload."""
    if rows.is_empty():
        return rows
    out: pl.DataFrame | None = None
    for target in rows["target"].unique(maintain_order=True).to_list():
        part = rows.filter(pl.col("target") == target).select(
            "workload",
            pl.col("savings_usd").alias(f"{target} savings_usd"),
            pl.col("break_even_escalation").alias(f"{target} break_even_escalation"),
        )
        out = part if out is None else out.join(part, on="workload", how="full", coalesce=True)
    assert out is not None
    return out


def scenario_csv(spec: ScenarioSpec, result: SwitchData) -> str:
    """The scenario's settings repeated on every result row, so the file stands on its own."""
    settings = {
        "scenario": spec.name,
        "targets": " ".join(spec.targets),
        "workloads_moved": " ".join(spec.workloads) if spec.workloads is not None else "(all)",
        "share": spec.share,
        "escalation": spec.escalation,
        "output_ratio": spec.output_ratio,
    }
    rows = [{**settings, **row} for row in result.rows.to_dicts()]
    total = {**settings, "workload": "TOTAL", **result.totals}
    columns = [*settings, *result.rows.columns]
    return csv_text([*rows, total], columns)


# ----------------------------------------------------------------------------- open and cache


def read_page(kind: str, path: Path, *args: Any, wait: float = LOCK_WAIT) -> Any:
    """Open read-only, run one page's queries, close: uncached (the benchmark times this)."""
    if not path.exists():
        raise NoData(f"No database at {path}. Fill it with:  {ingest_hint(path)}")
    with qdb.reading(path, wait=wait) as conn:
        return LOADERS[kind](conn, *args)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(kind: str, path: str, key: tuple[object, ...], args: tuple[Any, ...]) -> Any:
    del key  # part of the cache key only: a new stamp means new data
    return read_page(kind, Path(path), *args)


_last_good: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_last_lock = threading.Lock()


def load(kind: str, *args: Any) -> Any:
    """One page's data, cached until the database changes; stale data with a notice if busy."""
    path = db_path()
    remembered = (kind, str(path), args)
    try:
        value = _cached(kind, str(path), db_stamp(path), args)
    except qdb.DatabaseBusy:
        with _last_lock:
            value = _last_good.get(remembered)
        if value is None:
            raise
        st.info(
            "An ingest is writing to the database right now; showing the last results read. "
            "Reload in a moment for the new data.",
            icon=":material/sync:",
        )
        return value
    with _last_lock:
        _last_good[remembered] = value
        _last_good.move_to_end(remembered)
        while len(_last_good) > _KEEP_LAST:
            _last_good.popitem(last=False)
    return value
