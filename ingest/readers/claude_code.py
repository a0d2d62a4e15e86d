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

from ingest.records import COLUMNS, SCHEMA, FileTask, Malformed, ReadOptions, ReadResult

NAME = "claude-code"
# The parse of one chunk is held to this; the loader keeps chunks small enough to fit.
READER_MEMORY = os.environ.get("SWITCHCOST_READER_MEMORY", "160MB")

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

# One scan of the JSON: every line keeps its file index and ordinal (so line numbers can be
# derived), but only assistant lines and unparsable lines keep their fields.
_SCAN = """
CREATE TEMP TABLE raw AS
SELECT
    file_index AS fi,
    ordinality AS ord,
    CASE WHEN type IS NULL OR (type = 'assistant'
                               AND coalesce(message.model, '') <> '<synthetic>'
                               AND NOT coalesce(isApiErrorMessage, false))
         THEN {'type': type, 'timestamp': timestamp, 'sessionId': sessionId,
               'isSidechain': isSidechain, 'agentId': agentId, 'requestId': requestId,
               'message': message}
    END AS rec
FROM read_json($files, format = 'newline_delimited', columns = $columns,
               ignore_errors = true)
WITH ORDINALITY
"""

_NUMBER = """
CREATE TEMP TABLE file_rows AS SELECT fi, min(ord) AS first_ord, count(*) AS n_rows
FROM raw GROUP BY fi;
CREATE TEMP TABLE line_fix (orig_path VARCHAR, k BIGINT, real BIGINT);
CREATE TEMP VIEW parsed AS
SELECT unnest(r.rec), f.orig_path,
       coalesce(m.real, f.start_line + (r.ord - x.first_ord) + 1) AS line,
       f.project, f.session_id, f.agent_from_path
FROM raw AS r JOIN file_rows AS x USING (fi) JOIN files AS f USING (fi)
LEFT JOIN line_fix AS m
  ON m.orig_path = f.orig_path AND m.k = f.start_line + (r.ord - x.first_ord) + 1
WHERE r.rec IS NOT NULL;
"""

_RECORDS = """
WITH usable AS (
    SELECT * FROM parsed
    WHERE type = 'assistant' AND message.usage IS NOT NULL
      AND message.usage.input_tokens IS NOT NULL AND message.usage.output_tokens IS NOT NULL
      AND timestamp IS NOT NULL
),
shaped AS (
    SELECT
        CASE
            WHEN message.id IS NULL THEN 'cc-line:' || orig_path || ':' || line
            WHEN requestId IS NULL THEN 'cc:' || message.id
            ELSE 'cc:' || message.id || ':' || requestId
        END AS request_key,
        'claude-code' AS source,
        orig_path AS source_file,
        line AS source_line,
        timestamp AS ts,
        regexp_replace(lower(coalesce(message.model, 'unknown')), '\\[1m\\]$', '') AS model,
        'anthropic' AS platform,
        NULL::VARCHAR AS endpoint_scope,
        message.id AS message_id,
        requestId AS request_id,
        message.usage.input_tokens AS input_tokens,
        CASE WHEN message.usage.cache_creation IS NULL
             THEN coalesce(message.usage.cache_creation_input_tokens, 0)
             ELSE coalesce(message.usage.cache_creation.ephemeral_5m_input_tokens, 0) END
            AS cache_write_5m,
        coalesce(message.usage.cache_creation.ephemeral_1h_input_tokens, 0) AS cache_write_1h,
        coalesce(message.usage.cache_read_input_tokens, 0) AS cache_read,
        message.usage.output_tokens AS output_tokens,
        coalesce(message.usage.server_tool_use.web_search_requests, 0) AS web_search_requests,
        message.usage.cache_creation IS NULL
            AND coalesce(message.usage.cache_creation_input_tokens, 0) > 0 AS cache_split_unknown,
        message.usage.service_tier AS service_tier,
        message.usage.speed AS speed,
        message.usage.inference_geo AS inference_geo,
        project,
        coalesce(session_id, sessionId) AS session_id,
        project AS workload,
        coalesce(isSidechain, false) OR agent_from_path IS NOT NULL AS is_subagent,
        coalesce(agentId, agent_from_path) AS agent_id,
        NULL::VARCHAR AS tags,
        NULL::DOUBLE AS latency_ms,
        NULL::DOUBLE AS ttft_ms
    FROM usable
)
SELECT {columns} FROM shaped
QUALIFY row_number() OVER (
    PARTITION BY request_key
    ORDER BY input_tokens + cache_write_5m + cache_write_1h + cache_read + output_tokens DESC,
             source_file DESC, source_line DESC) = 1
"""

