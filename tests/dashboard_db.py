"""Build a dashboard test database the way a user would: generated logs, then `switchcost ingest`.

Claude Code sessions come from `bench.synth`; an app log in the Messages-API wrapper format is
written here (workloads, sub-agent calls, latencies), plus one malformed line, so every page has
something real to show.  Numbers on the pages are checked against the CLI, never against this file.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import synth  # noqa: E402

SWITCHCOST = str(Path(sys.executable).with_name("switchcost"))
START = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 14
APP_WORKLOADS = (
    # workload tag, model, share of sub-agent calls, mean output tokens
    ("json-extraction", synth.SONNET_45, 0.0, 300),
    ("support-chatbot", synth.SONNET_45, 0.0, 500),
    ("docs-qa", synth.OPUS_45, 0.0, 700),
    ("planner", synth.OPUS_45, 0.5, 900),
)


def env(home: Path, db: Path | None = None) -> dict[str, str]:
    """A clean environment: isolated HOME, no user price file, the given database."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHCOST_", "ANTHROPIC_"))}
    out["HOME"] = str(home)
    if db is not None:
        out["SWITCHCOST_DB"] = str(db)
    return out


def cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `switchcost` console script."""
    done = subprocess.run(
        [SWITCHCOST, *args], capture_output=True, text=True, env=env(home), timeout=300
    )
    if check and done.returncode != 0:
        raise AssertionError(f"switchcost {' '.join(args)} failed:\n{done.stderr}")
    return done


def cli_json(home: Path, *args: str) -> Any:
    """Run a `switchcost ... --format json` command and parse its stdout."""
    return json.loads(cli(home, *args, "--format", "json").stdout)


def app_log(path: Path, *, seed: int, n: int, start: datetime = START, days: int = DAYS) -> None:
    """A Messages-API wrapper log: one JSON object per call, with tags, latency and TTFT."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        workload, model, sub_share, out_mean = APP_WORKLOADS[i % len(APP_WORKLOADS)]
        ts = start + timedelta(seconds=rng.uniform(0, days * 86400))
        out = max(1, int(rng.expovariate(1 / out_mean)))
        ttft = rng.uniform(300, 1500)
        latency = ttft + out / rng.uniform(40, 80) * 1000
        read = rng.choice((0, 0, 4096, 12000))
        usage = {
            "input_tokens": rng.randint(200, 3000),
            "cache_creation_input_tokens": 2048 if read == 0 and i % 3 == 0 else 0,
            "cache_read_input_tokens": read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 2048 if read == 0 and i % 3 == 0 else 0,
                "ephemeral_1h_input_tokens": 0,
            },
            "output_tokens": out,
            "service_tier": "standard",
        }
        tags: dict[str, Any] = {"feature": workload, "env": "prod"}
        if rng.random() < sub_share:
            tags["agent_role"] = "subagent"
        lines.append(
            json.dumps(
                {
                    "ts": ts.isoformat().replace("+00:00", "Z"),
                    "request_id": f"req_{seed}_{i:06d}",
                    "latency_ms": round(latency),
                    "ttft_ms": round(ttft),
                    "tags": tags,
                    "request": {"model": model, "max_tokens": 4096},
                    "response": {
                        "id": f"msg_{seed}_{i:06d}",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [{"type": "text", "text": "..."}],
                        "stop_reason": "end_turn",
                        "usage": usage,
                    },
                }
            )
        )
    lines.insert(n // 2, '{"ts": "2026-11-03T10:00:00Z", "response": {"usage": ')  # malformed
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(root: Path, home: Path, formats: Path | None = None) -> Path:
    """Write the logs under `root/logs`, ingest them with the CLI, return the database path."""
    logs = root / "logs"
    synth.claude_code_tree(
        logs / "claude",
        seed=11,
        start=START,
        days=DAYS,
        n_sessions=10,
        resumed_copies=1,
        requests_per_session=25.0,
    )
    app_log(logs / "app" / "calls.jsonl", seed=5, n=400)
    if formats is not None and (formats / "messages_api.jsonl").exists():
        shutil.copy(formats / "messages_api.jsonl", logs / "app" / "research_examples.jsonl")
    db = root / "switchcost.duckdb"
    cli(home, "ingest", str(logs), "--db", str(db))
    return db
