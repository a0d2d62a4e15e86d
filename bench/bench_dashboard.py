"""Dashboard speed at 1 and 10 million requests: each page's queries and filter changes, the
numbers checked against the per-request computation, the CLI, and first paint in Chromium.

    python bench/bench_dashboard.py [--rows 1000000,10000000] [--runs 20] [--cli-runs 5]
                                    [--keep DIR] [--no-browser]

Each size is built into its own file and reported on its own, then a table shows every page's
p95 (and each CLI command's median) side by side, so the growth from one size to the next is
visible.  The database is built by the same rollup refresh an ingest runs (`rollup.refresh`,
which also keeps the latency histograms).  After the timings, the costs every page reads from
the rollup are compared with the per-request computation (by model, workload and day, over the
whole range and over a 37-day window in Europe/Berlin), and the latency percentiles read from
the histograms with the exact ones; then `report` and `project` run as their own processes
(report cache off), beside a process that only imports the CLI and opens the database.
A page whose samples take more than 20 s gets at least 3 of them rather than `--runs`.

Rows are generated inside DuckDB with `range()` (seconds, not minutes), spread evenly over 90 days.
They are shaped like real traffic: a session is 300 consecutive requests that share one project,
workload, source and main model (Claude Code for planner, code-review and sql-helper, the Messages
API otherwise); every 7th request is a sub-agent call, half of which use Haiku 4.5; only json-
extraction sessions use batch (half of them); token counts, cache writes and reads vary per
request, about 1% of Sonnet 4.5 prompts exceed 200K tokens (long context), and Messages API
requests carry time to first token and a latency that follows from their output tokens at their
model's typical speed, +-30% (Claude Code logs carry no timing). Query time is measured through
`app.data.read_page`, i.e. attach the file read-only + the page's queries + detach, uncached: what a
page pays after every ingest (the server keeps its price tables in memory; the first load of a
server process also installs them, printed separately). First paint is measured with the real
`switchcost dashboard` server and Debian's headless Chromium, until the page's script run has
finished and its first chart (or table) is visible: opening the page's address in a new browser
(nothing cached), again in a browser that has loaded it before, and by a click on its sidebar link
from another page (how a user moves between pages). The named baseline is the same measurement of a
one-chart Streamlit + Plotly page: the floor of the stack on this machine. The query table ends
with two floors measured the same way: the exact percentiles the Latency page must show (nothing
else), and current against projected latency percentiles as the Switch page needs them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

QUERY_TARGET_MS = 150.0
BUDGET_S = 20.0  # time given to one page's samples: a page of seconds gets at least 3
CLI_TARGET_S = 1.0
# The window of the filter-change timings: 37 days inside the 90 the rows span.
SINCE, UNTIL = dt.date(2026, 8, 20), dt.date(2026, 9, 25)
PAINT_TARGET_S = 2.0
CHROMIUM = "/usr/bin/chromium"

FILL = """
INSERT INTO requests (
    request_key, source, source_file, source_line, ts, model, input_tokens, cache_write_5m,
    cache_write_1h, cache_read, output_tokens, service_tier, project, session_id, workload,
    is_subagent, latency_ms, ttft_ms, run_id)