_BAD = """
SELECT orig_path, line,
    CASE
        WHEN type IS NULL THEN 'not valid JSON, not UTF-8, or a field of the wrong type'
        WHEN message.usage IS NULL THEN 'assistant line without message.usage'
        WHEN message.usage.input_tokens IS NULL OR message.usage.output_tokens IS NULL
            THEN 'usage.input_tokens or usage.output_tokens missing or not an integer'
        ELSE 'assistant line without a timestamp'
    END AS reason
FROM parsed
WHERE type IS NULL
   OR (type = 'assistant' AND (message.usage IS NULL OR message.usage.input_tokens IS NULL
       OR message.usage.output_tokens IS NULL OR timestamp IS NULL))
ORDER BY orig_path, line
"""


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


def _true_lines(path: Path, start: int, end: int) -> list[int]:
    """1-based offsets of the non-blank lines in [start, end): DuckDB skips blank lines."""
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    return [i for i, line in enumerate(data.split(b"\n"), 1) if line.strip()]


def _reason(path: Path, start: int, end: int, nth: int) -> str:
    with path.open("rb") as fh:
        fh.seek(start)
        lines = fh.read(end - start).split(b"\n")
    if nth - 1 >= len(lines):
        return "unreadable line"
    raw = lines[nth - 1]
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
            con.execute(_SCAN, {"files": [r[0] for r in rows], "columns": _COLUMNS})
            con.execute(_NUMBER)
            bad = con.execute(_BAD).fetchall()
            counted = dict(
                con.execute(
                    "SELECT orig_path, n_rows FROM file_rows JOIN files USING (fi)"
                ).fetchall()
            )
            if bad:
                bad = _fix_line_numbers(con, tasks, bad)
            result.malformed = [Malformed(p, int(n), r) for p, n, r in bad]
            result.table = (
                con.sql(_RECORDS.format(columns=", ".join(COLUMNS))).to_arrow_table().cast(SCHEMA)
            )
        finally:
            con.close()
    troubled = {m.path for m in result.malformed}
    for task in tasks:
        # DuckDB's row count is the line count unless a file has blank lines (Claude Code
        # writes none); files with malformed lines, or with no row kept, are counted exactly.
        n = counted.get(str(task.path))
        lines = _count_lines(task) if n is None or str(task.path) in troubled else int(n)
        result.resume[str(task.path)] = (task.end, task.start_line + lines)
    return result


def _count_lines(task: FileTask) -> int:
    with task.path.open("rb") as fh:
        fh.seek(task.start)
        return fh.read(task.end - task.start).count(b"\n")


def _fix_line_numbers(
    con: duckdb.DuckDBPyConnection, tasks: list[FileTask], bad: list[tuple[str, int, str]]
) -> list[tuple[str, int, str]]:
    """Map DuckDB's row numbers to real line numbers in files that hold malformed lines.

    DuckDB skips blank lines, so its row number can run behind the line number; only files
    with problems are re-read in Python to put that right, and to say what is wrong.
    """
    by_path = {str(t.path): t for t in tasks}
    fixed = []
    for path in sorted({p for p, _, _ in bad}):
        task = by_path[path]
        true = _true_lines(task.path, task.start, task.end)
        mapping = {task.start_line + k + 1: task.start_line + n for k, n in enumerate(true)}
        for p, line, reason in bad:
            if p != path:
                continue
            real = mapping.get(int(line), int(line))
            if reason.startswith("not valid JSON, not UTF-8"):
                reason = _reason(task.path, task.start, task.end, real - task.start_line)
            fixed.append((p, real, reason))
        con.execute(
            "INSERT INTO line_fix SELECT $p, unnest($k), unnest($v)",
            {"k": list(mapping), "v": list(mapping.values()), "p": path},
        )
    return fixed
