"""One transaction per batch: a run killed between two batch commits (or inside one, before
its commit) keeps exactly the committed batches with their read positions, and the next run
ends with every request once, the dollars of the generator's reference, and a rollup (request
groups and latency histograms) that agrees with it.  Mid-run, the rollup is marked stale, so a
reader of the killed run's database takes the exact per-request path.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchcost.queries import db as qdb
from switchcost.queries import rollup
from tests.fuzz import corpus as C
from tests.fuzz import procs
from tests.fuzz.formats import dumps, messages_wrapped
from tests.fuzz.rates import Usage, dollars

# Runs the real CLI in a process that SIGKILLs itself after its Nth batch: "between" right
# after the batch committed, "inside" once the batch's rows and read positions are written but
# before its commit.
DRIVER = """
import os, signal, sys
from switchcost.ingest import load

kill_after, where = int(sys.argv[1]), sys.argv[2]
done = 0


def die_after(orig):
    def wrapped(*args, **kwargs):
        global done
        out = orig(*args, **kwargs)
        done += 1
        if done >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    return wrapped


if where == "between":
    load._Loading.load = die_after(load._Loading.load)
else:
    load._remember = die_after(load._remember)
from switchcost.app.cli import main

sys.argv = ["switchcost", *sys.argv[3:]]
main()
"""

# Small ranges and chunks: every file is many batches.
SMALL = {"SWITCHCOST_RANGE_BYTES": "20000", "SWITCHCOST_CHUNK_BYTES": "20000"}


def _killed(db: Path, logs: Path, after: int, where: str) -> None:
    env = {**os.environ, **SMALL}
    cmd = [sys.executable, "-c", DRIVER, str(after), where, "ingest", str(logs), "--db", str(db)]
    proc = subprocess.run(cmd, cwd=procs.REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr[-2000:])


def _resume(db: Path, logs: Path) -> None:
    env = {**os.environ, **SMALL}
    cmd = [*procs.command("ingest", str(logs), "--db", str(db))]
    proc = subprocess.run(cmd, cwd=procs.REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]


def _log(path: Path, first: int, n: int, rng: random.Random) -> list[Usage]:
    """Append `n` wrapped Messages API records (ids first..first+n-1); their usages."""
    usages = []
    with path.open("ab") as fh:
        for i in range(first, first + n):
            obj, usage = messages_wrapped(i, rng)
            fh.write(dumps(obj) + b"\n")
            usages.append(usage)
    return usages


def _stored(db: Path) -> dict[str, Any]:
    with qdb.connect(db, read_only=True) as conn:
        n, usd, out = conn.execute(
            "SELECT count(*), coalesce(sum(cost_usd), 0), coalesce(sum(output_tokens), 0)"
            " FROM priced_requests"
        ).fetchall()[0]
        g_n, g_out = conn.execute(
            "SELECT coalesce(sum(requests), 0), coalesce(sum(output_tokens), 0) FROM request_groups"
        ).fetchall()[0]
        h_n = conn.execute(
            "SELECT coalesce(sum(n), 0) FROM latency_hours WHERE metric = 3"
        ).fetchall()[0][0]
        keys = conn.execute("SELECT count(DISTINCT request_key) FROM requests").fetchall()[0][0]
        usable = rollup.status(conn, "UTC")
        runs = conn.execute("SELECT count(*) FROM ingest_runs").fetchall()[0][0]
    return {
        "n": int(n),
        "usd": Decimal(usd),
        "out": int(out),
        "groups": (int(g_n), int(g_out)),
        "hist": int(h_n),
        "keys": int(keys),
        "usable": usable,
        "runs": int(runs),
    }


@pytest.mark.parametrize("where", ["between", "inside"])
def test_kill_between_batches_then_next_run_exact(tmp_path: Path, where: str) -> None:
    rng = random.Random(15)
    logs, db = tmp_path / "logs", tmp_path / "db" / "s.duckdb"
    logs.mkdir()
    db.parent.mkdir()
    app = logs / "app.jsonl"
    usages = _log(app, 0, 1500, rng)  # about 0.6 MB: some 30 ranges of 20 kB
    _killed(db, logs, after=5, where=where)

    mid = _stored(db)
    # Some batches are in, not all, and none twice; the rollup is marked not to be used.
    assert 0 < mid["n"] < len(usages), mid
    assert mid["keys"] == mid["n"]
    assert mid["usable"] == (False, False)
    assert mid["runs"] == 0
    report = procs.run("report", "--db", str(db), "--format", "json")
    assert report.returncode == 0, report.stderr

    _resume(db, logs)
    got = _stored(db)
    want_usd = sum((dollars(u) for u in usages), Decimal(0))
    want_out = sum(u.out for u in usages)
    assert (got["n"], got["usd"], got["out"], got["keys"]) == (
        len(usages),
        want_usd,
        want_out,
        len(usages),
    )
    assert got["groups"] == (len(usages), want_out)
    assert got["hist"] == len(usages)
    assert got["usable"] == (True, True)


def test_killed_run_that_upgraded_stored_rows_leaves_no_stale_group(tmp_path: Path) -> None:
    """A batch that replaced stored requests (a fuller copy of a call) commits, the run dies:
    the hours those requests left must not keep their old sums once the next run is done."""
    rng = random.Random(7)
    logs, db = tmp_path / "logs", tmp_path / "db" / "s.duckdb"
    logs.mkdir()
    db.parent.mkdir()
    app = logs / "app.jsonl"
    usages = _log(app, 0, 300, rng)
    _resume(db, logs)
    # The first 100 calls again, each with 1,000 more output tokens and a later hour (a fuller
    # copy replaces the stored one), then 1,200 new calls.
    fuller = []
    redo = random.Random(7)
    with app.open("ab") as fh:
        for i in range(100):
            obj, usage = messages_wrapped(i, redo)
            obj["response"]["usage"]["output_tokens"] = usage.out + 1000
            obj["ts"] = "2026-11-30T23:30:00.000Z"
            fh.write(dumps(obj) + b"\n")
            fuller.append(Usage(usage.model, usage.inp, usage.w5, usage.w1, usage.read,
                                usage.out + 1000))  # fmt: skip
    assert [u.inp for u in fuller] == [u.inp for u in usages[:100]]  # the same calls
    more = _log(app, 5000, 1200, rng)
    _killed(db, logs, after=3, where="between")
    _resume(db, logs)

    final = fuller + usages[100:] + more
    got = _stored(db)
    want_out = sum(u.out for u in final)
    assert got["n"] == len(final)
    assert got["usd"] == sum((dollars(u) for u in final), Decimal(0))
    assert got["groups"] == (len(final), want_out)
    assert got["hist"] == len(final)
    assert got["usable"] == (True, True)


def test_every_format_killed_at_each_batch(tmp_path: Path) -> None:
    """The fuzz corpus (every format, bad lines included), killed after batch 1, 2, 4 and 8
    of four runs: after the next run, exactly the reference's requests, dollars, bad lines."""
    logs, db = tmp_path / "logs", tmp_path / "db" / "s.duckdb"
    db.parent.mkdir()
    want_n, want_usd, want_bad = 0, Decimal(0), 0
    for trial, after in enumerate((1, 2, 4, 8)):
        fresh = C.build(logs / f"t{trial}", seed=300 + trial, n_bad=5, n_valid=80, long_tags=0)
        want_n, want_usd, want_bad = (
            want_n + fresh.requests,
            want_usd + fresh.dollars,
            want_bad + fresh.bad_lines,
        )
        _killed(db, logs, after=after, where="between")
        _resume(db, logs)
        assert procs.totals(db) == (want_n, want_usd, want_bad), trial
        got = _stored(db)
        assert got["groups"][0] == want_n
        assert got["usable"] == (True, True)


