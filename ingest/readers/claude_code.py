"""Claude Code transcripts: ~/.claude/projects/<project>/<session>.jsonl and sub-agent files.

Claude Code writes one line per content block, each repeating the response's usage, so one
billed request is the set of lines sharing (message.id, requestId); the line with the largest
token total wins (earlier lines carry partial output counts while streaming).  `<synthetic>`
lines and API-error lines are local messages, not billed requests.

The heavy parsing runs in an in-memory DuckDB (`read_json`), not a Python loop over lines:
that is what keeps a gigabyte of transcripts inside a few seconds.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.records import SCHEMA, FileTask, Malformed, ReadOptions, ReadResult

NAME = "claude-code"
# The parse of one chunk is held to this; the loader keeps chunks small enough to fit.
READER_MEMORY = os.environ.get("SWITCHCOST_READER_MEMORY", "256MB")

_COLUMNS = {
    "type": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "sessionId": "VARCHAR",
    "isSidechain": "BOOLEAN",
    "agentId": "VARCHAR",
    "requestId": "VARCHAR",
    "isApiErrorMessage": "BOOLEAN",
    "message": (
        "STRUCT(id VARCHAR, model VARCHAR, usage STRUCT("
        "input_tokens BIGINT, output_tokens BIGINT, cache_creation_input_tokens BIGINT,"
        " cache_read_input_tokens BIGINT,"
        " cache_creation STRUCT(ephemeral_5m_input_tokens BIGINT,"
        " ephemeral_1h_input_tokens BIGINT),"
        " service_tier VARCHAR, speed VARCHAR, inference_geo VARCHAR,"
        " server_tool_use STRUCT(web_search_requests BIGINT)))"
    ),
}

# One streaming pass over the JSON, no per-line materialisation: an aggregate with two grouping
# sets.  Grouped by dedup key, each billed request keeps the values of its fullest line (a bad
# line is a key of its own); grouped by file, every line counts towards the file's first
# ordinal and row count, which turn the winning line's global ordinal into its line number.
_AGGREGATE = """
CREATE TEMP TABLE agg AS
WITH s AS (
    SELECT file_index AS fi, ordinality AS ord, type, timestamp, sessionId, isSidechain,
           agentId, requestId, isApiErrorMessage, message
    FROM read_json($files, format = 'newline_delimited', columns = $columns,
                   ignore_errors = true)
    WITH ORDINALITY
),
k AS (
    SELECT *,
        CASE
            WHEN type IS NULL THEN 'bad'
            WHEN type <> 'assistant' OR coalesce(message.model, '') = '<synthetic>'
                 OR coalesce(isApiErrorMessage, false) THEN NULL
            WHEN message.usage IS NULL OR message.usage.input_tokens IS NULL
                 OR message.usage.output_tokens IS NULL OR timestamp IS NULL THEN 'bad'
            ELSE 'req'
        END AS kind
    FROM s
),
keyed AS (
    SELECT
        fi, ord, kind, timestamp AS ts, sessionId, isSidechain, agentId,
        message.model AS model, message.id AS message_id, requestId AS request_id,
        message.usage.input_tokens AS input_tokens,
        coalesce(message.usage.cache_creation_input_tokens, 0) AS lump,
        message.usage.cache_creation IS NOT NULL AS split,
        coalesce(message.usage.cache_creation.ephemeral_5m_input_tokens, 0) AS w5,
        coalesce(message.usage.cache_creation.ephemeral_1h_input_tokens, 0) AS w1,
        coalesce(message.usage.cache_read_input_tokens, 0) AS cache_read,
        message.usage.output_tokens AS output_tokens,
        coalesce(message.usage.server_tool_use.web_search_requests, 0) AS web,
        message.usage.service_tier AS service_tier, message.usage.speed AS speed,
        message.usage.inference_geo AS inference_geo,
        CASE kind
            WHEN 'req' THEN CASE
                WHEN message.id IS NULL THEN 'line:' || ord
                WHEN requestId IS NULL THEN 'cc:' || message.id
                ELSE 'cc:' || message.id || ':' || requestId END
            WHEN 'bad' THEN 'bad:' || ord
        END AS key,
        CASE kind
            WHEN 'bad' THEN CASE
                WHEN type IS NULL
                    THEN 'not valid JSON, not UTF-8, or a field of the wrong type'
                WHEN message.usage IS NULL THEN 'assistant line without message.usage'
                WHEN message.usage.input_tokens IS NULL OR message.usage.output_tokens IS NULL
                    THEN 'usage.input_tokens or usage.output_tokens missing or not an integer'
                ELSE 'assistant line without a timestamp' END
        END AS reason,
        -- the fullest line wins; ties go to the later line (a deterministic choice)
        CASE kind WHEN 'req' THEN
            (message.usage.input_tokens + coalesce(message.usage.cache_creation_input_tokens, 0)
             + coalesce(message.usage.cache_read_input_tokens, 0)
             + message.usage.output_tokens)::HUGEINT * 4294967296 + ord
            WHEN 'bad' THEN ord::HUGEINT
        END AS weight
    FROM k
)
SELECT
    key, fi,
    count(*) AS n_rows, min(ord) AS first_ord,
    any_value(kind) AS kind, any_value(reason) AS reason,
    arg_max(fi, weight) AS w_fi, arg_max(ord, weight) AS w_ord, arg_max(ts, weight) AS ts,
    arg_max(output_tokens, weight) AS output_tokens,
    -- the rest is the same on every line of one response (Claude Code repeats the usage)
    any_value(model) AS model, any_value(message_id) AS message_id,
    any_value(request_id) AS request_id, max(input_tokens) AS input_tokens,
    max(lump) AS lump, bool_or(split) AS split, max(w5) AS w5, max(w1) AS w1,
    max(cache_read) AS cache_read, max(web) AS web, any_value(service_tier) AS service_tier,
    any_value(speed) AS speed, any_value(inference_geo) AS inference_geo,
    arg_max(sessionId, weight) AS session, arg_max(isSidechain, weight) AS sidechain,
    arg_max(agentId, weight) AS agent
