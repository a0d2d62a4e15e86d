"""The dashboard benchmark still runs end to end (on 3,000 rows, no browser), so its figures in
the README can be reproduced.  Its timings are printed, never asserted: speed is the benchmark's
business, not a test's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
ROWS = ("sidebar (every page)", "sidebar: time zone", "overview", "overview: days + zone",
        "overview: workloads", "switch: whole page", "switch: cost sums", "switch: latency",
        "switch: latency, ratio", "switch: costs, days", "latency", "latency: days + zone",
        "latency: workloads", "latency: model", "data", "floor: latency percentiles",
        "floor: current+projected")  # fmt: skip


def test_dashboard_benchmark_runs_on_a_small_database(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_dashboard.py"), "--rows", "3000",
         "--runs", "2", "--cli-runs", "1", "--no-browser", "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "built 3,000 requests" in done.stdout
    for name in ROWS:
        # page name, median, p95 and max in ms, and the verdict against the target
        row = re.compile(rf"^{re.escape(name)}\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+\.\d)\s+(ok|SLOW)$")
        found = [row.match(line) for line in done.stdout.splitlines()]
        match = next((m for m in found if m), None)
        assert match, f"no timing row for {name!r} in:\n{done.stdout}"
        median, p95, top = (float(match.group(i)) for i in (1, 2, 3))
        assert 0 < median <= top
        assert p95 <= top
    # the pages' numbers were checked against the per-request computation, and the CLI ran
    assert re.search(r"^check: .* \(ok\)$", done.stdout, re.M), done.stdout
    for name in ("report --by model", "project --format json", "project --exact"):
        assert re.search(
            rf"^  {re.escape(name)}.*\d+\.\d\d\s+\d+\.\d\d  (ok|SLOW)$", done.stdout, re.M
        )
    with duckdb.connect(str(tmp_path / "bench-3000.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM requests").fetchall() == [(3000,)]
        # built through the rollup refresh an ingest runs: histograms cover every request
        assert conn.execute("SELECT sum(n) FROM latency_hours WHERE metric = 3").fetchall() == [
            (3000,)
        ]
