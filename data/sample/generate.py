"""Re-create the bundled sample logs: one month (2026-10-26 .. 2026-11-24 UTC) of generated usage.

    python data/sample/generate.py

Writes `claude/projects/...` (a Claude Code tree), `app/messages.jsonl` (an app's Messages API
log) and `app/stream_events.jsonl` (a streaming-event log) next to this file, then inserts a few
malformed lines. The output is the same on every run; `generate()` returns the ground truth for
tests that want to compare an ingest of the sample against it.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import synth  # noqa: E402

SEED = 2026
START = datetime(2026, 10, 26, tzinfo=UTC)
DAYS = 30
MALFORMED_PER_FILE = 4


class Sample(NamedTuple):
    """What the sample holds: billed calls per source and where the malformed lines are."""

    claude: list[synth.TrueRequest]
    messages: list[synth.TrueAppRequest]
    stream: list[synth.TrueAppRequest]
    malformed: dict[str, list[int]]


def generate(out: Path) -> Sample:
    """Write the sample under `out` (replacing an earlier one) and return its ground truth."""
    claude_root = out / "claude"
    app = out / "app"
    shutil.rmtree(claude_root, ignore_errors=True)
    shutil.rmtree(app, ignore_errors=True)
    claude = synth.claude_code_tree(
        claude_root,
        seed=SEED,
        start=START,
        days=DAYS,
        n_sessions=45,
        resumed_copies=2,
        n_projects=4,
        requests_per_session=13.0,
        subagents_per_session=0.6,
        agent_requests=8.0,
    )
    messages = synth.messages_log(
        app / "messages.jsonl", seed=SEED, start=START, days=DAYS, n_requests=1_200
    )
    stream = synth.stream_events_log(
        app / "stream_events.jsonl", seed=SEED, start=START, days=DAYS, n_requests=120
    )
    main_files = sorted(
        p for p in (claude_root / "projects").rglob("*.jsonl") if p.parent.name != "subagents"
    )
    targets = [main_files[0], app / "messages.jsonl"]
    malformed = {
        p.relative_to(out).as_posix(): synth.inject_malformed(p, seed=SEED, n=MALFORMED_PER_FILE)
        for p in targets
    }
    return Sample(claude, messages, stream, malformed)


def main() -> int:
    out = Path(__file__).resolve().parent
    sample = generate(out)
    files = sorted(p for p in out.rglob("*.jsonl"))
    size = sum(p.stat().st_size for p in files)
    log = sys.stderr
    print(f"{len(files)} files, {size} bytes", file=log)
    print(f"claude code: {len(sample.claude)} billed requests", file=log)
    for (model, side), n in sorted(
        Counter((t.model, t.is_sidechain) for t in sample.claude).items()
    ):
        print(f"  {model:30} {'sub-agent' if side else 'main':9} {n:5}", file=log)
    for name, truths in (("messages", sample.messages), ("stream events", sample.stream)):
        print(f"{name}: {len(truths)} billed requests", file=log)
        for (workload, model), n in sorted(
            Counter((t.workload or "(none)", t.model) for t in truths).items()
        ):
            print(f"  {workload:18} {model:30} {n:5}", file=log)
    for path, lines in sample.malformed.items():
        print(f"malformed lines in {path}: {lines}", file=log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
