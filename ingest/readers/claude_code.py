"""Claude Code transcripts: ~/.claude/projects/<project>/<session>.jsonl and sub-agent files.

Claude Code writes one line per content block, each repeating the response's usage, so one
billed request is the set of lines sharing (message.id, requestId); the line with the largest
token total wins (earlier lines carry partial output counts while streaming).  `<synthetic>`
lines are local messages, and API-error lines (`isApiErrorMessage`) are counted as error
records; neither is billed.  Any line whose `message` carries `usage` is a response, whatever
its top-level `type` (Claude Code 1.0 wrote some without `"type":"assistant"`).

Timing is derived from the transcript's own timestamps, since Claude Code logs no latency:
the line that prompted a request (the user's message or tool result just before the
response's first line, with no other response between) is when the request was sent; the
response's content-block lines are written as each block arrives.  Time to first block = first
block line - prompting line; total = last block line - prompting line.  Only when the prompting
line came first and the response took under an hour.

The heavy work runs in an in-memory DuckDB, not a Python loop over lines: each file is split
into lines there (so line numbers are exact, blank lines included), only lines that can be a
response (they contain "assistant" or "usage") are parsed as JSON, the prompting lines give
only their timestamp, and the rest are checked to be one complete object each.  Batches are
scanned on one thread per core (see `claude_code_ranges` for how input reaches DuckDB).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from switchcost.ingest.readers import claude_code_sql as sql
from switchcost.ingest.readers.claude_code_ranges import (
    WHOLE_FILE_BYTES,
    Job,
    Ranges,
    reason_for,
    whole_jobs,
)
from switchcost.ingest.records import (
    FileTask,
    Malformed,
    ReadOptions,
    ReadResult,
    empty_table,
    task_lines,
)

NAME = "claude-code"
# The parse of one batch is held to this; batches are small enough to fit.  (256MB was no
# faster on 1.1 GB of transcripts, and the process peaked 25 MB higher.)
READER_MEMORY = os.environ.get("SWITCHCOST_READER_MEMORY", "128MB")
WINNERS_MEMORY = os.environ.get("SWITCHCOST_READER_MERGE_MEMORY", "256MB")
THREADS = os.cpu_count() or 1
# With SWITCHCOST_READ_AHEAD=1 the loader reads the next chunk while it merges this one
# (ingest/read_ahead.py).  Off by default: on the loaded 2-core bench machine it gave no
# measurable gain (run-to-run noise was larger) and cost about 35 MiB at peak.
READ_AHEAD = os.environ.get("SWITCHCOST_READ_AHEAD", "0") == "1"
# DuckDB reads a path with these characters as a pattern: such files are read as ranges.
_GLOB = set("*?[]{}")


def detect(path: Path, head: bytes) -> bool:
    """A .jsonl file whose first lines carry Claude Code's envelope: `sessionId` and `uuid` on
    one line, anywhere in it however long (Claude Code writes `uuid` after `message`).  Under a
    `projects/` folder, where Claude Code keeps transcripts, `sessionId` alone is enough (earlier
    versions leave `uuid` off some lines), and so is a leading `summary` line."""
    from switchcost.ingest.head import as_head

    if path.suffix != ".jsonl":
        return False
    lines = as_head(head).lines
    if any(ln.has('"sessionId"') and ln.has('"uuid"') for ln in lines):
        return True
    if "projects" not in path.parts:
        return False
    return any(ln.has('"sessionId"') for ln in lines) or (
        bool(lines) and lines[0].text.startswith('{"type":"summary"')
    )


def _locate(path: Path) -> tuple[str, str, str | None]:
    """(project, session id, agent id) from where the file sits in the tree."""
    parts = path.parts
    agent = path.stem[len("agent-") :] if path.stem.startswith("agent-") else None
    if path.parent.name == "subagents" and len(parts) >= 3:
        session = path.parent.parent.name
        project_dir = path.parent.parent.parent
    else:
        session = path.stem
        project_dir = path.parent
    if "projects" in parts:
        idx = len(parts) - 1 - parts[::-1].index("projects")
        if idx + 1 < len(parts) - 1:
            return parts[idx + 1], session, agent
    return project_dir.name, session, agent


@dataclass
class _Rows:
    """The records, kept in the reader's own DuckDB and streamed to the loader (an Arrow C
    stream: no pyarrow, no copy into Python); `close` ends the reader's connection."""

    con: duckdb.DuckDBPyConnection
    num_rows: int

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.con.sql("SELECT * FROM records").__arrow_c_stream__(requested_schema)

    def close(self) -> None:
        self.con.close()


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Parse the byte ranges in `tasks` into request records, one per (file, dedup key).

    A request repeated in several files (a resumed session) comes out once per file; the
    loader keeps the fullest copy.  The caller closes the result once it has loaded it.
    """
    del options  # workload = project for Claude Code
    result = ReadResult(table=empty_table())
    if not tasks:
        return result
    # Parallel by our own threads, one query each: DuckDB workers would only contend.  No
    # spilling: the reader's tables hold prompt text while it works, and its batches fit.
    con = duckdb.connect(config={"threads": 1, "temp_directory": ""})
    try:
        lines = _parse(con, tasks, result)
        con.execute(f"CREATE TEMP TABLE records AS {sql.RECORDS}")
        count = int(con.execute("SELECT count(*) FROM records").fetchall()[0][0])
    except BaseException:
        con.close()
        raise
    if count:
        result.table = _Rows(con, count)
    else:
        con.close()
    for task in tasks:
        result.resume[str(task.path)] = (task.end, task.start_line + lines[str(task.path)])
    return result


def _parse(
    con: duckdb.DuckDBPyConnection, tasks: list[FileTask], result: ReadResult
) -> dict[str, int]:
    """Aggregate every task's lines into `winners`; name the bad lines in `result`.  Returns
    the lines consumed per path."""
    ranges = Ranges()
    whole = []
    ranged = []
    for i, task in enumerate(tasks):
        full = task.start == 0 and task.end == os.path.getsize(task.path)
        if full and task.end <= WHOLE_FILE_BYTES and not _GLOB.intersection(str(task.path)):
            whole.append(i)
        else:
            ranged.append((i, task))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{READER_MEMORY}'")
    for macro in sql.MACROS:
        con.execute(macro)
    _register_files(con, tasks)
    slots = min(THREADS, len(tasks))
    for slot in range(slots):
        con.execute(f"CREATE TABLE agg_{slot} ({sql.AGG_COLUMNS})")
    _scan(con, itertools.chain(whole_jobs(tasks, whole), ranges.stream(ranged)), slots)
    con.execute(
        "CREATE VIEW agg AS " + " UNION ALL ".join(f"SELECT * FROM agg_{s}" for s in range(slots))
    )
    seen = {fi for (fi,) in con.execute("SELECT DISTINCT fi FROM agg").fetchall()}
    # A whole file that is not valid UTF-8, or whose lines are too long for one batch, gave
    # no rows: read it again as ranges, its bad lines blanked and its giant lines shrunk.
    again = Ranges()
    _scan(con, again.stream([(i, tasks[i]) for i in whole if i not in seen]), 1)
    # The merge of every batch's groups holds them all at once: give it room (a limit, not a
    # reservation: a chunk of ordinary transcripts needs far less).
    con.execute(f"SET memory_limit = '{WINNERS_MEMORY}'")
    con.execute(sql.WINNERS)
    bad_rows = con.execute(sql.BAD).fetchall()
    errors, responses = con.execute(
        "SELECT count(*) FILTER (kind = 'api_error'), coalesce(sum(nlines) FILTER (kind = 'req'),"
        " 0) FROM winners"
    ).fetchall()[0]
    lines = {str(p): int(n) for p, n in con.execute(sql.LINES).fetchall()}
    for i, count in (ranges.lines | again.lines).items():
        lines[str(tasks[i].path)] = count
    result.malformed = sorted(
        [*_explain(tasks, bad_rows), *ranges.malformed, *again.malformed],
        key=lambda m: (m.path, m.line),
    )
    # Every line is a response's, an API error, malformed, or other (prompts, tool results,
    # summaries, blank lines, `<synthetic>` messages).
    result.error_records += int(errors)
    result.response_lines += int(responses)
    result.other_lines += sum(lines.values()) - int(responses) - int(errors) - len(result.malformed)
    return lines


def _register_files(con: duckdb.DuckDBPyConnection, tasks: list[FileTask]) -> None:
    # Lists bound as parameters, not a pyarrow table built from Python objects: that would
    # make pyarrow import pandas (a third of a second) on every run.
    located = [_locate(t.path) for t in tasks]
    con.execute(
        "CREATE TABLE files AS SELECT unnest(range(len($p))) AS fi, unnest($p) AS orig_path,"
        " unnest($s)::BIGINT AS start_line, unnest($proj) AS project,"
        " unnest($sess) AS session_id, unnest($agent)::VARCHAR AS agent_from_path",
        {
            "p": [str(t.path) for t in tasks],
            "s": [t.start_line for t in tasks],
            "proj": [loc[0] for loc in located],
            "sess": [loc[1] for loc in located],
            "agent": [loc[2] for loc in located],
        },
    )


def _scan(con: duckdb.DuckDBPyConnection, jobs: Iterator[Job], slots: int) -> None:
    """Run the aggregate over each job, `slots` jobs at a time (one cursor each).  Each slot
    takes the next job when it is done with one (the jobs are made as they are taken: a
    range's bytes are read then), so the cores stay busy until the last job."""
    lock = threading.Lock()

    def take() -> Job | None:
        with lock:
            return next(jobs, None)

    def work(slot: int) -> None:
        cur = con.cursor()
        try:
            while (job := take()) is not None:
                params: dict[str, object] = {"fis": job.fis, "structure": sql.STRUCTURE}
                if job.data is None:
                    params["paths"] = job.paths
                    query = sql.AGGREGATE.format(
                        slot=slot, source=sql.WHOLE_SOURCE, locate=sql.WHOLE
                    )
                else:
                    table = sql.RANGES_TABLE.format(slot=slot)
                    cur.execute(table, {"fis": job.fis, "firsts": job.firsts, "data": job.data})
                    source = sql.RANGES_SOURCE.format(slot=slot)
                    query = sql.AGGREGATE.format(slot=slot, source=source, locate=sql.RANGES)
                    del params["fis"]
                cur.execute(query, params)
                if job.data is not None:
                    cur.execute(f"DROP TABLE batch_{slot}")
        finally:
            cur.close()

    with ThreadPoolExecutor(slots) as pool:
        for future in [pool.submit(work, slot) for slot in range(slots)]:
            future.result()


def _explain(tasks: list[FileTask], bad: list[tuple[str, int, str | None]]) -> list[Malformed]:
    """Name what is wrong with each bad line; lines DuckDB could not parse are read again
    (streamed up to the last of them: a file is never held whole for this)."""
    by_path = {str(t.path): t for t in tasks}
    unknown: dict[str, set[int]] = {}
    for path, line, reason in bad:
        if reason is None:
            unknown.setdefault(path, set()).add(int(line))
    found: dict[tuple[str, int], str] = {}
    for path, wanted in unknown.items():
        last = max(wanted)
        for n, _, raw in task_lines(by_path[path]):
            if n in wanted:
                found[(path, n)] = reason_for(raw)
            if n >= last:
                break
    return [
        Malformed(path, int(line), reason or found[(path, int(line))]) for path, line, reason in bad
    ]
