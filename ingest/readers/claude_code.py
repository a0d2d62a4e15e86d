"""Claude Code transcripts: ~/.claude/projects/<project>/<session>.jsonl and sub-agent files.

Claude Code writes one line per content block, each repeating the response's usage, so one
billed request is the set of lines sharing (message.id, requestId); the line with the largest
token total wins (earlier lines carry partial output counts while streaming).  `<synthetic>`
lines and API-error lines are local messages, not billed requests.

The heavy work runs in an in-memory DuckDB, not a Python loop over lines: each file is split
into lines there (so line numbers are exact, blank lines included), only lines that can be a
response (they contain "assistant") are parsed as JSON, and the rest are checked to be one
complete object each.  Batches of files are scanned on one thread per core.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.readers.messages import BadRecord, load_object
from ingest.records import FileTask, Malformed, ReadOptions, ReadResult, empty_table, task_lines

NAME = "claude-code"
# The parse of one chunk is held to this; the loader keeps chunks small enough to fit.  (256MB
# was no faster on 1.1 GB of transcripts, and the process peaked 25 MB higher.)
READER_MEMORY = os.environ.get("SWITCHCOST_READER_MEMORY", "128MB")
THREADS = os.cpu_count() or 1
# One query reads a batch of about this many bytes: each file is held whole while it is split.
BATCH_BYTES = 32 * 1024 * 1024
# DuckDB reads a path with these characters as a pattern: such files are read from a copy.
_GLOB = set("*?[]{}")

_COLUMNS = {
    "type": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "sessionId": "VARCHAR",
    "isSidechain": "BOOLEAN",
    "agentId": "VARCHAR",
    "requestId": "VARCHAR",
    "isApiErrorMessage": "BOOLEAN",
    "message": {
        "id": "VARCHAR",
        "model": "VARCHAR",
        "usage": {
            "input_tokens": "BIGINT",
            "output_tokens": "BIGINT",
            "cache_creation_input_tokens": "BIGINT",
            "cache_read_input_tokens": "BIGINT",
            "cache_creation": {
                "ephemeral_5m_input_tokens": "BIGINT",
                "ephemeral_1h_input_tokens": "BIGINT",
            },
            "service_tier": "VARCHAR",
            "speed": "VARCHAR",
            "inference_geo": "VARCHAR",
            "server_tool_use": {"web_search_requests": "BIGINT"},
        },
    },
}
_STRUCTURE = json.dumps(_COLUMNS)

# Lines are grouped by (file, dedup key): a billed request keeps the values of its fullest
# line; a bad line, or a response without a message id, is a group of its own (`solo` = its
# line); every other line falls into its file's NULL-key group.  Line 1 always reaches the
# aggregate, so each file reports how many pieces its text split into (lines + 1).
# A file that is not valid UTF-8 yields no rows at all; Python finds those lines.
_AGGREGATE = """
INSERT INTO agg_{slot}
WITH split AS (
    SELECT file_index::BIGINT AS pi, string_split(try(decode(content)), chr(10)) AS ls
    FROM read_blob($paths)
),
pieces AS (
    SELECT pi, pieces, unnest(ls) AS line, generate_subscripts(ls, 1) AS n
    FROM (SELECT pi, ls, len(ls) AS pieces FROM split)
),
lines AS ({locate}),
marked AS (
    SELECT fi, pieces, n, line, contains(line, '"assistant"') AS maybe,
        CASE WHEN starts_with(line, '{{') AND ends_with(line, '}}') THEN false
             WHEN contains(line, '"assistant"') THEN false
             ELSE trim(line) <> '' AND NOT coalesce(try(json_type(line)) = 'OBJECT', false)
             END AS misshapen
    FROM lines
),
parsed AS (
    SELECT fi, pieces, n, misshapen, maybe,
        CASE WHEN maybe THEN try(from_json(line, $structure)) END AS j
    FROM marked
    WHERE maybe OR misshapen OR n = 1
),
k AS (
    SELECT fi, pieces, n, j,
        CASE
            WHEN misshapen OR (maybe AND j IS NULL) THEN 'bad'
            WHEN NOT maybe OR j.type IS DISTINCT FROM 'assistant'
                 OR coalesce(j.message.model, '') = '<synthetic>'
                 OR coalesce(j.isApiErrorMessage, false) THEN NULL
            WHEN j.message.usage IS NULL OR j.message.usage.input_tokens IS NULL
                 OR j.message.usage.output_tokens IS NULL OR j.timestamp IS NULL THEN 'bad'
            ELSE 'req'
        END AS kind
    FROM parsed
),
keyed AS (
    SELECT
        fi, pieces, n, kind, j.timestamp AS ts, j.sessionId AS session,
        j.isSidechain AS sidechain, j.agentId AS agent, j.message.model AS model,
        CASE WHEN kind = 'req' THEN j.message.id END AS message_id,
        CASE WHEN kind = 'req' THEN j.requestId END AS request_id,
        CASE WHEN kind = 'bad' OR (kind = 'req' AND j.message.id IS NULL) THEN n END AS solo,
        j.message.usage.input_tokens AS input_tokens,
        coalesce(j.message.usage.cache_creation_input_tokens, 0) AS lump,
        j.message.usage.cache_creation IS NOT NULL AS split,
        coalesce(j.message.usage.cache_creation.ephemeral_5m_input_tokens, 0) AS w5,
        coalesce(j.message.usage.cache_creation.ephemeral_1h_input_tokens, 0) AS w1,
        coalesce(j.message.usage.cache_read_input_tokens, 0) AS cache_read,
        j.message.usage.output_tokens AS output_tokens,
        coalesce(j.message.usage.server_tool_use.web_search_requests, 0) AS web,
        j.message.usage.service_tier AS service_tier, j.message.usage.speed AS speed,
        j.message.usage.inference_geo AS inference_geo,
        CASE WHEN kind = 'bad' AND j IS NOT NULL THEN CASE
                WHEN j.message.usage IS NULL THEN 'assistant line without message.usage'
                WHEN j.message.usage.input_tokens IS NULL
                     OR j.message.usage.output_tokens IS NULL
                    THEN 'usage.input_tokens or usage.output_tokens missing or not an integer'
                ELSE 'assistant line without a timestamp' END
        END AS reason,
        -- the fullest line wins, ties go to the earlier line (as in the loader, and as
        -- ccusage keeps the first copy); the low 32 bits are 4294967295 - the line
        CASE WHEN kind = 'req' THEN
            (j.message.usage.input_tokens
             + coalesce(j.message.usage.cache_creation_input_tokens, 0)
             + coalesce(j.message.usage.cache_read_input_tokens, 0)
             + j.message.usage.output_tokens) * 4294967296 + (4294967295 - n)
        END AS weight
    FROM k
)
SELECT
    fi, message_id, request_id, solo,
    max(pieces) AS pieces, any_value(kind) AS kind, any_value(reason) AS reason,
    coalesce(4294967295 - max(weight) % 4294967296, any_value(solo)) AS w_line,
    arg_max(ts, weight) AS ts, arg_max(output_tokens, weight) AS output_tokens,
    -- the rest is the same on every line of one response (Claude Code repeats the usage)
    any_value(model) AS model, max(input_tokens) AS input_tokens,
    max(lump) AS lump, bool_or(split) AS split, max(w5) AS w5, max(w1) AS w1,
    max(cache_read) AS cache_read, max(web) AS web, any_value(service_tier) AS service_tier,
    any_value(speed) AS speed, any_value(inference_geo) AS inference_geo,
    any_value(session) AS session, bool_or(sidechain) AS sidechain,
    any_value(agent) AS agent
