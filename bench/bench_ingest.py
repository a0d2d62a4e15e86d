"""Benchmark: switchcost ingest + report against ccusage and a bare DuckDB scan, same corpus.

    python -m bench.bench_ingest [--corpus DIR] [--ccusage BIN]

Makes (or reuses) a >= 1 GB Claude Code corpus with bench.make_corpus, then times, each as its
own process (wall time and peak RSS from wait4): ccusage daily; a bare DuckDB read_json of the
same fields with dedup and grouping, and the same scan storing its rows in a DuckDB file (the
floor of reading and storing with DuckDB); switchcost ingest into a fresh database + report --by
day; two processes that only import the CLI and open that database (the fixed cost of any
scheduled run); ingest + report with nothing new; and again after appending 1% new lines.
Prints ratios against ccusage (the named baseline).  Targets: first <= 0.5x time and memory,
repeat <= 0.05x, 1% append <= 0.1x.

switchcost's own modules are byte-compiled first (`compileall`), as installing the package does:
an editable checkout under PYTHONDONTWRITEBYTECODE (this sandbox sets it) would otherwise
compile them from source in every process, about 30 ms of each short run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BARE_SCAN = """
import duckdb, sys
con = duckdb.connect()
files = sys.argv[1] + '/projects/**/*.jsonl'
con.sql('''
SELECT day, model, sum(i), sum(o) FROM (
  SELECT strftime(timestamp, '%Y-%m-%d') AS day, message.model AS model,
         max(message.usage.input_tokens) AS i, max(message.usage.output_tokens) AS o
  FROM read_json($f, format='newline_delimited', ignore_errors=true, columns={
    'timestamp': 'TIMESTAMPTZ', 'requestId': 'VARCHAR',
    'message': 'STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT,
      output_tokens BIGINT, cache_creation_input_tokens BIGINT, cache_read_input_tokens BIGINT))'})
  WHERE message.usage IS NOT NULL GROUP BY message.id, requestId, day, model)
GROUP BY ALL
''', params={'f': files}).fetchall()
"""


# The bare scan again, storing what switchcost stores (one row per request: its key, fields and
# file) in a DuckDB file, DuckDB's default memory: the floor of reading and storing with DuckDB.
# (In switchcost's 64MB writer pool this query runs out of memory.)
BARE_STORE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
files = sys.argv[1] + '/projects/**/*.jsonl'
con.execute('''
CREATE TABLE requests AS
SELECT 'cc:' || message.id || ':' || requestId AS request_key, any_value(filename) AS source_file,
       arg_max(timestamp, message.usage.output_tokens) AS ts, any_value(sessionId) AS session_id,
       any_value(message.model) AS model, bool_or(isSidechain) AS is_subagent,
       max(message.usage.input_tokens) AS input_tokens,
       max(message.usage.cache_creation_input_tokens) AS cache_write,
       max(message.usage.cache_read_input_tokens) AS cache_read,
       max(message.usage.output_tokens) AS output_tokens, message.id AS message_id,
       requestId AS request_id
FROM read_json($f, format='newline_delimited', ignore_errors=true, filename=true, columns={
    'timestamp': 'TIMESTAMPTZ', 'requestId': 'VARCHAR', 'sessionId': 'VARCHAR',
    'isSidechain': 'BOOLEAN',
    'message': 'STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT,
      output_tokens BIGINT, cache_creation_input_tokens BIGINT, cache_read_input_tokens BIGINT))'})
WHERE message.usage IS NOT NULL GROUP BY message.id, requestId
''', {'f': files})
con.close()
"""

# What a scheduled `ingest` + `report` pays before any work: start Python, import the CLI and
# DuckDB, open the database (writable for the ingest, read-only for the report) and close it.
OPEN_ONLY = """
import sys
import app.cli, duckdb
duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro').close()
"""


WARM = """
import pathlib, sys
for p in pathlib.Path(sys.argv[1]).rglob('*.jsonl'):
    p.read_bytes()
"""


@dataclass
class Timing:
    wall: float
    peak_mib: float


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Timing:
    """Wall time and peak RSS of one process (and its children), via wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({status}): {err[-2000:]}")
    return Timing(wall, usage.ru_maxrss / 1024)


def both(a: Timing, b: Timing) -> Timing:
    return Timing(a.wall + b.wall, max(a.peak_mib, b.peak_mib))


def find_ccusage(given: str | None, workdir: Path) -> str:
    if given:
        return given
    env = os.environ.get("SWITCHCOST_CCUSAGE")
    if env and Path(env).exists():
        return env
    target = workdir / "ccusage"
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "ccusage@20.0.24",
            "@ccusage/ccusage-linux-x64@20.0.24",
        ],
        cwd=target,
        check=True,
    )
    binary = target / "node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"
    binary.chmod(0o755)
    return str(binary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "sc-corpus")
    parser.add_argument("--ccusage", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the appended corpus")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sc-bench-"))
    py = sys.executable
    if not (args.corpus / "projects").exists():
        subprocess.run([py, "-m", "bench.make_corpus", str(args.corpus)], check=True)
    size = sum(p.stat().st_size for p in args.corpus.rglob("*.jsonl"))
    ccusage = find_ccusage(args.ccusage, work)
    db = work / "bench.duckdb"
    sc = [py, "-m", "app"]
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(args.corpus)}
    repo = Path(__file__).resolve().parents[1]
    packages = [str(repo / name) for name in ("app", "ingest", "queries")]
    subprocess.run([py, "-m", "compileall", "-q", *packages], check=True, stdout=subprocess.DEVNULL)
    # Warm the page cache once so every contender reads from memory.
    measure([py, "-c", WARM, str(args.corpus)])

    results: dict[str, Timing] = {}
    results["ccusage daily --offline --json"] = measure(
        [ccusage, "claude", "daily", "--offline", "--json"], env
    )
    results["bare DuckDB read_json scan"] = measure([py, "-c", BARE_SCAN, str(args.corpus)])
    results["floor: bare scan stored in a DuckDB file"] = measure(
        [py, "-c", BARE_STORE, str(args.corpus), str(work / "floor.duckdb")]
    )
    ingest = [*sc, "ingest", str(args.corpus), "--db", str(db)]
    report = [*sc, "report", "--by", "day", "--db", str(db), "--format", "json"]
    results["switchcost ingest + report (fresh)"] = both(measure(ingest), measure(report))
    opened = [py, "-c", OPEN_ONLY, str(db)]
    on_path = {**env, "PYTHONPATH": str(repo)}
    results["floor: 2 processes that only open the db"] = both(
        measure([*opened, "rw"], on_path), measure([*opened, "ro"], on_path)
    )
    results["switchcost ingest + report (nothing new)"] = both(measure(ingest), measure(report))
    subprocess.run(
        [
            py,
            "-m",
            "bench.make_corpus",
            str(args.corpus),
            "--append-fraction",
            "0.01",
            "--seed",
            str(int(time.time())),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    results["switchcost ingest + report (1% appended)"] = both(measure(ingest), measure(report))

    base = results["ccusage daily --offline --json"]
    print(f"corpus: {args.corpus} ({size / 1e9:.2f} GB); baseline: ccusage 20.0.24")
    print(f"{'step':44} {'wall s':>8} {'peak MiB':>9} {'x time':>7} {'x mem':>7}")
    for name, t in results.items():
        print(
            f"{name:44} {t.wall:8.2f} {t.peak_mib:9.0f} {t.wall / base.wall:7.3f} "
            f"{t.peak_mib / base.peak_mib:7.3f}"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
