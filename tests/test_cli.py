"""The CLI as a user runs it: a real process, stdout for data, one-line errors on stderr."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.cc_lines import assistant

KEYS = [
    "requests",
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
    "cost_usd",
    "unpriced_requests",
]


def sc(
    *args: str, check: bool = True, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        **kw,
    )  # type: ignore[call-overload]
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    root = tmp_path / "claude" / "projects"
    (root / "-w-alpha").mkdir(parents=True)
    (root / "-w-beta").mkdir(parents=True)
    (root / "-w-alpha" / "s1.jsonl").write_text(
        "\n".join(
            [
                # 23:30 UTC on Nov 2 = 00:30 on Nov 3 in Berlin
                assistant("m1", "r1", ts="2026-11-02T23:30:00.000Z", inp=1000, out=1000),
                assistant("m2", "r2", ts="2026-11-03T10:00:00.000Z", model="claude-mystery-1"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (root / "-w-beta" / "s2.jsonl").write_text(
        assistant(
            "m3",
            "r3",
            ts="2026-11-02T10:00:00.000Z",
            model="claude-haiku-4-5-20251001",
            inp=2000,
            out=400,
        )
        + "\n",
        encoding="utf-8",
    )
    return tmp_path / "claude"


def test_ingest_summary_and_report_json(logs: Path, db_path: Path) -> None:
    out = sc("ingest", str(logs), "--db", str(db_path))
    assert out.stdout == ""
    assert "3 new requests" in out.stderr
    assert "1 unpriced requests: claude-mystery-1 (1)" in out.stderr
    rep = json.loads(sc("report", "--by", "day", "--db", str(db_path), "--format", "json").stdout)
    assert list(rep) == ["rows", "totals"]
    assert [list(r) for r in rep["rows"]] == [["day", *KEYS]] * 2
    # Nov 2 (UTC): Sonnet 1,000 x $3 + 1,000 x $15 = $0.018 and Haiku 2,000 x $1 + 400 x $5 = $0.004
    # Nov 3: only the unpriced request.
    assert [
        (r["day"], r["requests"], r["cost_usd"], r["unpriced_requests"]) for r in rep["rows"]
    ] == [("2026-11-02", 2, 0.022, 0), ("2026-11-03", 1, 0.0, 1)]
    assert rep["totals"] == {
        k: (sum(r[k] for r in rep["rows"]) if k != "cost_usd" else 0.022) for k in KEYS
    }


def test_days_follow_the_time_zone(logs: Path, db_path: Path) -> None:
    sc("ingest", str(logs), "--db", str(db_path))
    rep = json.loads(
        sc(
            "report",
            "--by",
            "day",
            "--tz",
            "Europe/Berlin",
            "--db",
            str(db_path),
            "--format",
            "json",
        ).stdout
    )
    assert [(r["day"], r["requests"]) for r in rep["rows"]] == [
        ("2026-11-02", 1),
        ("2026-11-03", 2),
    ]
    since = json.loads(
        sc(
            "report",
            "--by",
            "model",
            "--since",
            "2026-11-03",
            "--db",
            str(db_path),
            "--format",
            "json",
        ).stdout
    )
    assert {r["model"] for r in since["rows"]} == {"claude-mystery-1"}


def test_by_workload_uses_the_project(logs: Path, db_path: Path) -> None:
    sc("ingest", str(logs), "--db", str(db_path))
    rep = json.loads(
        sc("report", "--by", "workload", "--db", str(db_path), "--format", "json").stdout
    )
    assert {r["workload"]: r["requests"] for r in rep["rows"]} == {"-w-alpha": 2, "-w-beta": 1}


def test_export_writes_csvs_and_neutralises_formulas(tmp_path: Path, db_path: Path) -> None:
    root = tmp_path / "c" / "projects" / "=HYPERLINK(evil)"
    root.mkdir(parents=True)
    (root / "s.jsonl").write_text(assistant("m1", "r1", inp=1000, out=0) + "\n", encoding="utf-8")
    sc("ingest", str(tmp_path / "c"), "--db", str(db_path))
    sc("export", "--out", str(tmp_path / "out"), "--db", str(db_path))
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert {
        "spend_by_day_model.csv",
        "spend_by_workload.csv",
        "spend_by_model.csv",
        "requests_priced.csv",
    } <= set(names)
    with (tmp_path / "out" / "spend_by_workload.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["workload"] == "'=HYPERLINK(evil)"
    assert Decimal(rows[0]["cost_usd"]) == Decimal("0.003")


def test_prices_command(tmp_path: Path) -> None:
    rows = json.loads(sc("prices", "claude-haiku-4-5-20251001", "--format", "json").stdout)["rows"]
    assert [(r["model"], r["input"], r["output"]) for r in rows] == [("claude-haiku-4-5", 1.0, 5.0)]
    bad = sc("prices", "gpt-4", check=False)
    assert bad.returncode == 1
    assert bad.stderr.startswith("switchcost: no model or alias 'gpt-4'")
    assert bad.stderr.count("\n") == 1


def test_domain_errors_are_one_line(tmp_path: Path, db_path: Path) -> None:
    missing = sc("report", "--by", "day", "--db", str(tmp_path / "none.duckdb"), check=False)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1
    assert "does not exist yet" in missing.stderr
    assert "Traceback" not in missing.stderr
    nothing = sc("ingest", str(tmp_path / "nope"), "--db", str(db_path), check=False)
    assert nothing.returncode == 1
    assert "no such file or directory" in nothing.stderr
    badtz = sc("report", "--by", "day", "--tz", "Mars/Olympus", "--db", str(db_path), check=False)
    assert badtz.returncode == 1


def test_unreadable_input_is_the_only_failing_exit(tmp_path: Path, db_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"not": "a log"}\n', encoding="utf-8")
    proc = sc("ingest", str(junk), "--db", str(db_path), check=False)
    assert proc.returncode == 1
    assert "not a recognised log format" in proc.stderr


def test_second_writer_waits_then_says_busy(logs: Path, db_path: Path) -> None:
    sc("ingest", str(logs), "--db", str(db_path))
    for log in logs.rglob("*.jsonl"):  # so this run has something to check in the database
        os.utime(log, ns=(log.stat().st_atime_ns, log.stat().st_mtime_ns + 1_000_000_000))
    holder = duckdb.connect(str(db_path))  # another process-level writer holds the lock
    try:
        blocked = subprocess.run(
            [sys.executable, "-c", "import duckdb,sys; duckdb.connect(sys.argv[1])", str(db_path)],
            capture_output=True,
            text=True,
        )
        if blocked.returncode == 0:
            pytest.skip("this DuckDB build does not lock across processes")
        proc = sc("ingest", str(logs), "--db", str(db_path), "--wait", "1", check=False)
    finally:
        holder.close()
    assert proc.returncode == 1
    assert "is busy" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_killed_ingest_keeps_whole_batches_and_the_next_run_completes(
    tmp_path: Path, db_path: Path
) -> None:
    import datetime as dt

    from bench.synth import claude_code_tree  # our generator (bench/synth/)

    tree = tmp_path / "big"
    truth = claude_code_tree(
        tree, seed=3, start=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), days=3, n_sessions=120
    )
    first = tmp_path / "first"
    (first / "projects").mkdir(parents=True)
    sc("ingest", str(logs_one(first)), "--db", str(db_path))
    before = count(db_path)
    env = {**os.environ, "SWITCHCOST_CHUNK_BYTES": "20000"}
    for delay in (0.3, 0.6, 0.9):
        proc = subprocess.Popen(
            [sys.executable, "-m", "switchcost", "ingest", str(tree), "--db", str(db_path)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # An ingest commits batch by batch, each with the read positions of the files it
        # covers: a kill keeps the batches committed so far, never a part of one or a copy.
        assert before <= count(db_path) <= before + len(truth)
        assert count(db_path) == distinct_keys(db_path)
    sc("ingest", str(tree), "--db", str(db_path))
    assert count(db_path) == distinct_keys(db_path) == before + len(truth)


def logs_one(root: Path) -> Path:
    folder = root / "projects" / "-w"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "s.jsonl").write_text(assistant("solo", "r") + "\n", encoding="utf-8")
    return root


def count(db_path: Path) -> int:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return int(conn.execute("SELECT count(*) FROM requests").fetchall()[0][0])


def distinct_keys(db_path: Path) -> int:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return int(
            conn.execute("SELECT count(DISTINCT request_key) FROM requests").fetchall()[0][0]
        )


def test_nothing_new_is_answered_without_opening_the_database(logs: Path, db_path: Path) -> None:
    first = sc("ingest", str(logs), "--db", str(db_path))
    files = len(list(logs.rglob("*.jsonl")))
    assert f"{files} files read (0 unchanged" in first.stderr
    holder = duckdb.connect(str(db_path))  # holds the write lock: opening it would wait
    try:
        quiet = sc("ingest", str(logs), "--db", str(db_path), "--wait", "1", check=False)
    finally:
        holder.close()
    assert quiet.returncode == 0
    assert f"0 files read ({files} unchanged, 0 skipped), 0 new requests" in quiet.stderr


def _runs(db_path: Path) -> int:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM ingest_runs").fetchall()[0][0])
    finally:
        con.close()


def test_a_database_written_since_the_last_ingest_is_checked_again(
    logs: Path, db_path: Path
) -> None:
    sc("ingest", str(logs), "--db", str(db_path))
    sc("ingest", str(logs), "--db", str(db_path))
    assert _runs(db_path) == 1  # the second run matched the stamp and left no trace
    con = duckdb.connect(str(db_path))  # another writer changes the database file
    con.execute("CHECKPOINT")
    con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
    con.close()
    sc("ingest", str(logs), "--db", str(db_path))
    assert _runs(db_path) == 2  # the stamp no longer matched: the database was checked
    changed = next(logs.rglob("*.jsonl"))
    sc("ingest", str(logs), "--db", str(db_path))
    assert _runs(db_path) == 2
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    sc("ingest", str(logs), "--db", str(db_path))
    assert _runs(db_path) == 3  # a touched input file: checked again


def test_an_unchanged_report_is_answered_from_the_cache_until_its_inputs_change(
    logs: Path, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc("ingest", str(logs), "--db", str(db_path))
    report = ["report", "--by", "day", "--db", str(db_path)]
    first = sc(*report, "--format", "json").stdout
    holder = duckdb.connect(str(db_path))  # holds the write lock: opening it would fail
    try:
        cached = sc(*report, "--format", "json", "--tz", "UTC")
    finally:
        holder.close()
    assert cached.stdout == first
    # New data: the database file changes, so does the key, and the report is computed again.
    with (logs / "projects" / "-w-beta" / "s3.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(assistant("m9", "r9", ts="2026-11-04T10:00:00.000Z", inp=5000) + "\n")
    sc("ingest", str(logs), "--db", str(db_path))
    after = json.loads(sc(*report, "--format", "json").stdout)
    assert after["totals"]["requests"] == json.loads(first)["totals"]["requests"] + 1
    # A changed price file changes the key too: the mystery model gets a price.
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[[models]]\nid = "claude-mystery-1"\n[[models.prices]]\neffective_from = 2026-01-01\n'
        "input = 1\noutput = 5\ncache_write_5m = 1.25\ncache_write_1h = 2\ncache_read = 0.1\n"
        'source = "test"\n',
        encoding="utf-8",
    )
    priced = json.loads(sc(*report, "--format", "json", "--prices", str(prices)).stdout)
    assert after["totals"]["unpriced_requests"] == 1
    assert priced["totals"]["unpriced_requests"] == 0
    prices.write_text(prices.read_text(encoding="utf-8").replace("input = 1\n", "input = 2\n"))
    dearer = json.loads(sc(*report, "--format", "json", "--prices", str(prices)).stdout)
    assert Decimal(str(dearer["totals"]["cost_usd"])) > Decimal(str(priced["totals"]["cost_usd"]))
    # Every cached answer equals the uncached one.
    monkeypatch.setenv("SWITCHCOST_REPORT_CACHE", "0")
    assert json.loads(sc(*report, "--format", "json").stdout) == after


def test_running_out_of_memory_is_one_line_and_writes_nothing(db_path: Path) -> None:
    """A DuckDB pool too small for the work fails the run with one line that says how to give
    it more; the transaction is rolled back, so what was stored before is all that is there."""
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    sc("ingest", str(sample / "app"), "--db", str(db_path))
    before = sc("report", "--by", "source", "--db", str(db_path), "--format", "json").stdout
    starved = sc(
        "ingest",
        str(sample),
        "--db",
        str(db_path),
        check=False,
        env={"SWITCHCOST_MEMORY": "4MB"},
    )
    assert starved.returncode == 1
    assert starved.stderr.count("\n") == 1
    assert "ran out of memory" in starved.stderr
    assert "SWITCHCOST_MEMORY" in starved.stderr
    assert "Traceback" not in starved.stderr
    after = sc("report", "--by", "source", "--db", str(db_path), "--format", "json").stdout
    assert after == before
    assert json.loads(after)["totals"]["requests"] == 1292  # the app logs' requests only