FROM keyed
GROUP BY fi, message_id, request_id, solo
"""

_AGG_COLUMNS = """
fi BIGINT, message_id VARCHAR, request_id VARCHAR, solo BIGINT, pieces BIGINT, kind VARCHAR,
reason VARCHAR, w_line BIGINT, ts TIMESTAMPTZ, output_tokens BIGINT, model VARCHAR,
input_tokens BIGINT, lump BIGINT, split BOOLEAN, w5 BIGINT, w1 BIGINT, cache_read BIGINT,
web BIGINT, service_tier VARCHAR, speed VARCHAR, inference_geo VARCHAR, session VARCHAR,
sidechain BOOLEAN, agent VARCHAR
"""

# Whole files: the file is the task, its piece count gives the lines consumed.
_WHOLE = "SELECT $fis[pi + 1] AS fi, pieces, line, n FROM pieces"
# An appendix holds several tasks' byte ranges end to end: Python counted each range's lines,
# so line n of the appendix is line $lines[n] of task $fis[n] (two list lookups, no join).
_APPENDIX = "SELECT $fis[n] AS fi, NULL::BIGINT AS pieces, line, $lines[n] AS n FROM pieces"

_WINNERS = """
CREATE TEMP VIEW winners AS
SELECT a.*, f.orig_path, f.project, f.session_id, f.agent_from_path,
       f.start_line + a.w_line AS line
