"""Benchmark: switchcost ingest + report against ccusage and DuckDB floors, same corpus.

    python -m bench.bench_ingest [--corpus DIR] [--ccusage BIN] [--parts main,shape,applog,ccmem]

Makes (or reuses) a >= 1 GB Claude Code corpus with bench.make_corpus, then times, each as its
own process (wall time and peak RSS from wait4): ccusage daily; a bare DuckDB read_json of the
same fields with dedup and grouping, and the same scan storing its rows in a DuckDB file; the
raw-lines floor (the transcripts read as raw lines, response lines kept by a substring test, only
the needed fields extracted, one row per request stored); switchcost ingest into a fresh database
+ report --by day; two processes that only import the CLI and open that database (the fixed cost
of any scheduled run); ingest + report with nothing new; and again after appending 1% new lines.
Prints ratios against ccusage (the named baseline) and the load average before each step (other
work on the machine moves the figures).  Targets (issue 15): fresh <= 0.6x time and <= 0.5x
memory, nothing new <= 0.05x, 1% appended <= 0.15x, peak memory <= 400 MiB at every size.

Parts (`--parts`, comma-separated; default main,shape):
  main    the bench corpus, every step above;
  shape   a second corpus of another shape (`make_corpus --shape few-large`: few large sessions
          opening with long lines, many tiny files): ccusage, the raw-lines floor, fresh ingest;
  applog  peak memory of a fresh ingest of one Messages API log of each `--app-gb` size
          (generated, then deleted);
  ccmem   peak memory of Claude Code corpora of 1x and 3x the bench corpus, fresh and after
          appending 50% (copies, deleted after).

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

# The floor of ingest-floor.md: files read as raw lines (one VARCHAR column, a delimiter that
# never occurs in JSON text, no quoting), only lines containing "usage" and "assistant" kept by a
# substring test, the needed fields taken with one json_extract_string per kept line, one row
# per request (DISTINCT ON), stored in a DuckDB file.
RAW_STORE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
files = sys.argv[1] + '/projects/**/*.jsonl'
con.execute('''
CREATE TABLE requests AS
SELECT DISTINCT ON (f[1], f[2])
    'cc:' || f[1] || ':' || f[2] AS request_key, filename AS source_file,
    f[3]::TIMESTAMPTZ AS ts, f[4] AS session_id, f[5] AS model, f[6]::BOOLEAN AS is_subagent,
    f[7]::BIGINT AS input_tokens, f[8]::BIGINT AS cache_write, f[9]::BIGINT AS cache_read,
    f[10]::BIGINT AS output_tokens, f[1] AS message_id, f[2] AS request_id
FROM (
    SELECT filename, json_extract_string(line, ['$.message.id', '$.requestId', '$.timestamp',
        '$.sessionId', '$.message.model', '$.isSidechain', '$.message.usage.input_tokens',
        '$.message.usage.cache_creation_input_tokens', '$.message.usage.cache_read_input_tokens',
        '$.message.usage.output_tokens']) AS f
    FROM read_csv($f, columns={'line': 'VARCHAR'}, delim=chr(31), quote='', escape='',
                  header=false, auto_detect=false, filename=true, max_line_size=200000000)
    WHERE contains(line, '"usage"') AND contains(line, '"assistant"')
)
''', {'f': files})
con.close()
"""

