"""Deterministic synthetic Claude usage logs, each returned with its own ground truth.

Tests, the bundled sample and the benchmark corpus need logs shaped like the real ones: several
lines per API call with a partial output count on all but the last, resumed sessions that copy
earlier lines, sub-agent files, local error lines and malformed lines. Each generator also returns
the billed requests it wrote, so a test can check a reader against numbers the reader did not
produce. The same seed always gives the same bytes.

Claude Code lines are built from string templates, not `json.dumps`, because the 1 GB corpus must
be written in seconds; the templates produce the compact JSON Claude Code writes (ccusage only
reads lines containing `"usage":{`). Text placed in templates comes from pools that are escaped
once. The app logs are small and use `json.dumps`.

One module per job: `common` (model ids, ground truth, times, ids), `text` (the text pools),
`cc_session` / `cc_turns` / `claude_code` (Claude Code trees), `app_calls` / `messages_log` /
`stream_events` (Messages API app logs), `malformed` (bad lines).  The names below are the
public ones: `from bench.synth import X`.
"""

from __future__ import annotations

from bench.synth.cc_session import SessionOutput, TreeConfig
from bench.synth.claude_code import (
    append_requests,
    claude_code_tree,
    count_requests,
    generate_session,
    session_files,
    write_session,
)
from bench.synth.common import (
    AGENT_MODELS,
    HAIKU_45,
    MAIN_MODELS,
    OPUS_45,
    SONNET_4,
    SONNET_45,
    WORKLOADS,
    TrueAppRequest,
    TrueRequest,
    from_ms,
    inference_geo,
    iso_ms,
    to_ms,
)
from bench.synth.malformed import MALFORMED_KINDS, inject_malformed
from bench.synth.messages_log import messages_log
from bench.synth.stream_events import stream_events_log

__all__ = [
    "AGENT_MODELS",
    "HAIKU_45",
    "MAIN_MODELS",
    "MALFORMED_KINDS",
    "OPUS_45",
    "SONNET_4",
    "SONNET_45",
    "WORKLOADS",
    "SessionOutput",
    "TreeConfig",
    "TrueAppRequest",
    "TrueRequest",
    "append_requests",
    "claude_code_tree",
    "count_requests",
    "from_ms",
    "generate_session",
    "inference_geo",
    "inject_malformed",
    "iso_ms",
    "messages_log",
    "session_files",
    "stream_events_log",
    "to_ms",
    "write_session",
]
