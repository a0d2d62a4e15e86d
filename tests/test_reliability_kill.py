"""Reliability: `switchcost ingest` killed with SIGKILL at random points, on fresh data and on
a growing file.  After each kill a normal ingest must reach exactly the generator's reference
(request count, dollars, malformed lines) and leave nothing behind: beside the database only
it, its .wal, its .ingest-stamp and its report cache; nothing new named switchcost* in the
system temp folder; no .tmp anywhere.  CI runs 5 trials; `-m reliability_full` runs 50.
"""

from __future__ import annotations

import random
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tests.fuzz import corpus as C
from tests.fuzz import procs, require_full
from tests.fuzz.formats import dumps, messages_wrapped
from tests.fuzz.rates import dollars


def _grow(path: Path, trial: int, rng: random.Random, n: int) -> Decimal:
    """Append `n` valid records (new ids) to the growing log; their dollars."""
    usd = Decimal(0)
    with path.open("ab") as fh:
        for k in range(n):
            obj, usage = messages_wrapped(900_000_000 + trial * 10_000 + k, rng)
            fh.write(dumps(obj) + b"\n")
            usd += dollars(usage)
    return usd


def _trials(tmp_path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    logs, db = tmp_path / "logs", tmp_path / "db" / "switchcost.duckdb"
    db.parent.mkdir()
    (logs / "grow").mkdir(parents=True)
    growing = logs / "grow" / "app.jsonl"
    temp_before = procs.temp_entries()
    want_n, want_usd, want_bad = 0, Decimal(0), 0
    landed = failures = 0
    for trial in range(n):
        if trial % 2 == 0:  # fresh files: a corpus of every format, bad lines included
            fresh = C.build(
                logs / f"t{trial}", seed=seed * 100 + trial, n_bad=8, n_valid=60, long_tags=0
            )
            want_n += fresh.requests
            want_usd += fresh.dollars
            want_bad += fresh.bad_lines
        grown = rng.randint(200, 2000)
        want_usd += _grow(growing, trial, rng, grown)
        want_n += grown
        proc = procs.start("ingest", str(logs), "--db", str(db))
        time.sleep(rng.uniform(0.05, 3.0))
        if proc.poll() is None:
            landed += 1
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        after = procs.run("ingest", str(logs), "--db", str(db))
        got = procs.totals(db)
        ok = (
            after.returncode == 0
            and "Traceback" not in after.stderr
            and got == (want_n, want_usd, want_bad)
            and not procs.leftovers(db, spill_ok=True)
        )
        failures += not ok
        assert ok, (trial, after.returncode, after.stderr[-1500:], got, (want_n, want_usd,
                    want_bad), procs.leftovers(db, spill_ok=True))  # fmt: skip
    assert procs.temp_entries() <= temp_before, procs.temp_entries() - temp_before
    print(
        f"\nkill -9: {n} trials, {landed} kills landed mid-run, {failures} failures; "
        f"{want_n:,} requests (${want_usd}), {want_bad} malformed lines exact after every one"
    )


def test_kill_nine_at_random_points_fast(tmp_path: Path) -> None:
    _trials(tmp_path, 5, seed=1)


@pytest.mark.reliability_full
def test_kill_nine_at_random_points_full(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    require_full(pytestconfig)
    _trials(tmp_path, 50, seed=2)


def test_no_spill_folder_left_after_a_kill(tmp_path: Path) -> None:
    logs, db = tmp_path / "logs", tmp_path / "db" / "switchcost.duckdb"
    db.parent.mkdir()
    fresh = C.build(logs, seed=40, n_bad=8, n_valid=60)
    spill = db.with_name(db.name + ".tmp")
    proc = procs.start("ingest", str(logs), "--db", str(db))
    deadline = time.monotonic() + 30
    while not spill.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # killed the moment DuckDB starts spilling
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    if not spill.exists():
        pytest.skip("the run finished before DuckDB spilled")
    assert procs.run("ingest", str(logs), "--db", str(db)).returncode == 0
    assert procs.totals(db) == (fresh.requests, fresh.dollars, fresh.bad_lines)
    assert procs.leftovers(db) == []