FROM agg AS a JOIN files AS f USING (fi)
WHERE a.kind IS NOT NULL
"""

_RECORDS = """
SELECT
    CASE WHEN message_id IS NULL THEN 'cc-line:' || orig_path || ':' || line
         WHEN request_id IS NULL THEN 'cc:' || message_id
         ELSE 'cc:' || message_id || ':' || request_id END AS request_key,
    'claude-code' AS source,
    orig_path AS source_file,
    line AS source_line,
    ts,
    regexp_replace(lower(coalesce(model, 'unknown')), '\\[1m\\]$', '') AS model,
    'anthropic' AS platform,
    NULL::VARCHAR AS endpoint_scope,
    message_id, request_id, input_tokens,
    CASE WHEN split THEN w5 ELSE lump END AS cache_write_5m,
    CASE WHEN split THEN w1 ELSE 0 END AS cache_write_1h,
    cache_read, output_tokens,
    web AS web_search_requests,
    NOT split AND lump > 0 AS cache_split_unknown,
    service_tier, speed, inference_geo,
    project,
    coalesce(session_id, session) AS session_id,
    project AS workload,
    coalesce(sidechain, false) OR agent_from_path IS NOT NULL AS is_subagent,
    coalesce(agent, agent_from_path) AS agent_id,
    NULL::VARCHAR AS tags,
    NULL::DOUBLE AS latency_ms,
    NULL::DOUBLE AS ttft_ms
FROM winners
WHERE kind = 'req'
"""

_BAD = "SELECT orig_path, line, reason FROM winners WHERE kind = 'bad' ORDER BY orig_path, line"

# Lines consumed per file: its text split into one more piece than it has line ends.
_LINES = (
    "SELECT f.orig_path, max(a.pieces) - 1 FROM agg AS a JOIN files AS f USING (fi)"
    " WHERE a.pieces IS NOT NULL GROUP BY 1"
)


def detect(path: Path, head: bytes) -> bool:
    """A .jsonl file whose first lines carry Claude Code's envelope: `sessionId` and `uuid` on
    one line, anywhere in it however long (Claude Code writes `uuid` after `message`).  Under a
    `projects/` folder, where Claude Code keeps transcripts, `sessionId` alone is enough (earlier
    versions leave `uuid` off some lines), and so is a leading `summary` line."""
    from ingest.head import as_head

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


def _pieces(task: FileTask) -> Iterator[bytes]:
    """The task's bytes in pieces of about BATCH_BYTES, each ending at a line end."""
    with task.path.open("rb") as fh:
        fh.seek(task.start)
        left = task.end - task.start
        carry = b""
        while left > 0:
            block = fh.read(min(BATCH_BYTES, left))
            if not block:
                break
            left -= len(block)
            data = carry + block
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                yield data[:cut]
        if carry:  # a task ends at a line end, so only if the file shrank meanwhile
            yield carry


def _reason(raw: bytes) -> str:
    """Why this line is not a usable JSON object (DuckDB reports only that it is not)."""
    try:
        load_object(raw)
    except BadRecord as err:
        return str(err)
    return "a field has the wrong type"


@dataclass
class _Job:
    """One query's input: whole files, or one appendix of byte ranges laid end to end."""

    paths: list[str]
    fis: list[int]  # whole files: the task of each path; an appendix: the task of each line
    lines: list[int] | None = None  # an appendix: each line's number within its task


def _whole_jobs(tasks: list[FileTask], which: list[int]) -> list[_Job]:
    """Whole files in batches of about BATCH_BYTES, largest first (they pace a run)."""
    jobs: list[_Job] = []
    size = BATCH_BYTES
    for i in sorted(which, key=lambda i: -(tasks[i].end - tasks[i].start)):
        if size >= BATCH_BYTES:
            jobs.append(_Job([], []))
            size = 0
        jobs[-1].paths.append(str(tasks[i].path))
        jobs[-1].fis.append(i)
        size += tasks[i].end - tasks[i].start
    return jobs


