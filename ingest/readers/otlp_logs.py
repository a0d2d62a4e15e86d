"""Claude Code's OpenTelemetry events in the Collector's file exporter layout (OTLP JSON lines).

Each line is one ExportLogsServiceRequest in OTLP JSON: `{"resourceLogs": [{resource,
scopeLogs: [{scope, logRecords: [...]}]}]}`.  Each `api_request` record is one request
(ingest/otlp.py converts it, as `switchcost collect` does for what it receives over HTTP, so
the same event from both is stored once).  Other events (user_prompt, tool_result, api_error)
are not requests and are passed over.  A record that cannot be billed makes its line a
malformed line (file, line, reason); the line's other records are still stored.
"""

from __future__ import annotations

from pathlib import Path

from switchcost.ingest.otlp import EVENT_BODY, EVENT_NAME, convert
from switchcost.ingest.readers._common import Row, head_lines
from switchcost.ingest.readers.jsonl import (
    TOO_DEEP,
    BadRecord,
    LooseObject,
    check_text,
    load_object,
)
from switchcost.ingest.records import (
    COLUMNS,
    FileTask,
    Malformed,
    ReadOptions,
    ReadResult,
    empty_table,
    table_from_rows,
    task_lines,
)
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES

NAME = "otlp-logs"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)


def detect(path: Path, head: bytes) -> bool:
    """OTLP JSON logs: a first line starting `{"resourceLogs"` that mentions Claude Code."""
    lines = head_lines(head, 2)
    text = head.decode("utf-8", errors="replace")
    return (
        bool(lines)
        and lines[0].lstrip().startswith('{"resourceLogs"')
        and ("claude_code" in text or EVENT_BODY in text or f'"{EVENT_NAME}"' in text)
    )


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Every api_request record of the tasks' lines (one row per event)."""
    result = ReadResult(table=empty_table())
    rows: list[Row] = []
    for task in tasks:
        path = str(task.path)
        line_no = task.start_line
        for line_no, _, raw in task_lines(task):
            if not raw.strip():
                continue
            try:
                obj = load_object(raw)
                found = convert(obj, path, line_no, options)
                if isinstance(obj, LooseObject):  # text that may not be Unicode: check it
                    for one in found.rows:
                        check_text(one[c] for c in COLUMNS)
            except BadRecord as err:
                result.malformed.append(Malformed(path, line_no, str(err)))
                continue
            except RecursionError:
                result.malformed.append(Malformed(path, line_no, TOO_DEEP))
                continue
            rows.extend(found.rows)
            if found.rejected:
                n = len(found.rejected)
                result.malformed.append(
                    Malformed(
                        path,
                        line_no,
                        f"{n} api_request record{'s' if n > 1 else ''} not billed: "
                        f"{found.rejected[0]}",
                    )
                )
        result.resume[path] = (task.end, line_no)
    result.table = table_from_rows(rows)
    return result
