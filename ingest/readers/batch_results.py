"""Message Batches results files (`GET /v1/messages/batches/{id}/results`, JSON lines).

Each line is `{custom_id, result: {type: succeeded|errored|canceled|expired, message?}}`.
Only succeeded items are billed, at the batch tier (50%): `service_tier` is set to `batch`
when the usage block lacks it.  `usage.iterations` is billed as in every Messages response
(`ingest.readers.iterations`).  The batch id is not in the file, so it comes from the file
name (`msgbatch_…`), else the file's stem.  A result has no timestamp of its own: the file's
modification time stands in (the batch ended before its results could be saved).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from switchcost.ingest.readers._common import (
    Parser,
    Row,
    head_lines,
    read_json_lines,
    row,
    tags_json,
)
from switchcost.ingest.readers.iterations import billing_units
from switchcost.ingest.readers.jsonl import BadRecord
from switchcost.ingest.readers.message_rows import usage_fields
from switchcost.ingest.records import RANGE_BYTES as _RANGE_BYTES
from switchcost.ingest.records import FileTask, ReadOptions, ReadResult, workload_from_tags

NAME = "batch-results"
RANGE_BYTES = _RANGE_BYTES  # large files are read in ranges (ingest/tasks.py)
_BATCH_ID = re.compile(r"msgbatch_[A-Za-z0-9]+")


def detect(path: Path, head: bytes) -> bool:
    """JSON lines whose objects are `{custom_id, result: {type, …}}`."""
    lines = head_lines(head)
    return bool(lines) and '"custom_id"' in lines[0] and '"result"' in lines[0]


def batch_id(path: Path) -> str:
    found = _BATCH_ID.search(path.name)
    return found.group(0) if found else path.stem


def _parser(batches: dict[str, tuple[str, dt.datetime]]) -> Parser:
    def parse(obj: dict[str, Any], path: str, line: int, options: ReadOptions) -> list[Row] | None:
        custom_id = obj.get("custom_id")
        result = obj.get("result")
        if not isinstance(custom_id, str) or not isinstance(result, dict):
            raise BadRecord("batch result without custom_id and result")
        kind = result.get("type")
        if kind == "errored":
            return None
        if kind in ("canceled", "expired"):
            return []  # never ran: nothing billed, nothing failed
        if kind != "succeeded":
            raise BadRecord(f"unknown batch result type {kind!r}")
        message = result.get("message")
        if not isinstance(message, dict):
            raise BadRecord("succeeded result without message")
        usage = message.get("usage")
        usage_fields(usage)  # the top-level fields are checked even when not billed
        assert isinstance(usage, dict)  # usage_fields said so
        model = message.get("model")
        if not isinstance(model, str) or not model:
            raise BadRecord("message has no model")
        batch, when = batches[path]
        msg_id = message.get("id") if isinstance(message.get("id"), str) else None
        tags: dict[str, object] = {"batch_id": batch, "custom_id": custom_id}
        key = f"msg:{msg_id}" if msg_id else f"batch:{batch}:{custom_id}"
        rows = []
        for unit in billing_units(usage, model):  # usage.iterations: one row per billed entry
            fields = usage_fields(unit.usage)
            fields["service_tier"] = fields["service_tier"] or "batch"
            rows.append(
                row(
                    request_key=key if unit.suffix is None else f"{key}#{unit.suffix}",
                    source=NAME,
                    source_file=path,
                    source_line=line,
                    ts=when,
                    model=unit.model.lower(),
                    message_id=msg_id,
                    workload=workload_from_tags(tags, options.workload_tags),
                    tags=tags_json(tags),
                    **fields,
                )
            )
        return rows

    return parse


def read(tasks: list[FileTask], options: ReadOptions) -> ReadResult:
    """Succeeded items become batch-tier requests; errored ones are counted."""
    batches = {
        str(t.path): (
            batch_id(t.path),
            dt.datetime.fromtimestamp(os.stat(t.path).st_mtime, tz=dt.UTC),
        )
        for t in tasks
    }
    return read_json_lines(tasks, options, _parser(batches))