FROM keyed
GROUP BY GROUPING SETS ((key), (fi))
"""

_FILES = """
CREATE TEMP TABLE file_rows AS
SELECT a.fi, a.first_ord, a.n_rows, f.orig_path, f.start_line, f.project, f.session_id,
       f.agent_from_path
FROM agg AS a JOIN files AS f USING (fi)
WHERE a.key IS NULL AND a.fi IS NOT NULL;
CREATE TEMP TABLE line_fix (orig_path VARCHAR, k BIGINT, real BIGINT);
CREATE TEMP VIEW winners AS
SELECT a.*, x.orig_path, x.project, x.session_id, x.agent_from_path,
       coalesce(m.real, x.start_line + (a.w_ord - x.first_ord) + 1) AS line
FROM agg AS a JOIN file_rows AS x ON x.fi = a.w_fi
LEFT JOIN line_fix AS m
  ON m.orig_path = x.orig_path AND m.k = x.start_line + (a.w_ord - x.first_ord) + 1
WHERE a.key IS NOT NULL;
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

_ROWS = "SELECT orig_path, n_rows FROM file_rows"


def detect(path: Path, head: bytes) -> bool:
    """A JSONL file whose lines carry Claude Code's envelope (sessionId, uuid, type)."""
    if path.suffix != ".jsonl":
        return False
    text = head.decode("utf-8", errors="replace")
    first = [ln for ln in text.splitlines()[:20] if ln.strip()]
    return any('"sessionId"' in ln and '"uuid"' in ln for ln in first) or (
        any(ln.startswith('{"type":"summary"') for ln in first[:1]) and "projects" in path.parts
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


def _slice(task: FileTask) -> bytes:
    with task.path.open("rb") as fh:
        fh.seek(task.start)
        return fh.read(task.end - task.start)


def _reason(raw: bytes) -> str:
    """Why DuckDB could not read this line (it reports only that it could not)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"not UTF-8 (byte {err.start})"
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return f"not valid JSON ({err.msg} at column {err.colno})"
    return "a field has the wrong type"


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Parse the byte ranges in `tasks` into request records (deduplicated within the batch)."""
    del options  # workload = project for Claude Code
    result = ReadResult(table=SCHEMA.empty_table())
    if not tasks:
        return result
    with tempfile.TemporaryDirectory(prefix="switchcost-") as tmp:
        rows = []
        for i, task in enumerate(tasks):
            if task.start == 0 and task.end == os.path.getsize(task.path):
                read_path = str(task.path)
            else:
                read_path = os.path.join(tmp, f"{i}.jsonl")
                with task.path.open("rb") as src, open(read_path, "wb") as dst:
                    src.seek(task.start)
                    dst.write(src.read(task.end - task.start))
            project, session, agent = _locate(task.path)
            rows.append((read_path, str(task.path), task.start_line, project, session, agent))
        names = ("read_path", "orig_path", "start_line", "project", "session_id", "agent_from_path")
        files = pa.table(
            {
                "fi": list(range(len(rows))),
                **{n: [r[i] for r in rows] for i, n in enumerate(names)},
            },
            schema=pa.schema(
                [
                    ("fi", pa.int64()),
                    ("read_path", pa.string()),
                    ("orig_path", pa.string()),
                    ("start_line", pa.int64()),
                    ("project", pa.string()),
                    ("session_id", pa.string()),
                    ("agent_from_path", pa.string()),
                ]
            ),
        )
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"SET memory_limit = '{READER_MEMORY}'")
            con.register("files", files)
            con.execute(_AGGREGATE, {"files": [r[0] for r in rows], "columns": _COLUMNS})
            con.execute(_FILES)
            bad = con.execute(_BAD).fetchall()
            counted = dict(con.execute(_ROWS).fetchall())
            exact: dict[str, int] = {}
            if bad:
                bad, exact = _fix_line_numbers(con, tasks, bad)
            result.malformed = [Malformed(p, int(n), r) for p, n, r in bad]
            result.table = con.sql(_RECORDS).to_arrow_table().cast(SCHEMA)
        finally:
            con.close()
    for task in tasks:
        # DuckDB's row count is the line count unless a file has blank lines (Claude Code
        # writes none); files with malformed lines, or with no row kept, are counted exactly.
        n = counted.get(str(task.path))
        if str(task.path) in exact:
            lines = exact[str(task.path)]
        else:
            lines = _slice(task).count(b"\n") if n is None else int(n)
        result.resume[str(task.path)] = (task.end, task.start_line + lines)
    return result