WITH sess AS (
    -- One row per session: 300 consecutive requests share project, workload, source, main model.
    SELECT
        s,
        'project-' || (s % 12) AS project,
        ['support-chatbot', 'json-extraction', 'docs-qa', 'planner', 'code-review',
         'summarise-tickets', 'triage', 'sql-helper'][1 + (hash(s * 11) % 8)::INT] AS workload,
        hash(s * 13) % 100 AS pick
    FROM range($lo // 300, $hi // 300 + 1) AS t(s)
),
sess2 AS (
    SELECT
        *,
        CASE WHEN workload IN ('planner', 'code-review', 'sql-helper')
             THEN 'claude-code' ELSE 'messages' END AS source,
        CASE
            WHEN workload IN ('planner', 'code-review') AND pick < 40
                THEN 'claude-opus-4-5-20251101'
            WHEN pick < 45 THEN 'claude-sonnet-4-5-20250929'
            WHEN pick < 60 THEN 'claude-sonnet-4-5'
            WHEN pick < 75 THEN 'claude-sonnet-4-20250514'
            WHEN pick < 88 THEN 'claude-haiku-4-5-20251001'
            ELSE 'claude-opus-4-5-20251101'
        END AS main_model,
        workload = 'json-extraction' AND pick % 2 = 0 AS batch
    FROM sess
),
req AS (
    SELECT
        i,
        sess2.*,
        i % 7 = 0 AS sub,
        CASE WHEN i % 7 = 0 AND hash(i) % 2 = 0 THEN 'claude-haiku-4-5-20251001'
             ELSE main_model END AS model
    FROM range($lo, $hi) AS t(i)
    JOIN sess2 ON sess2.s = i // 300
)
SELECT
    'bench-' || i,
    source,
    '/bench/file-' || (i // 50000) || '.jsonl',
    i % 50000,
    TIMESTAMPTZ '2026-08-01 00:00:00+00'
        + to_microseconds(CAST(CAST(i AS HUGEINT) * 7776000000000 // $n AS BIGINT)),
    model,
    50 + hash(i * 3) % 3000,
    CASE WHEN i % 4 = 0 THEN 2048 ELSE 0 END,
    CASE WHEN i % 11 = 0 THEN 4096 ELSE 0 END,
    CASE WHEN model LIKE 'claude-sonnet-4-5%' AND i % 97 = 0 THEN 200000 + hash(i * 5) % 300000
         ELSE hash(i * 5) % 40000 END,
    out,
    CASE WHEN batch THEN 'batch' ELSE 'standard' END,
    project,
    'session-' || s,
    workload,
    sub,
    CASE WHEN source = 'messages' THEN ttft + round(out * 1000.0 / tps)::BIGINT END,
    CASE WHEN source = 'messages' THEN ttft END,
    $run
FROM (
    -- Generation speed: the model's typical output tokens/s, +-30% per request.
    SELECT
        *,
        200 + hash(i * 17) % 800 AS ttft,
        10 + hash(i * 7) % 1500 AS out,
        (CASE WHEN model LIKE 'claude-haiku%' THEN 140 WHEN model LIKE 'claude-opus%' THEN 45
              WHEN model LIKE 'claude-sonnet-4-2025%' THEN 60 ELSE 70 END)
            * (70 + hash(i * 13) % 61) / 100.0 AS tps
    FROM req
)
"""


#: Requests per generated ingest run: an ingest commits its rows and refreshes the rollup per
#: run, so a large database is built as several runs (the first rebuilds, the others add).
RUN_ROWS = 1_000_000


def build(path: Path, rows: int) -> None:
    """A database with `rows` generated requests in runs of RUN_ROWS (in time order, as logs
    arrive), each committed with its rollup refresh as the loader does, and its source files."""
    from switchcost.queries import db, rollup

    with db.connect(path) as conn:
        for run, lo in enumerate(range(0, rows, RUN_ROWS), start=1):
            hi = min(rows, lo + RUN_ROWS)
            with db.transaction(conn):
                conn.execute(
                    "INSERT INTO ingest_runs VALUES ($run, now(), now(), $f, $k, 0, 0, 0)",
                    {"run": run, "k": hi - lo, "f": (hi - lo) // 50000 + 1},
                ).fetchall()
                conn.execute(FILL, {"n": rows, "lo": lo, "hi": hi, "run": run}).fetchall()
                rollup.track_updates(conn)
                rollup.refresh(conn, run)
        conn.execute(
            "INSERT INTO source_files SELECT source_file, any_value(source), 0, 0, 0, 0, 'h', 0, 1"
            " FROM requests GROUP BY source_file"
        ).fetchall()
        conn.execute("CHECKPOINT").fetchall()


def upgrade(path: Path) -> None:
    """Bring a kept database to the current schema and its rollup up to date, as an ingest would."""
    from switchcost.queries import db, rollup

    with db.connect(path) as conn, db.transaction(conn):
        run_id = conn.execute("SELECT coalesce(max(run_id), 0) FROM ingest_runs").fetchall()[0][0]
        # A run with no requests: rebuilds what a migration left stale, adds nothing twice
        # (refreshing the last run again would fold its requests in a second time).
        rollup.refresh(conn, int(run_id) + 1)


# Floors: the least the Latency and Switch pages must ask of DuckDB with exact percentiles, run
# the same way (attach + query + detach) on the same rows.  The Latency page shows p50/p95/p99 of
# total latency, time to first token and output speed per workload and overall; the Switch page,
# current and projected latency (here a stand-in projection: a per-request arithmetic change).
FLOOR_LATENCY = """
SELECT workload, count(*), quantile_cont(latency_ms, [0.5, 0.95, 0.99]),
       quantile_cont(ttft_ms, [0.5, 0.95, 0.99]),
       quantile_cont(output_tokens * 1000.0 / latency_ms, [0.5, 0.95, 0.99])
FROM requests WHERE latency_ms IS NOT NULL GROUP BY GROUPING SETS ((workload), ())
"""
FLOOR_PROJECTED = """
SELECT workload, count(*), quantile_cont(latency_ms, [0.5, 0.95, 0.99]),
       quantile_cont(CASE WHEN model LIKE '%sonnet%' THEN ttft_ms * 0.6 + output_tokens / 0.14
                          ELSE latency_ms END, [0.5, 0.95, 0.99])
FROM requests WHERE latency_ms IS NOT NULL GROUP BY GROUPING SETS ((workload), ())
"""


def _bare(path: Path, query: str) -> None:
    from switchcost.queries import db

    with db.reading(path) as conn:
        conn.execute(query).fetchall()


def p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def time_queries(path: Path, runs: int) -> list[tuple[str, float, float, float]]:
    """(page, median ms, p95 ms, max ms) of each page's uncached queries."""
    from dataclasses import replace
    from decimal import Decimal

    from switchcost.app import data
    from switchcost.queries.filters import Filters
    from switchcost.queries.projection import moves

    spec = data.ScenarioSpec(name="recommended")
    base = data.read_page("switch_base", path, Filters(), spec.targets)
    speeds = tuple(base.speeds.values())
    chosen = moves(replace(base, classes=data.read_page("classes", path, Filters())), spec.build())

    def switch_page() -> None:
        """What the Switch page queries, uncached: task classes (its defaults), then the cost
        sums and the latency percentiles (app.data.switch's two cached parts)."""
        data.read_page("classes", path, Filters())
        data.read_page("switch_base", path, Filters(), spec.targets)
        data.read_page("switch_latency", path, Filters(), base.targets, speeds, chosen)

    # A filter change: a window of days in a zone that is not UTC, a workload, a model.
    window = Filters(since=SINCE, until=UNTIL, tz="Europe/Berlin")
    workload = Filters(workloads=("support-chatbot", "docs-qa"))
    model = Filters(models=("claude-haiku-4-5",))
    # The Switch page's output-ratio slider (or which workloads move): its latency part only.
    ratio = replace(chosen, ratios=tuple((w, r * Decimal("1.5")) for w, r in chosen.ratios))
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("sidebar (every page)", lambda: data.read_page("sidebar", path, "UTC")),
        ("sidebar: time zone", lambda: data.read_page("sidebar", path, "Europe/Berlin")),
        ("overview", lambda: data.read_page("overview", path, Filters())),
        ("overview: days + zone", lambda: data.read_page("overview", path, window)),
        ("overview: workloads", lambda: data.read_page("overview", path, workload)),
        ("switch: whole page", switch_page),
        ("switch: task classes", lambda: data.read_page("classes", path, Filters())),
        ("switch: cost sums", lambda: data.read_page("switch_base", path, Filters(), spec.targets)),
        # Editing which workloads move, or the output ratio, re-runs this part only.
        (
            "switch: latency",
            lambda: data.read_page("switch_latency", path, Filters(), base.targets, speeds, chosen),
        ),
        (
            "switch: latency, ratio",
            lambda: data.read_page("switch_latency", path, Filters(), base.targets, speeds, ratio),
        ),
        ("switch: costs, days", lambda: data.read_page("switch_base", path, window, spec.targets)),
        # The page's projected half is the Switch page's cached projection (same key).
        ("latency", lambda: data.read_page("latency", path, Filters())),
        ("latency: days + zone", lambda: data.read_page("latency", path, window)),
        ("latency: workloads", lambda: data.read_page("latency", path, workload)),
        ("latency: model", lambda: data.read_page("latency", path, model)),
        ("data", lambda: data.read_page("data", path)),
        ("floor: latency percentiles", lambda: _bare(path, FLOOR_LATENCY)),
        ("floor: current+projected", lambda: _bare(path, FLOOR_PROJECTED)),
    ]
    from switchcost.queries import db

    db._READERS.clear()  # a new server process: the first load installs the price tables
    start = time.perf_counter()
    calls[0][1]()
    first = (time.perf_counter() - start) * 1000
    out = [("sidebar, new server", first, first, first)]
    import duckdb

    for name, call in calls:
        try:
            call()  # warm the OS file cache and imports
        except duckdb.OutOfMemoryException:
            out.append((name, float("nan"), float("nan"), float("nan")))  # the reader's pool
            continue
        samples: list[float] = []
        # `runs` samples, or as many as fit in BUDGET_S (at least 3) when a call is slow
        while len(samples) < runs and (len(samples) < 3 or sum(samples) < BUDGET_S * 1000):
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
        out.append((name, statistics.median(samples), p95(samples), max(samples)))
    return out


def verify(path: Path) -> tuple[Decimal, float]:
    """(largest cost difference in dollars, largest relative percentile difference) between
    what the pages read (rollup and histograms) and the per-request computation, over the
    whole window and the filter-change window, by model, workload and day (and the Overview's
    coarse rollup by model, workload, day and top sessions)."""
    from switchcost.queries import db, reports
    from switchcost.queries.filters import Filters
    from switchcost.queries.latency import latency_tables
    from switchcost.queries.run_sql import run

    worst_cost, worst_pct = Decimal(0), 0.0
    with db.reading(path) as conn:
        # The exact side sorts every timed request: more than the pages' 256 MB pool at 10M.
        conn.execute("SET memory_limit = '4GB'")
        for f in (Filters(), Filters(since=SINCE, until=UNTIL, tz="Europe/Berlin")):
            for by in ("model", "workload", "day"):
                fast = reports.usage_by(conn, by, f)  # the rollup, as the pages read it
                slow = run(conn, "usage_by", by=by, rollup=False, **f.params())
                a = {r[by]: Decimal(r["cost_usd"]) for r in fast.iter_rows(named=True)}
                b = {r["grp"]: Decimal(r["cost_usd"]) for r in slow.iter_rows(named=True)}
                if a.keys() != b.keys():
                    raise AssertionError(f"groups differ by {by}: {a.keys() ^ b.keys()}")
                worst_cost = max([worst_cost, *(abs(a[k] - b[k]) for k in a)])
            worst_cost = max(worst_cost, _overview_difference(conn, f))
            approx, exact = latency_tables(conn, f), latency_tables(conn, f, exact=True)
            if not approx.approximate:
                raise AssertionError("the histograms are not in use")
            for fa, fe in (
                (approx.by_model, exact.by_model),
                (approx.by_workload, exact.by_workload),
            ):
                for ra, re_ in zip(fa.iter_rows(named=True), fe.iter_rows(named=True), strict=True):
                    for col, v in re_.items():
                        if col.endswith(("_ms", "_p50", "_p95", "_p99")) and v:
                            worst_pct = max(worst_pct, abs(ra[col] - v) / abs(v))
                        elif ra[col] != v:
                            raise AssertionError(f"{col}: {ra[col]} against {v}")
        conn.execute(f"SET memory_limit = '{db.memory_limit(True)}'")
    return worst_cost, worst_pct


def _overview_difference(conn: Any, f: Any) -> Decimal:
    """Largest cost difference between the Overview as it reads the coarse rollup (by model,
    workload, day and its top sessions) and the per-request computation; its top sessions must
    be the costliest ones."""
    from switchcost.queries import dashboard_hours
    from switchcost.queries.run_sql import run

    view = dashboard_hours.overview(conn, f)
    days: dict[str, Decimal] = {}
    for r in view.by_day_model.iter_rows(named=True):
        days[str(r["day"])] = days.get(str(r["day"]), Decimal(0)) + Decimal(r["cost_usd"])
    worst = Decimal(0)
    for by, a in (
        (
            "model",
            {r["model"]: Decimal(r["cost_usd"]) for r in view.by_model.iter_rows(named=True)},
        ),
        (
            "workload",
            {r["workload"]: Decimal(r["cost_usd"]) for r in view.by_workload.iter_rows(named=True)},
        ),
        ("day", days),
        (
            "session",
            {r["session"]: Decimal(r["cost_usd"]) for r in view.by_session.iter_rows(named=True)},
        ),
    ):
        slow = run(conn, "usage_by", by=by, rollup=False, **f.params())
        b = {r["grp"]: Decimal(r["cost_usd"]) for r in slow.iter_rows(named=True)}
        if by == "session":
            top = sorted(b, key=lambda k: (-b[k], k))[: len(a)]
            if list(a) != top:
                raise AssertionError(f"top sessions differ: {list(a)} against {top}")
        elif a.keys() != b.keys():
            raise AssertionError(f"overview groups differ by {by}: {a.keys() ^ b.keys()}")
        worst = max([worst, *(abs(a[k] - b[k]) for k in a)])
    return worst


CLI_COMMANDS = (
    ("report --by model --format json", ["report", "--by", "model", "--format", "json"]),
    ("report --by day --format json", ["report", "--by", "day", "--format", "json"]),
    ("project --format json", ["project", "--format", "json"]),
    ("project --exact --format json", ["project", "--exact", "--format", "json"]),
    # The exact percentiles sort every timed request: at 10M more than the default 256 MB.
    ("project --exact, 2GB pool", ["project", "--exact", "--format", "json"]),
)


def time_cli(path: Path, runs: int) -> list[tuple[str, float, float]]:
    """(command, median s, max s) of `switchcost <command>` as its own process (start, import,
    open, query, print), with the report cache off so every run computes its answer."""
    # `python -m switchcost` from this checkout: what the `switchcost` script runs, from this code
    exe = [sys.executable, "-m", "switchcost"]
    env = {**os.environ, "SWITCHCOST_REPORT_CACHE": "0", "PYTHONPATH": str(REPO)}
    out = []
    floor = (
        "from pathlib import Path; import sys; import switchcost.app.cli;"
        " from switchcost.queries import db;"
        " db.connect(Path(sys.argv[1]), read_only=True).close()"
    )
    commands = [("floor: import the CLI, open the db", ["-c", floor, str(path)]), *CLI_COMMANDS]
    for name, args in commands:
        samples = []
        mine = {**env, "SWITCHCOST_MEMORY": "2GB"} if "2GB" in name else env
        for _ in range(runs + 1):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, *args] if args[0] == "-c" else [*exe, *args, "--db", str(path)],
                capture_output=True,
                env=mine,
                check=False,
                cwd=REPO,
            )
            samples.append(time.perf_counter() - start)
            if done.returncode != 0:  # said on its line (out of memory, say), not fatal
                print(f"  {name}: failed: {done.stderr.decode().strip()[-300:]}")
                break
        else:
            samples = samples[1:]  # the first warms the OS file cache
            out.append((name, statistics.median(samples), max(samples)))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


FLOOR_APP = """
import plotly.express as px
import streamlit as st

st.title("Floor")
st.plotly_chart(px.bar(x=["a", "b", "c"], y=[1, 3, 2]))
"""
# The floor of any Streamlit page: a heading and nothing else (no data, no chart).
BARE_APP = """
import streamlit as st

st.title("Floor")
"""

READY = "[data-testid='stPlotlyChart'] .main-svg"
PAGES = (
    ("overview", "", "Overview", READY),
    ("switch", "switch", "Switch to Haiku", READY),
    ("latency", "latency", "Latency", READY),
    ("data", "data", "Data", "[data-testid='stDataFrame']"),
)
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _serve(cmd: list[str], env: dict[str, str], log: Path, port: int) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return server
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()
                raise
            time.sleep(0.2)


# A page's first content: its own heading and its first number, table or chart on screen, from
# this run of the page (not an element of the page before, which Streamlit marks stale).
CONTENT = (
    "[data-testid='stElementContainer'][data-stale='false'] :is([data-testid='stMetric'],"
    " [data-testid='stDataFrame'], [data-testid='stPlotlyChart'] .main-svg)"
)


def _first_content(page: Any, title: str) -> None:
    page.locator("h1").filter(has_text=title).first.wait_for(state="visible", timeout=60_000)
    page.locator(CONTENT).first.wait_for(state="visible", timeout=60_000)


def _drawn(page: Any, ready: str) -> None:
    page.locator("h1").first.wait_for(timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    page.locator(ready).first.wait_for(state="visible", timeout=60_000)


def _open_twice(
    context: Any, address: str, ready: str, title: str | None = None
) -> list[tuple[float, float]]:
    """Seconds to the first content (with `title`; else NaN) and to a drawn page: first with
    nothing cached, then with the browser's cache."""
    times = []
    for _ in range(2):
        page = context.new_page()
        start = time.perf_counter()
        page.goto(address)
        first = float("nan")
        if title is not None:
            _first_content(page, title)
            first = time.perf_counter() - start
        _drawn(page, ready)
        times.append((first, time.perf_counter() - start))
        page.close()
    return times


def time_floor(folder: Path, app: str = FLOOR_APP, ready: str = READY) -> tuple[float, float]:
    """The named baseline: a one-chart Streamlit + Plotly page (or `app`, drawn when `ready`
    is visible) on this machine and browser, from a new browser (nothing cached) and from one
    that has loaded it before."""
    from playwright.sync_api import sync_playwright

    script = folder / "floor_app.py"
    script.write_text(app, encoding="utf-8")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    server = _serve(cmd, dict(os.environ), folder / "floor.log", port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            times = _open_twice(context, f"http://127.0.0.1:{port}/", ready)
            browser.close()
        return times[0][1], times[1][1]
    finally:
        server.terminate()
        server.wait(timeout=15)


def time_paint(path: Path, log: Path) -> list[tuple[str, list[tuple[float, float]]]]:
    """(page, [(first content s, drawn s)] for a new browser, a browser with cache and in-app
    navigation).  First content: the page's heading and its first number, table or chart are
    on screen (the script may still run, charts may still draw); drawn: the script run has
    finished and its first chart (or table) is visible.

    New browser: a fresh browser context opens the page's address (nothing cached, the
    server cold on the first page).  With cache: the same address again in a context that has
    loaded the app before.  In-app: from another page, a click on the page's link in the
    sidebar (what a user does; st.navigation switches pages without reloading).
    """
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SWITCHCOST_DB": str(path)}
    exe = str(Path(sys.executable).with_name("switchcost"))
    server = _serve([exe, "dashboard", "--db", str(path), "--port", str(port)], env, log, port)
    try:
        results = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            for name, slug, title, ready in PAGES:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                times = _open_twice(context, f"{url}/{slug}", ready, title)
                # In-app: start on another page, then follow the sidebar link.
                page = context.new_page()
                other = "data" if slug != "data" else ""
                page.goto(f"{url}/{other}")
                _drawn(page, PAGES[3][3] if other == "data" else READY)
                link = page.locator("[data-testid='stSidebarNavLink']").filter(has_text=title)
                start = time.perf_counter()
                link.first.click()
                page.wait_for_url(f"{url}/{slug}")
                _first_content(page, title)
                first = time.perf_counter() - start
                _drawn(page, ready)
                times.append((first, time.perf_counter() - start))
                context.close()
                results.append((name, times))
            browser.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default="1000000,10000000", help="Database sizes, comma-separated."
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cli-runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build (or reuse) the databases in this folder.")
    parser.add_argument("--no-browser", action="store_true", help="Skip the first-paint part.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="switchcost-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(n) for n in args.rows.split(",")]
    table: dict[str, dict[int, float]] = {}
    cli: dict[str, dict[int, float]] = {}
    path = folder
    for n in sizes:
        path = folder / f"bench-{n}.duckdb"
        if not path.exists():
            start = time.perf_counter()
            build(path, n)
            size = path.stat().st_size / 2**20
            print(f"built {n:,} requests in {time.perf_counter() - start:.1f}s ({size:.0f} MiB)")
        else:
            upgrade(path)
        print(
            f"\n{n:,} requests: page queries, uncached (attach + queries + detach),"
            f" {args.runs} runs"
        )
        print(f"{'page':<26}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}  target p95 < 150 ms")
        for name, med, high, top in time_queries(path, args.runs):
            flag = "ok" if high < QUERY_TARGET_MS else "SLOW" if high == high else "OUT OF MEMORY"
            print(f"{name:<26}{med:>12.1f}{high:>10.1f}{top:>10.1f}  {flag}")
            table.setdefault(name, {})[n] = high
        cost, pct = verify(path)
        print(
            f"check: costs from the rollup vs per request, largest difference ${cost};"
            f" percentiles from the histograms vs exact, largest {pct:.4%}"
            f" ({'ok' if cost <= Decimal('0.000001') and pct <= 0.01 else 'FAIL'})"
        )
        print(f"CLI, own process, report cache off ({args.cli_runs} runs): median / max s")
        for name, med, top in time_cli(path, args.cli_runs):
            flag = "ok" if top <= CLI_TARGET_S else "SLOW"
            print(f"  {name:<32}{med:>8.2f}{top:>8.2f}  {flag}")
            cli.setdefault(name, {})[n] = med
    if len(sizes) > 1:
        print("\nGrowth: p95 ms per page (CLI: median s) at each size")
        head = "".join(f"{n:>14,}" for n in sizes)
        print(f"{'page':<32}{head}")
        for name, by_size in (*table.items(), *cli.items()):
            cells = "".join(f"{by_size.get(n, float('nan')):>14.2f}" for n in sizes)
            print(f"{name:<32}{cells}")
    if args.no_browser or not Path(CHROMIUM).exists():
        return
    print("\nFirst paint with the real server and headless Chromium (to a drawn page)")
    bare_new, bare_cached = time_floor(folder, BARE_APP, "h1")
    print(
        f"floor: a Streamlit page with only a heading: new browser {bare_new:.2f} s,"
        f" with cache {bare_cached:.2f} s"
    )
    floor_new, floor_cached = time_floor(folder)
    print(
        f"baseline: a one-chart Streamlit + Plotly page: new browser {floor_new:.2f} s,"
        f" with cache {floor_cached:.2f} s"
    )
    print("seconds to first content / to a drawn page (script done, first chart visible)")
    print(f"{'page':<12}{'new browser':>16}{'with cache':>16}{'in-app':>16}  first content < 2 s")
    for name, times in time_paint(path, folder / "server.log"):
        flag = "ok" if max(first for first, _ in times) < PAINT_TARGET_S else "SLOW"
        cells = "".join(f"{f'{first:.2f} / {drawn:.2f}':>16}" for first, drawn in times)
        print(f"{name:<12}{cells}  {flag}")


if __name__ == "__main__":
    main()
