"""Find captured bodies in app logs of the wrapper layout (what `instrument(capture=True)`
writes): a record whose `request` carries `messages` beside a `response` Message with an id and
content.  The key is the request row's (`msg:<id>`), so a capture links to its usage row.

Used only by `switchcost ingest --capture`.  A line that is not such a record is passed over
here (the ingest itself reports lines it cannot read).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from switchcost.ingest.capture import Captured
from switchcost.ingest.records import workload_from_tags


def _message(record: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("response", "message", "result"):
        child = record.get(key)
        if isinstance(child, dict) and isinstance(child.get("id"), str) and child.get("id"):
            return child
    return None


def captured_in(path: Path, workload_tags: tuple[str, ...]) -> Iterator[Captured]:
    """The captured calls in one JSON-lines file."""
    try:
        fh = path.open("rb")
    except OSError:
        return
    with fh:
        for raw in fh:
            if b'"messages"' not in raw:
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            request = record.get("request")
            message = _message(record)
            if not isinstance(request, dict) or message is None:
                continue
            if not isinstance(request.get("messages"), list):
                continue
            content = message.get("content")
            if not isinstance(content, list) or any(
                isinstance(b, dict) and set(b) == {"type"} for b in content
            ):
                continue  # content reduced to block types: not a captured body
            tags = record.get("tags") if isinstance(record.get("tags"), dict) else {}
            yield Captured(
                request_key=f"msg:{message['id']}",
                ts=str(record.get("ts") or ""),
                workload=workload_from_tags(tags, workload_tags),
                request=request,
                response=content,
            )


def files_under(paths: list[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix in (".jsonl", ".json", ".log")
            )
        elif p.is_file():
            yield p