def _fix_line_numbers(
    con: duckdb.DuckDBPyConnection, tasks: list[FileTask], bad: list[tuple[str, int, str]]
) -> tuple[list[tuple[str, int, str]], dict[str, int]]:
    """Map DuckDB's row numbers to real line numbers in files that hold malformed lines.

    DuckDB skips blank lines, so its row number can run behind the line number; only files
    with problems are re-read in Python (once each) to put that right, to say what is wrong,
    and to count their lines exactly.  Returns the fixed lines and those files' line counts.
    """
    by_path = {str(t.path): t for t in tasks}
    fixed = []
    line_counts: dict[str, int] = {}
    for path in sorted({p for p, _, _ in bad}):
        task = by_path[path]
        data = _slice(task)
        line_counts[path] = data.count(b"\n")
        lines = data.split(b"\n")
        true = [i for i, line in enumerate(lines, 1) if line.strip()]
        mapping = {task.start_line + k + 1: task.start_line + n for k, n in enumerate(true)}
        for p, line, reason in bad:
            if p != path:
                continue
            real = mapping.get(int(line), int(line))
            nth = real - task.start_line
            if reason.startswith("not valid JSON, not UTF-8") and 0 < nth <= len(lines):
                reason = _reason(lines[nth - 1])
            fixed.append((p, real, reason))
        con.execute(
            "INSERT INTO line_fix SELECT $p, unnest($k), unnest($v)",
            {"k": list(mapping), "v": list(mapping.values()), "p": path},
        )
    return fixed, line_counts