@dataclass
class _Appendices:
    """Byte ranges copied end to end into a few files, instead of one temporary file each."""

    tmp: str
    jobs: list[_Job] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    _buffer: list[bytes] = field(default_factory=list)
    _fis: list[int] = field(default_factory=list)
    _lines: list[int] = field(default_factory=list)
    _size: int = 0

    def add(self, i: int, task: FileTask) -> None:
        """Append task `i`'s byte range, a batch at a time (a huge file is never held whole).

        A response whose lines straddle two pieces comes out once per piece; the loader
        keeps the fullest copy, as for a response repeated across files.
        """
        for data in _pieces(task):
            before = self.lines.get(i, 0)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                data = self._blank_not_utf8(task, data, before)
            count = data.count(b"\n")
            self.lines[i] = before + count
            self._fis.extend([i] * count)
            self._lines.extend(range(before + 1, before + count + 1))
            self._buffer.append(data)
            self._size += len(data)
            if self._size >= BATCH_BYTES:
                self.flush()

    def _blank_not_utf8(self, task: FileTask, data: bytes, before: int) -> bytes:
        """Blank the lines that are not UTF-8 (line numbers stay put) and name them."""
        lines = data.split(b"\n")
        for n, line in enumerate(lines, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                where = task.start_line + before + n
                self.malformed.append(Malformed(str(task.path), where, _reason(line)))
                lines[n - 1] = b""
        return b"\n".join(lines)

    def flush(self) -> None:
        if not self._buffer:
            return
        path = os.path.join(self.tmp, f"appendix-{len(self.jobs)}-{id(self)}.jsonl")
        with open(path, "wb") as out:
            out.writelines(self._buffer)
        self.jobs.append(_Job([path], self._fis, self._lines))
        self._buffer, self._fis, self._lines, self._size = [], [], [], 0


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
    # Parallel by our own threads, one query each: DuckDB workers would only contend.
    con = duckdb.connect(config={"threads": 1})
    try:
        with tempfile.TemporaryDirectory(prefix="switchcost-") as tmp:
            lines = _parse(con, tasks, tmp, result)
        con.execute(f"CREATE TEMP TABLE records AS {_RECORDS}")
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
    con: duckdb.DuckDBPyConnection, tasks: list[FileTask], tmp: str, result: ReadResult
) -> dict[str, int]:
    """Aggregate every task's lines into `winners`; name the bad lines in `result`.  Returns
    the lines consumed per path."""
    extra = _Appendices(tmp)
    whole = []
    for i, task in enumerate(tasks):
        full = task.start == 0 and task.end == os.path.getsize(task.path)
        if full and task.end <= BATCH_BYTES and not _GLOB.intersection(str(task.path)):
            whole.append(i)
        else:
            extra.add(i, task)
    extra.flush()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{READER_MEMORY}'")
    _register_files(con, tasks)
    slots = min(THREADS, len(tasks))
    for slot in range(slots):
        con.execute(f"CREATE TABLE agg_{slot} ({_AGG_COLUMNS})")
    _scan(con, [*_whole_jobs(tasks, whole), *extra.jobs], slots)
    con.execute(
        "CREATE VIEW agg AS " + " UNION ALL ".join(f"SELECT * FROM agg_{s}" for s in range(slots))
    )
    seen = {fi for (fi,) in con.execute("SELECT DISTINCT fi FROM agg").fetchall()}
    # A whole file that is not valid UTF-8 gave no rows: read it again as an appendix, its
    # bad lines blanked.
    again = _Appendices(tmp)
    for i in whole:
        if i not in seen:
            again.add(i, tasks[i])
    again.flush()
    if again.jobs:
        _scan(con, again.jobs, 1)
    con.execute(_WINNERS)
    bad_rows = con.execute(_BAD).fetchall()
    lines = {str(p): int(n) for p, n in con.execute(_LINES).fetchall()}
    for i, count in (extra.lines | again.lines).items():
        lines[str(tasks[i].path)] = count
    result.malformed = sorted(
        [*_explain(tasks, bad_rows), *extra.malformed, *again.malformed],
        key=lambda m: (m.path, m.line),
    )
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


def _scan(con: duckdb.DuckDBPyConnection, jobs: list[_Job], slots: int) -> None:
    """Run the aggregate over each job, `slots` jobs at a time (one cursor each)."""

    def work(slot: int) -> None:
        cur = con.cursor()
        try:
            for job in jobs[slot::slots]:
                params: dict[str, object] = {
                    "paths": job.paths,
                    "fis": job.fis,
                    "structure": _STRUCTURE,
                }
                locate = _WHOLE
                if job.lines is not None:
                    params["lines"] = job.lines
                    locate = _APPENDIX
                cur.execute(_AGGREGATE.format(slot=slot, locate=locate), params)
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
                found[(path, n)] = _reason(raw)
            if n >= last:
                break
    return [
        Malformed(path, int(line), reason or found[(path, int(line))]) for path, line, reason in bad
    ]