def test_a_failed_merge_stops_the_read_ahead_and_the_next_run_is_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claude Code chunks are read one ahead of the merge: a merge that fails stops the run
    with its error, the chunk read ahead is closed (no reader thread left), and the next run
    stores exactly the generator's calls."""
    import threading
    from datetime import UTC, datetime

    from bench import make_corpus
    from switchcost.ingest import load
    from switchcost.ingest.readers import claude_code

    tree = tmp_path / "tree"
    start = datetime(2026, 8, 27, tzinfo=UTC)
    files, _, calls = make_corpus.build(
        tree, target_bytes=1_500_000, seed=11, start=start, days=20, workers=1
    )
    assert files >= 4
    monkeypatch.setattr(load, "CHUNK_BYTES", 100_000)  # several chunks
    monkeypatch.setattr(claude_code, "READ_AHEAD", True)
    merged = load.merge
    count = 0

    def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count == 2:
            raise RuntimeError("merge failed")
        return merged(*args, **kwargs)

    monkeypatch.setattr(load, "merge", failing)
    db = tmp_path / "s.duckdb"
    with pytest.raises(RuntimeError, match="merge failed"):
        load.ingest_paths([tree], db_path=db)
    assert not [t for t in threading.enumerate() if t.name.startswith("switchcost-read-ahead")]
    monkeypatch.setattr(load, "merge", merged)
    load.ingest_paths([tree], db_path=db)
    got = _stored(db)
    assert (got["n"], got["keys"], got["groups"][0]) == (calls, calls, calls)
    assert got["usable"] == (True, True)