# What a scheduled `ingest` + `report` pays before any work: start Python, import the CLI and
# DuckDB, open the database (writable for the ingest, read-only for the report) and close it.
OPEN_ONLY = """
import sys
import switchcost.app.cli, duckdb
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


Results = dict[str, tuple[Timing, str]]
Env = dict[str, str] | None


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def table(title: str, results: Results, base: Timing | None) -> None:
    print(title)
    print(f"{'step':50} {'wall s':>8} {'peak MiB':>9} {'x time':>7} {'x mem':>7} {'load':>5}")
    for name, (t, before) in results.items():
        ratio = f"{t.wall / base.wall:7.3f} {t.peak_mib / base.peak_mib:7.3f}" if base else " " * 15
        print(f"{name:50} {t.wall:8.2f} {t.peak_mib:9.0f} {ratio} {before:>5}")
    print(flush=True)


def remove(work: Path, name: str) -> None:
    """Delete `name` and its siblings (wal, stamp, report cache, spill folder) in `work`."""
    for p in work.glob(name + "*"):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()


def corpus_size(corpus: Path) -> str:
    files = list(corpus.rglob("*.jsonl"))
    return f"{sum(p.stat().st_size for p in files) / 1e9:.2f} GB, {len(files):,} files"


class Bench:
    def __init__(self, ccusage: str, work: Path) -> None:
        self.ccusage = ccusage
        self.work = work
        self.py = sys.executable
        self.repo = Path(__file__).resolve().parents[1]

    def run(self, results: Results, name: str, *cmds: list[str], env: Env = None) -> Timing:
        """Time `cmds` one after the other (wall added, peak the largest), noting the load."""
        before = load()
        total = Timing(0.0, 0.0)
        for cmd in cmds:
            total = both(total, measure(cmd, env))
        results[name] = (total, before)
        return total

    def ccusage_run(self, results: Results, corpus: Path) -> Timing:
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(corpus)}
        cmd = [self.ccusage, "claude", "daily", "--offline", "--json"]
        return self.run(results, "ccusage daily --offline --json", cmd, env=env)

    def raw_floor(self, results: Results, corpus: Path) -> None:
        remove(self.work, "raw.duckdb")
        cmd = [self.py, "-c", RAW_STORE, str(corpus), str(self.work / "raw.duckdb")]
        self.run(results, "floor: raw lines + substring test, stored", cmd)
        remove(self.work, "raw.duckdb")

    def ingest(self, paths: Path, db: Path) -> list[str]:
        return [self.py, "-m", "switchcost", "ingest", str(paths), "--db", str(db)]

    def report(self, db: Path) -> list[str]:
        return [
            self.py,
            "-m",
            "switchcost",
            "report",
            "--by",
            "day",
            "--db",
            str(db),
            "--format",
            "json",
        ]

    def fresh_db(self, name: str) -> Path:
        remove(self.work, name)
        return self.work / name

    def warm(self, corpus: Path) -> None:
        """Read every file once so each contender reads from the page cache."""
        measure([self.py, "-c", WARM, str(corpus)])

    def append(self, corpus: Path, fraction: float) -> None:
        seed = str(int(time.time()))
        args = [str(corpus), "--append-fraction", str(fraction), "--seed", seed]
        subprocess.run(
            [self.py, "-m", "bench.make_corpus", *args], check=True, stderr=subprocess.DEVNULL
        )


def part_main(b: Bench, corpus: Path) -> None:
    r: Results = {}
    b.warm(corpus)
    base = b.ccusage_run(r, corpus)
    b.run(r, "bare DuckDB read_json scan", [b.py, "-c", BARE_SCAN, str(corpus)])
    remove(b.work, "floor.duckdb")
    store = [b.py, "-c", BARE_STORE, str(corpus), str(b.work / "floor.duckdb")]
    b.run(r, "floor: bare scan stored in a DuckDB file", store)
    remove(b.work, "floor.duckdb")
    b.raw_floor(r, corpus)
    db = b.fresh_db("bench.duckdb")
    b.run(r, "switchcost ingest + report (fresh)", b.ingest(corpus, db), b.report(db))
    opened = [b.py, "-c", OPEN_ONLY, str(db)]
    on_path = {**os.environ, "PYTHONPATH": str(b.repo)}
    name = "floor: 2 processes that only open the db"
    b.run(r, name, [*opened, "rw"], [*opened, "ro"], env=on_path)
    b.run(r, "switchcost ingest + report (nothing new)", b.ingest(corpus, db), b.report(db))
    b.append(corpus, 0.01)
    b.run(r, "switchcost ingest + report (1% appended)", b.ingest(corpus, db), b.report(db))
    table(f"bench corpus: {corpus} ({corpus_size(corpus)})", r, base)
    remove(b.work, "bench.duckdb")


def part_shape(b: Bench, corpus: Path) -> None:
    if not (corpus / "projects").exists():
        cmd = [b.py, "-m", "bench.make_corpus", str(corpus), "--shape", "few-large"]
        subprocess.run(cmd, check=True)
    r: Results = {}
    b.warm(corpus)
    base = b.ccusage_run(r, corpus)
    b.raw_floor(r, corpus)
    db = b.fresh_db("shape.duckdb")
    b.run(r, "switchcost ingest + report (fresh)", b.ingest(corpus, db), b.report(db))
    table(f"second shape, few large sessions + tiny files: {corpus} ({corpus_size(corpus)})", r,
          base)  # fmt: skip
    remove(b.work, "shape.duckdb")


def part_applog(b: Bench, sizes: list[float]) -> None:
    r: Results = {}
    folder = b.work / "applog"
    for gb in sizes:
        log = folder / "app.jsonl"
        folder.mkdir(parents=True, exist_ok=True)
        args = [str(log), "--messages-log", "--target-bytes", str(int(gb * 1e9))]
        subprocess.run([b.py, "-m", "bench.make_corpus", *args], check=True)
        db = b.fresh_db("applog.duckdb")
        b.warm(folder)
        b.run(
            r, f"ingest a Messages API log of {log.stat().st_size / 1e9:.2f} GB", b.ingest(log, db)
        )
        shutil.rmtree(folder)
        remove(b.work, "applog.duckdb")
    table("Messages API application logs, fresh ingest (target: peak <= 400 MiB)", r, None)


def part_ccmem(b: Bench, corpus: Path) -> None:
    r: Results = {}
    size = sum(p.stat().st_size for p in corpus.rglob("*.jsonl"))
    for times in (1, 3):
        copy = b.work / f"cc{times}x"
        shutil.rmtree(copy, ignore_errors=True)
        if times == 1:
            shutil.copytree(corpus, copy)
        else:
            args = [str(copy), "--target-bytes", str(size * times)]
            subprocess.run([b.py, "-m", "bench.make_corpus", *args], check=True)
        db = b.fresh_db(f"cc{times}x.duckdb")
        b.warm(copy)
        b.run(r, f"Claude Code {times}x ({corpus_size(copy)}), fresh", b.ingest(copy, db))
        b.append(copy, 0.5)
        b.run(r, f"Claude Code {times}x, 50% appended", b.ingest(copy, db))
        shutil.rmtree(copy)
        remove(b.work, f"cc{times}x.duckdb")
    table("Claude Code corpora, ingest (target: peak <= 400 MiB)", r, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "sc-corpus")
    parser.add_argument(
        "--corpus2", type=Path, default=Path(tempfile.gettempdir()) / "sc-corpus-shape"
    )
    parser.add_argument("--ccusage", default=None)
    parser.add_argument("--parts", default="main,shape")
    parser.add_argument("--app-gb", default="0.5,1.5,5", help="Messages API log sizes (GB)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    work = Path(tempfile.mkdtemp(prefix="sc-bench-"))
    py = sys.executable
    if not (args.corpus / "projects").exists():
        subprocess.run([py, "-m", "bench.make_corpus", str(args.corpus)], check=True)
    ccusage = find_ccusage(args.ccusage, work)
    repo = Path(__file__).resolve().parents[1]
    packages = [str(repo / name) for name in ("app", "ingest", "queries")]
    subprocess.run([py, "-m", "compileall", "-q", *packages], check=True, stdout=subprocess.DEVNULL)
    print(f"baseline: ccusage 20.0.24; {os.cpu_count()} cores; load {load()} at start", flush=True)
    b = Bench(ccusage, work)
    try:
        if "main" in parts:
            part_main(b, args.corpus)
        if "shape" in parts:
            part_shape(b, args.corpus2)
        if "applog" in parts:
            part_applog(b, [float(x) for x in args.app_gb.split(",")])
        if "ccmem" in parts:
            part_ccmem(b, args.corpus)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
