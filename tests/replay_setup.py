"""A captured app log for the replay tests: records 0..N-1 of tests/replay_fakeapi.py answered
by the original model, in the wrapper layout `instrument(capture=True)` writes.  Not a test
module itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from switchcost.app.cli import app
from tests.replay_fakeapi import BIG, original_answer, original_usage, prompt

API_KEY = "sk-ant-api03-TESTKEY-never-written-0123456789"


def record(n: int, workload: str, day: int = 20, **extra: Any) -> dict[str, Any]:
    return {
        "ts": f"2026-11-{day:02d}T10:{n % 60:02d}:00.000Z",
        "request_id": f"req_orig_{n}",
        "latency_ms": 1500.0,
        "ttft_ms": 400.0,
        "stream": False,
        "tags": {"workload": workload},
        "request": {
            "model": BIG,
            "max_tokens": 256,
            "temperature": 0,
            "messages": [{"role": "user", "content": prompt(n)}],
            **extra,
        },
        "response": {
            "id": f"msg_orig_{n:04d}",
            "type": "message",
            "role": "assistant",
            "model": BIG,
            "content": [{"type": "text", "text": original_answer(n)}],
            "stop_reason": "end_turn",
            "usage": original_usage(n),
        },
    }


def write_log(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def ingest(log: Path, db: Path, capture: bool = True) -> Result:
    args = ["ingest", str(log), "--db", str(db)]
    result = cli(*args, *(["--capture"] if capture else []))
    assert result.exit_code == 0, result.output
    return result
