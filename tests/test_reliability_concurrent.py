"""Reliability: four ingests of overlapping inputs at once, with `report` readers in a loop.

Every process ends with exit 0 or with the documented one-line message for a busy database
(queries/db.py: `<db> is busy: ...; waited Ns. Try again when it finishes.`), never a
traceback; at the end the totals are exactly the generator's reference: nothing doubled or
lost.  CI runs one round; `-m reliability_full` runs five with more data.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.fuzz import corpus as C
from tests.fuzz import procs, require_full


def _one_line_busy(err: str) -> bool:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return len(lines) == 1 and lines[0].startswith("switchcost: ") and " is busy: " in lines[0]


def _round(tmp_path: Path, seed: int, n_valid: int) -> str:
    logs, db = tmp_path / "logs", tmp_path / "db" / "switchcost.duckdb"
    db.parent.mkdir()
    parts = [C.build(logs / p, seed=seed * 10 + i, n_bad=10, n_valid=n_valid) for i, p in
             enumerate("abc")]  # fmt: skip
    a, b, c = (str(logs / p) for p in "abc")
    first = procs.run("ingest", a, "--db", str(db))  # the database exists before the readers
    assert first.returncode == 0, first.stderr[-1500:]
    ingests = [
        procs.start("ingest", *paths, "--db", str(db), "--wait", "120")
        for paths in ((a, b), (b, c), (a, c), (a, b, c))
    ]
    reads = busy = 0
    while any(p.poll() is None for p in ingests):
        r = procs.run("report", "--by", "model", "--db", str(db), "--format", "json")
        assert "Traceback" not in r.stderr, r.stderr[-1500:]
        if r.returncode == 0:
            json.loads(r.stdout)  # a whole JSON document, never a torn one
            reads += 1
        else:
            assert _one_line_busy(r.stderr), r.stderr[-1500:]
            busy += 1
        time.sleep(0.05)
    for p in ingests:
        _out, err = p.communicate(timeout=300)
        assert "Traceback" not in err, err[-1500:]
        assert p.returncode == 0 or _one_line_busy(err), (p.returncode, err[-1500:])
    final = procs.run("ingest", a, b, c, "--db", str(db))  # whatever a busy one left
    assert final.returncode == 0, final.stderr[-1500:]
    want = (
        sum(x.requests for x in parts),
        sum((x.dollars for x in parts), start=C.Decimal(0)),
        sum(x.bad_lines for x in parts),
    )
    assert procs.totals(db) == want
    report = json.loads(procs.run("report", "--by", "model", "--db", str(db), "--format",
                                  "json").stdout)  # fmt: skip
    assert report["totals"]["requests"] == want[0]
    return f"4 ingests + {reads + busy} reports ({busy} busy), {want[0]:,} requests exact"


def test_concurrent_ingests_and_readers_fast(tmp_path: Path) -> None:
    print(f"\nconcurrent: {_round(tmp_path, seed=1, n_valid=15)}")


@pytest.mark.reliability_full
@pytest.mark.parametrize("seed", range(2, 7))
def test_concurrent_ingests_and_readers_full(
    tmp_path: Path, seed: int, pytestconfig: pytest.Config
) -> None:
    require_full(pytestconfig)
    print(f"\nconcurrent (seed {seed}): {_round(tmp_path, seed=seed, n_valid=300)}")
