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
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

SONNET_45 = "claude-sonnet-4-5-20250929"
OPUS_45 = "claude-opus-4-5-20251101"
HAIKU_45 = "claude-haiku-4-5-20251001"
SONNET_4 = "claude-sonnet-4-20250514"

#: Main-thread model mix of a Claude Code tree (weights).
MAIN_MODELS: tuple[tuple[str, float], ...] = (
    (SONNET_45, 0.55),
    (OPUS_45, 0.28),
    (SONNET_4, 0.10),
    (HAIKU_45, 0.07),
)
#: Sub-agent model mix: sub-agents mostly run on Haiku 4.5 or Sonnet 4.5.
AGENT_MODELS: tuple[tuple[str, float], ...] = ((HAIKU_45, 0.60), (SONNET_45, 0.35), (OPUS_45, 0.05))

#: The workloads of the app log, with their share of requests.
WORKLOADS: tuple[tuple[str, float], ...] = (
    ("support-chatbot", 0.40),
    ("planner", 0.07),
    ("planner-subagent", 0.18),
    ("docs-qa", 0.12),
    ("json-extraction", 0.15),
    ("code-review", 0.08),
)

_NO_GEO_MODELS = frozenset({SONNET_45, OPUS_45, HAIKU_45, SONNET_4})
_LONG_CONTEXT_MODELS = frozenset({SONNET_45, SONNET_4})
_OUT_SPEED = {HAIKU_45: 130.0, SONNET_45: 65.0, SONNET_4: 60.0, OPUS_45: 40.0}
_ALIASES = {
    SONNET_45: "claude-sonnet-4-5",
    OPUS_45: "claude-opus-4-5",
    HAIKU_45: "claude-haiku-4-5",
    SONNET_4: "claude-sonnet-4-0",
}
_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#: Hour-of-day weights (UTC) for session and request start times.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 6, 9, 10, 10, 10, 8, 9, 10, 10, 9, 8, 6, 5, 4, 3, 2, 2)


def inference_geo(model: str) -> str:
    """The `usage.inference_geo` the API reports for `model` (4.5 and older: not_available)."""
    return "not_available" if model in _NO_GEO_MODELS else "global"


# --------------------------------------------------------------------------- ground truth


@dataclass(frozen=True, slots=True)
class TrueRequest:
    """One billed Claude Code API call: deduplicated, with its final output count.

    `timestamp` is that of the call's last line (the one carrying the final `output_tokens`);
    `session_id` is the session where the call first appeared (a resumed copy repeats it in a later
    file); `project` is the directory name under `projects/`.
    """

    message_id: str
    request_id: str
    model: str
    timestamp: datetime
    project: str
    session_id: str
    is_sidechain: bool
    input_tokens: int
    cache_write_5m: int
    cache_write_1h: int
    cache_read: int
    output_tokens: int

    @property
    def prompt_tokens(self) -> int:
        """Input + cache writes + cache reads: the size that decides long-context pricing."""
        return self.input_tokens + self.cache_write_5m + self.cache_write_1h + self.cache_read


@dataclass(frozen=True, slots=True)
class TrueAppRequest:
    """One billed Messages API call of an app log.

    `timestamp`, `request_id`, `workload` and the latencies are None for bare Message lines (they
    carry no wrapper). For stream-event logs `timestamp` is the `message_start` line's `ts`,
    `latency_ms` is message_stop minus message_start and `ttft_ms` is the first content event
    minus message_start.
    """

    message_id: str
    request_id: str | None
    model: str
    timestamp: datetime | None
    workload: str | None
    service_tier: str
    input_tokens: int
    cache_write_5m: int
    cache_write_1h: int
    cache_read: int
    output_tokens: int
    web_search_requests: int
    latency_ms: int | None
    ttft_ms: int | None
    is_subagent: bool

    @property
    def prompt_tokens(self) -> int:
        """Input + cache writes + cache reads."""
        return self.input_tokens + self.cache_write_5m + self.cache_write_1h + self.cache_read


# --------------------------------------------------------------------------- small helpers


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of a timezone-aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """UTC datetime of an epoch-milliseconds value."""
    return _EPOCH + timedelta(milliseconds=ms)


_MINUTES: dict[int, str] = {}


def iso_ms(ms: int) -> str:
    """Format epoch milliseconds like Claude Code does: `2026-11-18T14:02:11.031Z`."""
    minute, rem = divmod(ms, 60_000)
    prefix = _MINUTES.get(minute)
    if prefix is None:
        if len(_MINUTES) > 100_000:
            _MINUTES.clear()
        moment = _EPOCH + timedelta(minutes=minute)
        prefix = _MINUTES[minute] = moment.strftime("%Y-%m-%dT%H:%M:")
    sec, milli = divmod(rem, 1000)
    return f"{prefix}{sec:02d}.{milli:03d}Z"


#: Maps any byte to a base58 character: random bytes -> id characters in one C call.
_B58_TABLE = bytes(ord(_B58[b % 58]) for b in range(256))


def _b58(rng: random.Random, k: int) -> str:
    return rng.randbytes(k).translate(_B58_TABLE).decode()


def _msg_id(rng: random.Random) -> str:
    return "msg_01" + _b58(rng, 22)


def _req_id(rng: random.Random) -> str:
    return "req_011C" + _b58(rng, 20)


def _tool_id(rng: random.Random) -> str:
    return "toolu_01" + _b58(rng, 22)


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _lognorm(rng: random.Random, mean: float, sigma: float) -> float:
    """Lognormal draw with the given mean (not median)."""
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def _esc(text: str) -> str:
    """Body of a JSON string literal, written the way Claude Code (JSON.stringify) writes it."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _day_time(rng: random.Random, start_ms: int, days: int) -> int:
    """A start time within [start, start+days) following the working-hours profile."""
    day = rng.randrange(days)
    hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
    return start_ms + day * _DAY_MS + hour * _HOUR_MS + rng.randrange(_HOUR_MS)


# --------------------------------------------------------------------------- text pools

_WORD_TEXT = (
    "invoice total amount customer order item price tax discount ledger account balance refund "
    "payment status config handler request response client server cache queue worker retry "
    "timeout user session token parser schema record batch export report metric latency region "
    "tenant webhook event stream buffer index query filter limit offset cursor page result error"
)
_WORDS = tuple(_WORD_TEXT.split(" "))
_DIRS = ("billing", "api", "core", "services", "tests", "utils", "models", "jobs", "web", "db")
_EXTS = (".py", ".py", ".py", ".ts", ".tsx", ".sql", ".md", ".toml", ".go")
_PROMPTS = tuple(
    _esc(p)
    for p in (
        "Refactor invoice totals to use Decimal and add tests.",
        "Why does the webhook retry loop never stop? Fix it.",
        "Add pagination to the /orders endpoint (cursor based, not offset).",
        "Run the test suite and fix whatever fails.",
        "Write a migration that adds a `tenant_id` column to ledger entries.",
        "Explain how the cache invalidation in services/cache.py works.",
        "Rename `usr` to `user` everywhere in the api package.",
        'The CSV export breaks on names like "O\'Brien, Ana" - can you fix the quoting?',
        "Bump the dependency versions and make sure nothing breaks.",
        "Add type hints to jobs/ and make mypy --strict pass.",
        "Café orders show the wrong total → check the rounding in billing/tax.py",
        "Can you review my last commit for security problems?",
        "Speed up the report query, it takes 40 s on the staging data.",
        "Create a small CLI command to re-send failed webhooks.",
        "Summarise what changed in this branch compared to main.",
        "Fix the flaky test in tests/test_queue.py (timeout ~ 1/20 runs).",
        "Port the Go rate limiter to Python, keep the same semantics.",
        "Document the event schema in docs/events.md with examples.",
        "日本語のエラーメッセージを英語に直して",
        "Make the dashboard load faster; profile first.",
    )
)
_TASK_PROMPTS = tuple(
    _esc(p)
    for p in (
        "Locate all invoice total computations",
        "Find every caller of the retry helper and list them with file:line",
        "Search the repo for places that build SQL with string formatting",
        "Map the modules that import services.cache",
        "Find the tests that cover pagination",
        "Investigate how webhooks are signed and verified",
    )
)
_COMMANDS = tuple(
    _esc(c)
    for c in (
        "pytest -q",
        "pytest -q tests/test_billing.py",
        "git status --short",
        "git diff --stat main",
        "ruff check .",
        "mypy --strict src",
        'grep -rn "TODO" src | head -50',
        "npm run build",
        "go test ./...",
        "ls -la",
    )
)
_SUMMARIES = tuple(
    _esc(s)
    for s in (
        "Refactor invoice totals to Decimal",
        "Fix webhook retry loop",
        "Cursor pagination for orders API",
        "Ledger tenant_id migration",
        "CSV export quoting fix",
        "Type hints for jobs package",
        "Rate limiter port",
        "Flaky queue test investigation",
    )
)
_ADJ = ("quiet", "brave", "lucky", "swift", "gentle", "bold", "calm", "eager", "merry", "wise")
_VERBS = ("sorting", "hopping", "reading", "mapping", "tracing", "weaving", "digging", "humming")
_ANIMALS = ("heron", "otter", "lynx", "badger", "finch", "marmot", "gecko", "ibis", "wombat")


def _slice(pool: str, rng: random.Random, size: int) -> str:
    """A random substring of an escaped pool that is itself a valid JSON string body.

    Pools hold no quotes or backslashes other than the two-character `\\n` escape, so only a cut
    after a lone backslash needs fixing.
    """
    size = min(size, len(pool) - 1)
    a = rng.randrange(len(pool) - size)
    s = pool[a : a + size]
    return s[:-1] if s.endswith("\\") else s


@cache
def _code_pool() -> str:
    """~1.5 MB of line-numbered code, as the Read tool returns it (escaped)."""
    rng = random.Random(101)
    w = _WORDS
    out: list[str] = []
    size = 0
    lineno = 1
    while size < 1_500_000:
        a, b, c = rng.choice(w), rng.choice(w), rng.choice(w)
        ind = " " * (4 * rng.randrange(4))
        k = rng.randrange(10)
        if k == 0:
            code = f"def {a}_{b}(self, {c}: int) -> {b.title()}:"
        elif k == 1:
            code = f"{ind}{a}_{b} = self.{c}.get('{a}', {rng.randrange(1000)})"
        elif k == 2:
            code = f"{ind}# {a} {b} {c}, see {rng.choice(_DIRS)}/{c}.py"
        elif k == 3:
            code = f"{ind}return {a}_{b} + {c}"
        elif k == 4:
            code = f"{ind}if {a} is None or {b} > {rng.randrange(100)}:"
        elif k == 5:
            code = f"{ind}raise {a.title()}Error(f'{b} {{{c}}} failed')"
        elif k == 6:
            code = ""
        elif k == 7:
            code = f"{ind}logger.info('{a} %s {b}', {c}_id)"
        elif k == 8:
            code = f"from {rng.choice(_DIRS)}.{a} import {b.title()}{c.title()}"
        else:
            code = f"{ind}for {a} in self.{b}s[{rng.randrange(9)}:]:"
        line = f"{lineno:>6}→{code}"
        out.append(line)
        size += len(line) + 2
        lineno = 1 if rng.random() < 0.005 else lineno + 1
    return "\\n".join(out)


@cache
def _shell_pool() -> str:
    """~400 KB of test-runner and git output (escaped)."""
    rng = random.Random(102)
    out: list[str] = []
    size = 0
    while size < 400_000:
        a, b = rng.choice(_WORDS), rng.choice(_WORDS)
        k = rng.randrange(6)
        if k == 0:
            line = f"tests/test_{a}.py::test_{b} PASSED [{rng.randrange(100):3d}%]"
        elif k == 1:
            line = f" {rng.choice(_DIRS)}/{a}.py | {rng.randrange(1, 90)} +++++---"
        elif k == 2:
            line = f"E   AssertionError: {a} != {b} (got {rng.randrange(10**6)})"
        elif k == 3:
            line = f"{rng.choice(_DIRS)}/{a}_{b}.py:{rng.randrange(1, 900)}:5: F401 unused import"
        elif k == 4:
            line = f"==== {rng.randrange(1, 400)} passed, {rng.randrange(3)} warnings in 3.2s ===="
        else:
            line = f"M  {rng.choice(_DIRS)}/{a}.py"
        out.append(line)
        size += len(line) + 2
    return "\\n".join(out)


@cache
def _prose_pool() -> str:
    """~200 KB of assistant-style sentences (plain ASCII, escaped)."""
    rng = random.Random(103)
    verbs = ("update", "read", "check", "refactor", "test", "rename", "move", "simplify", "fix")
    out: list[str] = []
    size = 0
    while size < 200_000:
        a, b = rng.choice(_WORDS), rng.choice(_WORDS)
        k = rng.randrange(5)
        if k == 0:
            s = f"I'll {rng.choice(verbs)} the {a} {b} in {rng.choice(_DIRS)}/{a}.py next."
        elif k == 1:
            s = f"The {a} handler computes the {b} before the {rng.choice(_WORDS)} is known."
        elif k == 2:
            s = f"All {rng.randrange(2, 300)} tests pass now; the {a} change is covered."
        elif k == 3:
            s = f"Let me {rng.choice(verbs)} `{a}_{b}` so it no longer depends on {b}."
        else:
            s = f"- {a.title()} {b}: {rng.choice(verbs)} and keep the old behaviour."
        out.append(s)
        size += len(s) + 2
        if rng.random() < 0.15:
            out.append("\\n")
    return " ".join(out)


@cache
def _sig_pool() -> str:
    """Base64 characters for thinking-block signatures."""
    rng = random.Random(104)
    return "".join(rng.choices(_B64, k=200_000))


@cache
def _rel_paths() -> tuple[str, ...]:
    rng = random.Random(105)
    return tuple(
        f"{rng.choice(_DIRS)}/{rng.choice(_WORDS)}_{rng.choice(_WORDS)}{rng.choice(_EXTS)}"
        for _ in range(300)
    )


# --------------------------------------------------------------------------- Claude Code trees


@dataclass(frozen=True, slots=True)
class TreeConfig:
    """Settings shared by every session of one Claude Code tree (picklable for worker processes).

    Sizes are means; every session draws its own numbers from `seed` and its index, so sessions
    can be generated in any order or in parallel with identical output.
    """

    seed: int
    start_ms: int
    days: int
    n_projects: int = 6
    requests_per_session: float = 40.0
    subagents_per_session: float = 1.0
    agent_requests: float = 14.0
    tool_result_scale: float = 1.0
    long_context_share: float = 0.0
    synthetic_error_rate: float = 0.01


@dataclass(slots=True)
class SessionOutput:
    """What one generated session wrote (or would write)."""

    files: dict[str, list[str]] = field(default_factory=dict)
    truths: list[tuple[str, str, str, int, str, str, bool, int, int, int, int, int]] = field(
        default_factory=list
    )
    start_ms: int = 0
    end_ms: int = 0
    earliest_start_ms: int = 0
    main_end_ms: int = 0
    main_last_uuid: str | None = None
    turn_marks: list[tuple[int, int, str | None]] = field(default_factory=list)
    bytes_written: int = 0

    @property
    def n_requests(self) -> int:
        return len(self.truths)


@cache
def _projects(seed: int, n: int) -> tuple[tuple[str, str], ...]:
    """(cwd, project-dir) pairs; project-dir is the cwd with `/` replaced by `-`."""
    rng = random.Random(f"{seed}/projects")
    users = ("alice", "bob", "chen", "dana", "emeka", "farah")
    repos = (
        "acme-api",
        "ledger-sync",
        "web-dashboard",
        "infra",
        "ml-pipeline",
        "mobile-app",
        "docs-site",
        "billing-core",
        "search-svc",
        "auth-gateway",
    )
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        home = "/Users" if rng.random() < 0.7 else "/home"
        parent = rng.choice(("src", "work", "code"))
        cwd = f"{home}/{rng.choice(users)}/{parent}/{rng.choice(repos)}"
        if cwd in seen:
            cwd = f"{cwd}-{len(out)}"
        seen.add(cwd)
        out.append((cwd, cwd.replace("/", "-")))
    return tuple(out)


class _Session:
    """Identity and shared state of one Claude Code session being generated."""

    def __init__(self, cfg: TreeConfig, rng: random.Random, cwd: str, project: str, sid: str):
        self.cfg = cfg
        self.rng = rng
        self.cwd = cwd
        self.project = project
        self.sid = sid
        self.out = SessionOutput()
        self.code = _code_pool()
        self.shell = _shell_pool()
        self.prose = _prose_pool()
        self.sigs = _sig_pool()
        self.paths = _rel_paths()
        self.p_task = 0.0
        self.agent_names: set[str] = set()
        self.last_agent = ""
        self.cwd_esc = _esc(cwd)
        self.version = rng.choice(("2.1.270", "2.1.281", "2.1.290"))
        feature = f"feat/{rng.choice(_WORDS)}-{rng.choice(_WORDS)}"
        self.branch = "main" if rng.random() < 0.6 else feature

    def env(self, sidechain: bool, agent: str = "") -> str:
        side = "true" if sidechain else "false"
        return (
            f'"isSidechain":{side},"userType":"external","cwd":"{self.cwd_esc}",'
            f'"sessionId":"{self.sid}","version":"{self.version}","gitBranch":"{self.branch}"{agent}'
        )

    def path(self) -> str:
        return f"{self.cwd_esc}/{self.rng.choice(self.paths)}"


class _Thread:
    """Lines of one transcript file plus the prompt-cache state of its conversation."""

    def __init__(
        self, s: _Session, env: str, *, sidechain: bool, clock: int, ttl: str, sys_tokens: int
    ) -> None:
        self.s = s
        self.rng = s.rng
        self.env = env
        self.sidechain = sidechain
        self.lines: list[str] = []
        self.parent: str | None = None
        self.clock = clock
        self.ttl = ttl
        self.sys_tokens = sys_tokens
        self.sys_cached = int(sys_tokens * self.rng.uniform(0.6, 0.9))
        self.prompt = 0
        self.last_out = 0
        self.pending = 0
        self.last_req = clock
        self.compact_at = self.rng.randint(150_000, 185_000)
        self.turns: list[tuple[int, int, str | None]] = []

    def head(self) -> str:
        p = "null" if self.parent is None else f'"{self.parent}"'
        return f'{{"parentUuid":{p},{self.env},'

    def tick(self, lo: int, hi: int) -> None:
        self.clock += self.rng.randint(lo, hi)

    def user_prompt(
        self, text: str, *, meta: str = ',"permissionMode":"default"', mark: bool = True
    ) -> None:
        if mark:
            self.turns.append((len(self.lines), self.clock, self.parent))
        u = _uuid(self.rng)
        ts = iso_ms(self.clock)
        self.lines.append(
            f'{self.head()}"type":"user","message":{{"role":"user","content":"{text}"}},'
            f'"uuid":"{u}","timestamp":"{ts}"{meta}}}'
        )
        self.parent = u
        self.pending += len(text) // 4 + 8
        if not self.sidechain:
            self.lines.append(
                f'{{"type":"file-history-snapshot","messageId":"{u}","snapshot":{{"messageId":'
                f'"{u}","trackedFileBackups":{{}},"timestamp":"{ts}"}},"isSnapshotUpdate":false}}'
            )

    def tool_result(self, tool_id: str, content: str, extra: str, tokens: int, source: str) -> None:
        u = _uuid(self.rng)
        self.lines.append(
            f'{self.head()}"type":"user","message":{{"role":"user","content":[{{"tool_use_id":'
            f'"{tool_id}","type":"tool_result","content":{content}}}]}},"uuid":"{u}",'
            f'"timestamp":"{iso_ms(self.clock)}"{extra},"sourceToolAssistantUUID":"{source}"}}'
        )
        self.parent = u
        self.pending += tokens

    def synthetic_error(self) -> None:
        """A local API-error line: model `<synthetic>`, zero usage, never billed."""
        u = _uuid(self.rng)
        self.lines.append(
            f'{self.head()}"message":{{"id":"{_uuid(self.rng)}","model":"<synthetic>",'
            '"role":"assistant","stop_reason":"stop_sequence","stop_sequence":"","type":"message",'
            '"usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,'
            '"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0,'
            '"web_fetch_requests":0},"service_tier":null,"cache_creation":'
            '{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0}},"content":'
            f'[{{"type":"text","text":"{self.rng.choice(_API_ERRORS)}"}}]}},"type":"assistant",'
            f'"uuid":"{u}","timestamp":"{iso_ms(self.clock)}","isApiErrorMessage":true}}'
        )
        self.parent = u
        self.tick(2_000, 30_000)

    def maybe_compact(self) -> None:
        """Auto-compact like Claude Code before the prompt would pass `compact_at` tokens."""
        if not self.prompt or self.prompt + self.last_out + self.pending <= self.compact_at:
            return
        rng = self.rng
        u = _uuid(rng)
        pre = self.prompt + self.last_out
        logical = "null" if self.parent is None else f'"{self.parent}"'
        self.lines.append(
            f'{{"parentUuid":null,"logicalParentUuid":{logical},{self.env},"type":"system",'
            f'"subtype":"compact_boundary","content":"Conversation compacted","isMeta":false,'
            f'"timestamp":"{iso_ms(self.clock)}","uuid":"{u}","level":"info",'
            f'"compactMetadata":{{"trigger":"auto","preTokens":{pre}}}}}'
        )
        self.parent = u
        self.tick(20_000, 60_000)
        summary = _slice(self.s.prose, rng, rng.randint(2_000, 6_000))
        self.user_prompt(
            "This session is being continued from a previous conversation. Summary: " + summary,
            meta=',"isCompactSummary":true',
            mark=False,
        )
        self.prompt = 0
        self.last_out = 0

    def request(self, model: str, blocks: Sequence[str], stop: str, out_final: int) -> str:
        """Write one API call as one line per content block; return the last line's uuid."""
        rng = self.rng
        s = self.s
        if self.prompt == 0:
            total = self.sys_tokens + self.pending
            cache_read = self.sys_cached if rng.random() < 0.85 else 0
        else:
            total = self.prompt + self.last_out + self.pending
            ttl_ms = 300_000 if self.ttl == "5m" else _HOUR_MS
            cold = self.clock - self.last_req > ttl_ms
            cache_read = (self.sys_cached if rng.random() < 0.7 else 0) if cold else self.prompt
        cache_read = min(cache_read, total)  # a prompt never reads more than it holds
        inp = min(rng.randint(1, 12), total - cache_read)
        cw = total - cache_read - inp
        prompt_after = total
        share = s.cfg.long_context_share
        if share and model in _LONG_CONTEXT_MODELS and rng.random() < share:
            cache_read = rng.randint(200_001, 480_000) - cw - inp
        if self.ttl == "1h":
            w5, w1 = 0, cw
        elif self.ttl == "5m":
            w5, w1 = cw, 0
        else:
            w5 = int(cw * rng.random() * 0.5)
            w1 = cw - w5
        out_final = max(out_final, 16)
        partial = rng.randint(1, 12)
        mid = _msg_id(rng)
        rid = _req_id(rng)
        speed = _OUT_SPEED.get(model, 60.0)
        n = len(blocks)
        t0 = self.clock + rng.randint(900, 4_000)
        t_last = t0 + max(int(out_final / speed * 1000), n)
        head = self.head
        msg_head = (
            f'"message":{{"model":"{model}","id":"{mid}","type":"message","role":"assistant",'
            '"content":['
        )
        usage_a = (
            f'"stop_sequence":null,"usage":{{"input_tokens":{inp},'
            f'"cache_creation_input_tokens":{cw},"cache_read_input_tokens":{cache_read},'
            f'"cache_creation":{{"ephemeral_5m_input_tokens":{w5},"ephemeral_1h_input_tokens":{w1}}}'
            ',"output_tokens":'
        )
        usage_b = (
            f',"service_tier":"standard","inference_geo":"{inference_geo(model)}"}}}},'
            f'"requestId":"{rid}","type":"assistant","uuid":"'
        )
        u = ""
        for j, block in enumerate(blocks):
            last = j == n - 1
            t = t_last if last else t0 + (t_last - t0) * j // n
            u = _uuid(rng)
            sr = f'"{stop}"' if last else "null"
            out = out_final if last else partial
            self.lines.append(
                f'{head()}{msg_head}{block}],"stop_reason":{sr},{usage_a}{out}{usage_b}{u}",'
                f'"timestamp":"{iso_ms(t)}"}}'
            )
            self.parent = u
        truth = (mid, rid, model, t_last, s.project, s.sid, self.sidechain)
        s.out.truths.append((*truth, inp, w5, w1, cache_read, out_final))
        self.prompt = prompt_after
        self.last_out = out_final
        self.pending = 0
        self.last_req = t0
        self.clock = t_last
        return u

    # ---- content blocks

    def thinking(self) -> tuple[str, int]:
        sig = _slice(self.s.sigs, self.rng, self.rng.randint(100, 700))
        return (
            f'{{"type":"thinking","thinking":"","signature":"{sig}"}}',
            int(_lognorm(self.rng, 400, 0.9)),
        )

    def text(self, lo: int, hi: int) -> tuple[str, int]:
        body = _slice(self.s.prose, self.rng, self.rng.randint(lo, hi))
        return f'{{"type":"text","text":"{body}"}}', len(body) // 4 + 5


_API_ERRORS = tuple(
    _esc(t)
    for t in (
        'API Error: 529 {"type":"error","error":{"type":"overloaded_error",'
        '"message":"Overloaded"}}',
        'API Error: 500 {"type":"error","error":{"type":"api_error",'
        '"message":"Internal server error"}}',
        "API Error: Request timed out.",
    )
)
_MAIN_TOOLS = ("Read", "Bash", "Edit", "Grep", "Glob", "Write", "TodoWrite")
_MAIN_TOOL_W = (35, 20, 15, 10, 5, 5, 5)
_AGENT_TOOLS = ("Read", "Grep", "Glob", "Bash")
_AGENT_TOOL_W = (45, 30, 15, 10)


def _tool(th: _Thread, name: str) -> tuple[str, str, str, int, int]:
    """A tool call: (tool_use block input, result content, toolUseResult extra, tokens, output)."""
    s = th.s
    rng = th.rng
    scale = s.cfg.tool_result_scale
    if name == "Read":
        p = s.path()
        body = _slice(s.code, rng, int(min(20_000, max(150, _lognorm(rng, 550 * scale, 0.9)))))
        nl = body.count("\\n") + 1
        extra = (
            f',"toolUseResult":{{"type":"text","file":{{"filePath":"{p}","content":"{body}",'
            f'"numLines":{nl},"startLine":1,"totalLines":{nl + rng.randrange(300)}}}}}'
        )
        return f'{{"file_path":"{p}"}}', f'"{body}"', extra, len(body) // 4, rng.randint(40, 160)
    if name == "Bash":
        cmd = rng.choice(_COMMANDS)
        body = _slice(s.shell, rng, int(min(20_000, max(40, _lognorm(rng, 400 * scale, 1.0)))))
        extra = (
            f',"toolUseResult":{{"stdout":"{body}","stderr":"","interrupted":false,'
            '"isImage":false}'
        )
        inp = f'{{"command":"{cmd}","description":"Run {cmd.split(" ")[0]}"}}'
        return inp, f'"{body}"', extra, len(body) // 4, rng.randint(40, 200)
    if name == "Edit":
        p = s.path()
        old = _slice(s.code, rng, rng.randint(40, 500))
        new = _slice(s.code, rng, rng.randint(40, 700))
        snippet = _slice(s.code, rng, int(_lognorm(rng, 350 * scale, 0.5)) + 100)
        body = (
            f"The file {p} has been updated. Here's the result of running `cat -n` on a snippet "
            f"of the edited file:\\n{snippet}"
        )
        extra = (
            f',"toolUseResult":{{"filePath":"{p}","oldString":"{old}","newString":"{new}",'
            '"replaceAll":false,"userModified":false}'
        )
        inp = f'{{"file_path":"{p}","old_string":"{old}","new_string":"{new}"}}'
        return inp, f'"{body}"', extra, len(body) // 4, (len(old) + len(new)) // 4 + 60
    if name in ("Grep", "Glob"):
        k = rng.randint(1, 12)
        files = [s.path() for _ in range(k)]
        if name == "Grep":
            inp = f'{{"pattern":"{rng.choice(_WORDS)}","output_mode":"files_with_matches"}}'
            extra = ',"toolUseResult":{"mode":"files_with_matches","filenames":['
        else:
            inp = f'{{"pattern":"**/*{rng.choice(_EXTS)}"}}'
            extra = ',"toolUseResult":{"durationMs":' + str(rng.randint(3, 90)) + ',"filenames":['
        extra += ",".join(f'"{f}"' for f in files) + f'],"numFiles":{k}}}'
        body = f"Found {k} files\\n" + "\\n".join(files)
        return inp, f'"{body}"', extra, len(body) // 4, rng.randint(30, 90)
    if name == "Write":
        p = s.path()
        content = _slice(s.code, rng, int(min(12_000, _lognorm(rng, 700 * scale, 0.8))) + 50)
        extra = (
            f',"toolUseResult":{{"type":"create","filePath":"{p}","content":"{content}",'
            '"structuredPatch":[]}'
        )
        body = f"File created successfully at: {p}"
        inp = f'{{"file_path":"{p}","content":"{content}"}}'
        return inp, f'"{body}"', extra, 20, len(content) // 4 + 40
    # TodoWrite
    todos = ",".join(
        f'{{"content":"{_slice(s.prose, rng, rng.randint(20, 70)).strip()}",'
        f'"status":"{rng.choice(("pending", "in_progress", "completed"))}",'
        f'"activeForm":"Working on {rng.choice(_WORDS)}"}}'
        for _ in range(rng.randint(2, 6))
    )
    body = (
        "Todos have been modified successfully. Ensure that you continue to use the todo list "
        "to track your progress. Please proceed with the current tasks if applicable"
    )
    extra = f',"toolUseResult":{{"oldTodos":[],"newTodos":[{todos}]}}'
    return f'{{"todos":[{todos}]}}', f'"{body}"', extra, 60, len(todos) // 4 + 20


def _tool_turn_request(
    th: _Thread, model: str, tools: Sequence[str], weights: Sequence[int]
) -> None:
    """One agentic step: optional thinking/text, 1-2 tool calls, then their results."""
    rng = th.rng
    s = th.s
    blocks: list[str] = []
    out = 0
    if rng.random() < (0.15 if model == HAIKU_45 else 0.3):
        b, o = th.thinking()
        blocks.append(b)
        out += o
    if rng.random() < 0.4:
        b, o = th.text(30, 400)
        blocks.append(b)
        out += o
    task = not th.sidechain and rng.random() < s.p_task
    calls: list[tuple[str, str, str, str, int]] = []
    tid = prompt = ""
    if task:
        tid = _tool_id(rng)
        prompt = rng.choice(_TASK_PROMPTS)
        kind = rng.choice(("Explore", "general-purpose"))
        desc = prompt[:30].strip()
        inp = f'{{"description":"{desc}","prompt":"{prompt}","subagent_type":"{kind}"}}'
        blocks.append(f'{{"type":"tool_use","id":"{tid}","name":"Task","input":{inp}}}')
        out += 60 + len(prompt) // 4
    else:
        n_tools = 2 if rng.random() < 0.12 else 1
        for name in rng.choices(tools, weights=weights, k=n_tools):
            tid = _tool_id(rng)
            inp, content, extra, tokens, o = _tool(th, name)
            blocks.append(f'{{"type":"tool_use","id":"{tid}","name":"{name}","input":{inp}}}')
            calls.append((tid, content, extra, name, tokens))
            out += o
    src = th.request(model, blocks, "tool_use", out)
    if task:
        agent_end, agent_tokens, agent_tools = _subagent(s, th.clock + rng.randint(50, 400), prompt)
        th.clock = agent_end + rng.randint(100, 900)
        agent_id = s.last_agent
        report = _slice(s.prose, rng, rng.randint(300, 3_000))
        extra = (
            f',"toolUseResult":{{"status":"completed","agentId":"{agent_id}",'
            f'"totalDurationMs":{th.clock - th.last_req},"totalTokens":{agent_tokens},'
            f'"totalToolUseCount":{agent_tools}}}'
        )
        content = f'[{{"type":"text","text":"{report}"}}]'
        th.tool_result(tid, content, extra, len(report) // 4, src)
        return
    for tid, content, extra, name, tokens in calls:
        th.tick(80, 2_500 if name != "Bash" else 40_000)
        th.tool_result(tid, content, extra, tokens, src)


def _final_request(th: _Thread, model: str) -> None:
    """The turn's closing answer: optional thinking, then text, stop_reason end_turn."""
    blocks: list[str] = []
    out = 0
    if th.rng.random() < 0.35:
        b, o = th.thinking()
        blocks.append(b)
        out += o
    b, o = th.text(80, 1_500)
    blocks.append(b)
    th.request(model, blocks, "end_turn", out + o)


def _run_turns(th: _Thread, model: str, n_requests: int, *, agent: bool) -> str:
    """Write turns of prompt + tool steps + answer until `n_requests` calls; return final model."""
    rng = th.rng
    cfg = th.s.cfg
    tools, weights = (_AGENT_TOOLS, _AGENT_TOOL_W) if agent else (_MAIN_TOOLS, _MAIN_TOOL_W)
    switch_at = rng.randrange(n_requests) if not agent and rng.random() < 0.1 else -1
    done = 0
    first = True
    while done < n_requests:
        if not agent:
            if not first:
                gap = rng.randint(1 * _HOUR_MS, 3 * _HOUR_MS) if rng.random() < 0.04 else 0
                th.tick(10_000 + gap, 600_000 + gap)
            th.user_prompt(rng.choice(_PROMPTS))
        first = False
        turn = n_requests - done
        if not agent:
            turn = min(turn, 1 + int(rng.expovariate(1 / 7)))
        for r in range(turn):
            if done == switch_at:
                model = rng.choices([m for m, _ in MAIN_MODELS], [w for _, w in MAIN_MODELS])[0]
            th.tick(300, 3_000)
            if rng.random() < cfg.synthetic_error_rate:
                th.synthetic_error()
            th.maybe_compact()
            if r == turn - 1:
                _final_request(th, model)
            else:
                _tool_turn_request(th, model, tools, weights)
            done += 1
    return model


def _subagent(s: _Session, clock: int, prompt: str) -> tuple[int, int, int]:
    """Write a Task sub-agent file; return (end clock, total tokens, tool-use count)."""
    rng = s.rng
    agent_id = f"{rng.getrandbits(28):07x}"
    while f"agent-{agent_id}" in s.agent_names:
        agent_id = f"{rng.getrandbits(28):07x}"
    s.agent_names.add(f"agent-{agent_id}")
    slug = f"{rng.choice(_ADJ)}-{rng.choice(_VERBS)}-{rng.choice(_ANIMALS)}"
    env = s.env(True, f',"agentId":"{agent_id}","slug":"{slug}"')
    ttl = "1h" if rng.random() < 0.6 else "5m"
    sys_tokens = rng.randint(6_000, 12_000)
    th = _Thread(s, env, sidechain=True, clock=clock, ttl=ttl, sys_tokens=sys_tokens)
    model = rng.choices([m for m, _ in AGENT_MODELS], [w for _, w in AGENT_MODELS])[0]
    n = max(2, int(_lognorm(rng, s.cfg.agent_requests, 0.6)))
    first_truth = len(s.out.truths)
    th.user_prompt(prompt, meta="")
    _run_turns(th, model, n, agent=True)
    s.out.files[f"{s.project}/{s.sid}/subagents/agent-{agent_id}.jsonl"] = th.lines
    s.out.end_ms = max(s.out.end_ms, th.clock)
    s.last_agent = agent_id
    mine = s.out.truths[first_truth:]
    total = sum(t[7] + t[8] + t[9] + t[10] + t[11] for t in mine[-1:])
    return th.clock, total, n - 1


def _session_identity(
    cfg: TreeConfig, index: int, resume_from: int | None = None
) -> tuple[random.Random, str, str, str]:
    """The session's RNG after its identity draws, with (cwd, project-dir, session id).

    A resumed session lives in the project of the session it resumes.
    """
    rng = random.Random(f"{cfg.seed}/session/{index}")
    projects = _projects(cfg.seed, cfg.n_projects)
    weights = [1 / (k + 1) for k in range(len(projects))]
    cwd, project = rng.choices(projects, weights)[0]
    sid = _uuid(rng)
    if resume_from is not None:
        _, cwd, project, _ = _session_identity(cfg, resume_from)
    return rng, cwd, project, sid


def session_files(cfg: TreeConfig, index: int, resume_from: int | None = None) -> tuple[str, str]:
    """Relative paths of session `index`'s main file and its sub-agent directory."""
    _, _, project, sid = _session_identity(cfg, index, resume_from)
    return f"{project}/{sid}.jsonl", f"{project}/{sid}"


def _build_session(
    cfg: TreeConfig, index: int, resume_from: int | None, start_override: int | None
) -> SessionOutput:
    rng, cwd, project, sid = _session_identity(cfg, index, resume_from)
    s = _Session(cfg, rng, cwd, project, sid)
    window_start = cfg.start_ms
    lines: list[str] = []
    if resume_from is not None:
        src = generate_session(cfg, resume_from)
        src_main = next(iter(src.files.values()))
        src_sid = _session_identity(cfg, resume_from)[3]
        if len(src.turn_marks) > 1:
            cut, cut_clock, parent = rng.choice(src.turn_marks[1:])
        else:
            cut, cut_clock, parent = len(src_main), src.main_end_ms, src.main_last_uuid
        old = f'"sessionId":"{src_sid}"'
        new = f'"sessionId":"{sid}"'
        lines.append(
            f'{{"type":"summary","summary":"{rng.choice(_SUMMARIES)}","leafUuid":"{parent}"}}'
        )
        lines.extend(line.replace(old, new) for line in src_main[:cut])
        start = cut_clock + rng.randint(300_000, 2 * _DAY_MS)
        window_start = cut_clock + 60_000
    else:
        parent = None
        start = _day_time(rng, cfg.start_ms, cfg.days)
        if rng.random() < 0.06:  # late-evening sessions that run past midnight
            start = start - start % _DAY_MS + 22 * _HOUR_MS + rng.randrange(110 * 60_000)
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            lines.append(
                f'{{"type":"summary","summary":"{rng.choice(_SUMMARIES)}",'
                f'"leafUuid":"{_uuid(rng)}"}}'
            )
    if start_override is not None:
        start = start_override
    s.out.start_ms = start
    s.out.earliest_start_ms = window_start
    n_main = max(2, int(_lognorm(rng, cfg.requests_per_session, 0.6)))
    s.p_task = cfg.subagents_per_session / max(1.0, n_main * 0.87)
    ttl = rng.choices(("1h", "5m", "mix"), (0.85, 0.10, 0.05))[0]
    sys_tokens = rng.randint(14_000, 24_000)
    th = _Thread(s, s.env(False), sidechain=False, clock=start, ttl=ttl, sys_tokens=sys_tokens)
    th.lines = lines
    th.parent = parent
    if resume_from is not None:
        th.pending = rng.randint(20_000, 90_000)  # the reloaded conversation
    model = rng.choices([m for m, _ in MAIN_MODELS], [w for _, w in MAIN_MODELS])[0]
    _run_turns(th, model, n_main, agent=False)
    main = {f"{project}/{sid}.jsonl": th.lines}
    s.out.files = main | s.out.files
    s.out.end_ms = max(s.out.end_ms, th.clock)
    s.out.turn_marks = th.turns
    s.out.main_end_ms = th.clock
    s.out.main_last_uuid = th.parent
    return s.out


def generate_session(cfg: TreeConfig, index: int, resume_from: int | None = None) -> SessionOutput:
    """Build session `index` in memory, shifted earlier if it would run past the window's end.

    With `resume_from`, the session starts with a copy of a prefix of that session's main file
    (same message ids and requestIds, sessionId rewritten), as `claude --resume` leaves it.
    """
    out = _build_session(cfg, index, resume_from, None)
    window_end = cfg.start_ms + cfg.days * _DAY_MS
    if out.end_ms >= window_end:
        shift = out.end_ms - window_end + 60_000 + (index * 7_919) % 3_600_000
        start = max(out.earliest_start_ms, out.start_ms - shift)
        out = _build_session(cfg, index, resume_from, start)
    return out


def write_session(
    root: Path, cfg: TreeConfig, index: int, resume_from: int | None = None
) -> SessionOutput:
    """Generate session `index` and write its files under `root/projects/`."""
    out = generate_session(cfg, index, resume_from)
    base = root / "projects"
    for rel, lines in out.files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(data)
        out.bytes_written += len(data)
    return out


def _to_truth(t: tuple[str, str, str, int, str, str, bool, int, int, int, int, int]) -> TrueRequest:
    return TrueRequest(
        t[0], t[1], t[2], from_ms(t[3]), t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]
    )


def claude_code_tree(
    root: Path,
    *,
    seed: int,
    start: datetime,
    days: int,
    n_sessions: int,
    resumed_copies: int = 0,
    long_context_share: float = 0.0,
    n_projects: int = 4,
    requests_per_session: float = 40.0,
    subagents_per_session: float = 1.0,
    agent_requests: float = 14.0,
    tool_result_scale: float = 1.0,
    synthetic_error_rate: float = 0.01,
) -> list[TrueRequest]:
    """Write a Claude Code tree `root/projects/...` and return its billed requests.

    `n_sessions` ordinary sessions are followed by `resumed_copies` sessions that each start with
    a copy of part of an earlier session (their copied calls are in the truth list once). All
    timestamps fall in [start, start + days). Result is sorted by (timestamp, message_id).
    """
    cfg = TreeConfig(
        seed=seed,
        start_ms=to_ms(start),
        days=days,
        n_projects=n_projects,
        requests_per_session=requests_per_session,
        subagents_per_session=subagents_per_session,
        agent_requests=agent_requests,
        tool_result_scale=tool_result_scale,
        long_context_share=long_context_share,
        synthetic_error_rate=synthetic_error_rate,
    )
    truths: list[TrueRequest] = []
    for i in range(n_sessions + resumed_copies):
        source = None
        if i >= n_sessions:
            source = random.Random(f"{seed}/resume/{i}").randrange(n_sessions)
        out = write_session(root, cfg, i, source)
        truths.extend(_to_truth(t) for t in out.truths)
    truths.sort(key=lambda t: (t.timestamp, t.message_id))
    return truths


# --------------------------------------------------------------------------- appending


def count_requests(root: Path) -> int:
    """Approximate billed calls in a tree: lines that close a call (non-null stop_reason).

    Resumed copies are counted again; good enough to size an append.
    """
    n = 0
    for path in sorted((root / "projects").rglob("*.jsonl")):
        data = path.read_bytes()
        n += data.count(b'"stop_reason":"tool_use"') + data.count(b'"stop_reason":"end_turn"')
    return n


def _tail_objects(path: Path, limit: int = 1 << 19) -> list[dict[str, Any]]:
    """Parsed JSON objects of the last `limit` bytes of a file, last line first."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - limit))
        data = fh.read()
    objs: list[dict[str, Any]] = []
    for raw in reversed(data.split(b"\n")):
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(obj, dict):
            objs.append(obj)
    return objs


def _continue_thread(root: Path, path: Path, seed: int, n: int, cfg: TreeConfig) -> SessionOutput:
    """Generate `n` more calls continuing the conversation at the end of `path`."""
    rel = path.relative_to(root / "projects").as_posix()
    rng = random.Random(f"{seed}/append/{rel}")
    tail = _tail_objects(path)
    last = next((o for o in tail if "sessionId" in o and "uuid" in o and "timestamp" in o), None)
    if last is None:
        return SessionOutput()
    msg = next((m for m in map(_find_message, tail) if m and m.get("model") != "<synthetic>"), None)
    cwd, sid = str(last.get("cwd", "/")), str(last["sessionId"])
    s = _Session(cfg, rng, cwd, rel.split("/", 1)[0], sid)
    s.version = _esc(str(last.get("version", s.version)))
    s.branch = _esc(str(last.get("gitBranch", s.branch)))
    sidechain = last.get("isSidechain") is True
    agent = ""
    if sidechain:
        agent_id, slug = _esc(str(last.get("agentId", ""))), _esc(str(last.get("slug", "")))
        agent = f',"agentId":"{agent_id}","slug":"{slug}"'
    last_ms = to_ms(datetime.fromisoformat(str(last["timestamp"]).replace("Z", "+00:00")))
    model, ttl, prompt, last_out = SONNET_45, "1h", 0, 0
    if msg is not None:
        usage = msg["usage"]
        model = str(msg.get("model", SONNET_45))
        split = usage.get("cache_creation") or {}
        if split.get("ephemeral_5m_input_tokens", 0) and not split.get("ephemeral_1h_input_tokens"):
            ttl = "5m"
        prompt = sum(int(usage.get(k, 0)) for k in _PROMPT_KEYS)
        last_out = int(usage.get("output_tokens", 0))
    clock = last_ms + rng.randint(60_000, 45 * 60_000)
    th = _Thread(
        s,
        s.env(sidechain, agent),
        sidechain=sidechain,
        clock=clock,
        ttl=ttl,
        sys_tokens=rng.randint(14_000, 24_000),
    )
    th.parent = str(last["uuid"])
    th.prompt, th.last_out, th.last_req = prompt, last_out, last_ms
    if sidechain:
        th.user_prompt(rng.choice(_TASK_PROMPTS), meta="")
    _run_turns(th, model, n, agent=sidechain)
    s.out.files[rel] = th.lines
    return s.out


_PROMPT_KEYS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def append_requests(
    root: Path, *, seed: int, n_requests: int, tool_result_scale: float = 1.0
) -> list[TrueRequest]:
    """Append about `n_requests` new calls (complete lines) to the ends of many existing files.

    Each chosen file gets a few calls that continue its conversation (same session, cwd, agent,
    model; later timestamps; parentUuid chained). Files are never rewritten, so a reader can ingest
    only the new bytes. Returns the new billed calls. Sub-agents are not spawned.
    """
    files = sorted((root / "projects").rglob("*.jsonl"))
    if not files or n_requests <= 0:
        return []
    rng = random.Random(f"{seed}/append")
    k = min(len(files), max(1, n_requests // 3))
    chosen = sorted(rng.sample(files, k))
    per, extra = divmod(n_requests, k)
    cfg = TreeConfig(
        seed=seed,
        start_ms=0,
        days=1,
        subagents_per_session=0.0,
        tool_result_scale=tool_result_scale,
    )
    truths: list[TrueRequest] = []
    for j, path in enumerate(chosen):
        out = _continue_thread(root, path, seed, per + (j < extra), cfg)
        for lines in out.files.values():
            with path.open("rb+") as fh:
                fh.seek(0, 2)
                if fh.tell():
                    fh.seek(-1, 2)
                    if fh.read(1) != b"\n":
                        fh.write(b"\n")
                fh.write(("\n".join(lines) + "\n").encode())
        truths.extend(_to_truth(t) for t in out.truths)
    truths.sort(key=lambda t: (t.timestamp, t.message_id))
    return truths


# --------------------------------------------------------------------------- Messages API app logs


@dataclass(slots=True)
class _AppCall:
    workload: str
    model: str
    tier: str
    inp: int
    w5: int
    w1: int
    cr: int
    out: int
    ws: int
    stream: bool
    ttft: int
    latency: int
    thinking: bool
    tool_use: bool
    geo: str | None


def _draw_call(
    rng: random.Random, workload: str, long_context_share: float, allow_batch: bool
) -> _AppCall:
    """Model, usage and timing of one call of `workload` (see WORKLOADS)."""
    r = rng.random
    w5 = w1 = cr = ws = 0
    thinking = tool_use = False
    tier = "standard"
    if workload == "support-chatbot":
        model = HAIKU_45 if r() < 0.15 else SONNET_45
        inp = rng.randint(30, 800)
        cr = rng.randint(8_000, 14_000) if r() < 0.85 else 0
        w5 = rng.randint(1_000, 3_000) if cr == 0 or r() < 0.1 else 0
        out = int(_lognorm(rng, 220, 0.6))
        stream = True
    elif workload == "planner":
        model = OPUS_45
        inp = rng.randint(800, 4_000)
        cr = rng.randint(5_000, 30_000) if r() < 0.7 else 0
        w5 = rng.randint(1_000, 6_000) if r() < 0.4 else 0
        out = int(_lognorm(rng, 1_100, 0.6))
        stream = r() < 0.3
        thinking = True
        tool_use = r() < 0.5
    elif workload == "planner-subagent":
        model = SONNET_45 if r() < 0.6 else HAIKU_45
        inp = rng.randint(500, 8_000)
        cr = rng.randint(2_000, 15_000) if r() < 0.5 else 0
        w5 = rng.randint(500, 4_000) if r() < 0.3 else 0
        out = int(_lognorm(rng, 450, 0.7))
        stream = False
        tool_use = r() < 0.3
    elif workload == "docs-qa":
        model = SONNET_4
        ws = rng.randint(1, 3) if r() < 0.35 else 0
        inp = rng.randint(1_500, 9_000) + ws * rng.randint(2_000, 5_000)
        cr = rng.randint(1_000, 6_000) if r() < 0.3 else 0
        out = int(_lognorm(rng, 450, 0.6))
        stream = r() < 0.5
    elif workload == "json-extraction":
        model = SONNET_45
        inp = rng.randint(800, 6_000)
        cr = 1_500 if r() < 0.5 else 0
        out = int(_lognorm(rng, 250, 0.6))
        stream = False
        if allow_batch and r() < 0.4:
            tier = "batch"
    elif workload == "code-review":
        model = SONNET_45 if r() < 0.65 else OPUS_45
        inp = rng.randint(2_000, 20_000)
        w1 = rng.randint(20_000, 90_000)
        cr = rng.randint(5_000, 60_000) if r() < 0.6 else 0
        out = int(_lognorm(rng, 1_500, 0.6))
        stream = r() < 0.7
        thinking = model == OPUS_45
        if long_context_share and model == SONNET_45 and r() < long_context_share:
            cr = rng.randint(200_001, 400_000) - inp - w1
    else:
        raise ValueError(f"unknown workload {workload!r}")
    out = max(out, 5)
    if model == HAIKU_45:
        ttft, speed = rng.randint(300, 800), rng.uniform(100, 160)
    elif model == OPUS_45:
        ttft, speed = rng.randint(600, 1_500), rng.uniform(30, 50)
    else:
        ttft, speed = rng.randint(400, 1_200), rng.uniform(50, 80)
    latency = ttft + int(out / speed * 1000) + rng.randint(10, 200) + ws * rng.randint(800, 2_500)
    geo = "not_available" if r() < 0.05 else None
    return _AppCall(
        workload,
        model,
        tier,
        inp,
        w5,
        w1,
        cr,
        out,
        ws,
        stream,
        ttft,
        latency,
        thinking,
        tool_use,
        geo,
    )


def _app_tags(rng: random.Random, workload: str) -> dict[str, str]:
    """Tags whose default resolution (first of workload, feature, app) is `workload`."""
    r = rng.random()
    tags: dict[str, str] = {}
    if r < 0.70:
        tags["workload"] = workload
        if rng.random() < 0.3:
            tags["app"] = "acme-backend"
        if rng.random() < 0.25:
            tags["feature"] = rng.choice(("triage", "summarise", "extract", "answer"))
    elif r < 0.85:
        tags["app"] = "acme-backend"
        tags["feature"] = workload
    else:
        tags["app"] = workload
    tags["env"] = "prod" if rng.random() < 0.9 else "staging"
    if workload == "planner":
        tags["agent_role"] = "orchestrator"
    elif workload == "planner-subagent":
        tags["agent_role"] = "subagent"
        tags["parent_workload"] = "planner"
    return tags


def _usage(c: _AppCall, output_tokens: int) -> dict[str, object]:
    usage: dict[str, object] = {
        "input_tokens": c.inp,
        "cache_creation_input_tokens": c.w5 + c.w1,
        "cache_read_input_tokens": c.cr,
        "cache_creation": {"ephemeral_5m_input_tokens": c.w5, "ephemeral_1h_input_tokens": c.w1},
        "output_tokens": output_tokens,
    }
    if c.ws or c.workload == "docs-qa":
        usage["server_tool_use"] = {"web_search_requests": c.ws, "web_fetch_requests": 0}
    usage["service_tier"] = c.tier
    if c.geo is not None:
        usage["inference_geo"] = c.geo
    return usage


def _content(rng: random.Random, c: _AppCall) -> list[dict[str, object]]:
    """Placeholder content blocks: no prompt or answer text, only the block shapes."""
    blocks: list[dict[str, object]] = []
    if c.thinking:
        sig = "".join(rng.choices(_B64, k=48))
        blocks.append({"type": "thinking", "thinking": "", "signature": sig})
    for _ in range(c.ws):
        sid = "srvtoolu_01" + _b58(rng, 22)
        blocks.append({"type": "server_tool_use", "id": sid, "name": "web_search", "input": {}})
        blocks.append({"type": "web_search_tool_result", "tool_use_id": sid, "content": []})
    blocks.append({"type": "text", "text": "..."})
    if c.tool_use:
        blocks.append(
            {"type": "tool_use", "id": _tool_id(rng), "name": "dispatch_subtask", "input": {}}
        )
    return blocks


def _dump(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _app_times(rng: random.Random, start: datetime, days: int, n: int) -> list[int]:
    start_ms = to_ms(start)
    return sorted(_day_time(rng, start_ms, days) for _ in range(n))


_ERRORS = (
    ("overloaded_error", "Overloaded", 529),
    ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", 429),
    ("api_error", "Internal server error", 500),
)


def messages_log(
    path: Path,
    *,
    seed: int,
    start: datetime,
    days: int,
    n_requests: int,
    long_context_share: float = 0.0,
    bare_share: float = 0.03,
    error_share: float = 0.02,
    duplicate_share: float = 0.015,
) -> list[TrueAppRequest]:
    """Write an app-side Messages API log (JSON lines) and return its billed calls.

    Mix: wrapper records `{ts, request_id, latency_ms, ttft_ms, stream, tags, request, response}`,
    a few bare Message objects, error records (no response, not billed) and calls logged twice
    (identical line, counted once). `n_requests` counts records before duplication, errors
    included. Result is in file order.
    """
    rng = random.Random(f"{seed}/messages")
    names = [w for w, _ in WORKLOADS]
    weights = [p for _, p in WORKLOADS]
    lines: list[str] = []
    replay: list[tuple[int, str]] = []
    truths: list[TrueAppRequest] = []
    for ts_ms in _app_times(rng, start, days, n_requests):
        workload = rng.choices(names, weights)[0]
        c = _draw_call(rng, workload, long_context_share, allow_batch=True)
        rid = _req_id(rng)
        mid = _msg_id(rng)
        kind = rng.random()
        tags = _app_tags(rng, workload)
        requested = _ALIASES[c.model] if rng.random() < 0.6 else c.model
        max_tokens = next(m for m in (1024, 2048, 4096, 8192, 16_000, 32_000) if m >= c.out)
        batch = c.tier == "batch"
        latency = None if batch else c.latency
        ttft = c.ttft if c.stream else None
        stop = "tool_use" if c.tool_use else "end_turn"
        message = {
            "id": mid,
            "type": "message",
            "role": "assistant",
            "model": c.model,
            "content": _content(rng, c),
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": _usage(c, c.out),
        }
        record: dict[str, object] = {
            "ts": iso_ms(ts_ms),
            "request_id": rid,
            "latency_ms": latency,
            "ttft_ms": ttft,
            "stream": c.stream,
            "tags": tags,
            "request": {"model": requested, "max_tokens": max_tokens},
        }
        if kind < error_share:
            etype, emsg, _status = rng.choice(_ERRORS)
            record["latency_ms"] = rng.randint(200, 30_000)
            record["ttft_ms"] = None
            err = {"type": "error", "error": {"type": etype, "message": emsg}, "request_id": rid}
            record["error"] = err
            line = _dump(record)
        elif kind < error_share + bare_share:
            line = _dump(message)
            truths.append(_app_truth(c, mid, None, None, None, None, None))
        else:
            record["response"] = message
            line = _dump(record)
            truths.append(_app_truth(c, mid, rid, ts_ms, _resolve(tags), latency, ttft))
        lines.append(line)
        if rng.random() < duplicate_share:
            replay.append((len(lines) + rng.randint(0, 20), line))
        while replay and replay[0][0] <= len(lines):
            lines.append(replay.pop(0)[1])
    lines.extend(line for _, line in replay)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truths


def _resolve(tags: dict[str, str]) -> str | None:
    """The default workload rule: the first present of `workload`, `feature`, `app`."""
    return next((tags[k] for k in ("workload", "feature", "app") if k in tags), None)


def _app_truth(
    c: _AppCall,
    mid: str,
    rid: str | None,
    ts_ms: int | None,
    workload: str | None,
    latency: int | None,
    ttft: int | None,
) -> TrueAppRequest:
    return TrueAppRequest(
        message_id=mid,
        request_id=rid,
        model=c.model,
        timestamp=None if ts_ms is None else from_ms(ts_ms),
        workload=workload,
        service_tier=c.tier,
        input_tokens=c.inp,
        cache_write_5m=c.w5,
        cache_write_1h=c.w1,
        cache_read=c.cr,
        output_tokens=c.out,
        web_search_requests=c.ws,
        latency_ms=latency,
        ttft_ms=ttft,
        is_subagent=c.workload == "planner-subagent",
    )


def stream_events_log(
    path: Path,
    *,
    seed: int,
    start: datetime,
    days: int,
    n_requests: int,
    with_tags: bool = True,
    long_context_share: float = 0.0,
) -> list[TrueAppRequest]:
    """Write a streaming-event log (one line per SSE event) and return its billed calls.

    Each call is message_start (input and cache counts, output_tokens 1), content_block_*
    events, message_delta with cumulative usage (final output_tokens; input counts repeated on
    some) and message_stop. Lines of overlapping calls interleave, as a busy app writes them.
    """
    rng = random.Random(f"{seed}/stream")
    names = [w for w, _ in WORKLOADS]
    weights = [p for _, p in WORKLOADS]
    events: list[tuple[int, int, str]] = []
    truths: list[TrueAppRequest] = []
    for ts_ms in _app_times(rng, start, days, n_requests):
        workload = rng.choices(names, weights)[0]
        c = _draw_call(rng, workload, long_context_share, allow_batch=False)
        c.stream = True
        rid = _req_id(rng)
        mid = _msg_id(rng)
        tags = _app_tags(rng, workload) if with_tags else None
        prefix = f'{{"ts":"{{ts}}","request_id":"{rid}",'
        if tags is not None:
            prefix += f'"tags":{_dump(tags)},'
        seq = len(events)
        out_lines: list[tuple[int, dict[str, object]]] = []
        start_usage = _usage(c, 1)
        start_usage.pop("server_tool_use", None)
        first: dict[str, object] = {
            "type": "message_start",
            "message": {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": c.model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": start_usage,
            },
        }
        out_lines.append((ts_ms, first))
        t_first = ts_ms + c.ttft
        t_end = max(ts_ms + c.latency, t_first + 20)
        if rng.random() < 0.5:
            ping: dict[str, object] = {"type": "ping"}
            out_lines.append((ts_ms + rng.randint(1, max(1, c.ttft - 1)), ping))
        block_events = _block_events(rng, c)
        span = t_end - 10 - t_first
        for j, ev in enumerate(block_events):
            out_lines.append((t_first + span * j // len(block_events), ev))
        final_usage: dict[str, object] = {}
        if rng.random() < 0.6:
            final_usage = {k: start_usage[k] for k in _PROMPT_KEYS}
        final_usage["output_tokens"] = c.out
        if c.ws or c.workload == "docs-qa":
            final_usage["server_tool_use"] = {"web_search_requests": c.ws, "web_fetch_requests": 0}
        stop = "tool_use" if c.tool_use else "end_turn"
        delta: dict[str, object] = {"stop_reason": stop, "stop_sequence": None}
        last_delta: dict[str, object] = {"type": "message_delta", "delta": delta}
        last_delta["usage"] = final_usage
        stop_event: dict[str, object] = {"type": "message_stop"}
        out_lines += [(t_end - 5, last_delta), (t_end, stop_event)]
        for k, (t, ev) in enumerate(out_lines):
            line = prefix.replace("{ts}", iso_ms(t)) + f'"event":{_dump(ev)}}}'
            events.append((t, seq + k, line))
        latency = t_end - ts_ms
        truths.append(_app_truth(c, mid, rid, ts_ms, _resolve(tags or {}), latency, c.ttft))
    events.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(line for _, _, line in events) + "\n", encoding="utf-8")
    return truths


def _block_events(rng: random.Random, c: _AppCall) -> list[dict[str, object]]:
    """content_block_start/delta/stop events for the call's placeholder content."""
    evs: list[dict[str, object]] = []
    for index, block in enumerate(_content(rng, c)):
        kind = block["type"]
        if kind == "thinking":
            evs.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "thinking", "thinking": ""},
                }
            )
            evs.append(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "thinking_delta", "thinking": "..."},
                }
            )
            evs.append(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "signature_delta", "signature": block["signature"]},
                }
            )
        elif kind in ("server_tool_use", "tool_use"):
            evs.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {**block, "input": {}},
                }
            )
            evs.append(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": "{}"},
                }
            )
        elif kind == "text":
            evs.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                }
            )
            for _ in range(rng.randint(1, 3)):
                evs.append(
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": "..."},
                    }
                )
        else:
            evs.append({"type": "content_block_start", "index": index, "content_block": block})
        evs.append({"type": "content_block_stop", "index": index})
    return evs


# --------------------------------------------------------------------------- malformed lines

MALFORMED_KINDS = ("truncated", "wrong_type", "invalid_utf8", "missing_usage")


def _find_message(obj: object) -> dict[str, Any] | None:
    """The Message dict inside a Claude Code line, app record, bare Message or stream event."""
    if not isinstance(obj, dict):
        return None
    for cand in (obj.get("message"), obj.get("response"), obj):
        if isinstance(cand, dict) and isinstance(cand.get("usage"), dict) and "id" in cand:
            return cand
    event = obj.get("event")
    if isinstance(event, dict):
        return _find_message(event)
    return None


def _malformed(kind: str, base: bytes, rng: random.Random) -> bytes:
    text = base.decode("utf-8")
    if kind == "truncated":
        return text[: int(len(text) * rng.uniform(0.3, 0.8))].encode()
    obj = json.loads(text)
    msg = _find_message(obj)
    assert msg is not None
    msg["id"] = _msg_id(rng)
    for key in ("requestId", "request_id"):
        if key in obj:
            obj[key] = _req_id(rng)
    usage = msg["usage"]
    assert isinstance(usage, dict)
    if kind == "wrong_type":
        usage["input_tokens"] = "lots"
        return _dump(obj).encode()
    if kind == "missing_usage":
        del msg["usage"]
        return _dump(obj).encode()
    # invalid_utf8: a line that bills nothing, so readers may skip or repair it
    marker = "@@BAD@@"
    if "sessionId" in obj:
        bad: dict[str, object] = {
            k: obj[k]
            for k in (
                "isSidechain",
                "userType",
                "cwd",
                "sessionId",
                "version",
                "gitBranch",
                "agentId",
                "slug",
            )
            if k in obj
        }
        bad = {"parentUuid": None, **bad, "type": "user"}
        bad["message"] = {"role": "user", "content": marker}
        bad["uuid"] = _uuid(rng)
        bad["timestamp"] = obj.get("timestamp")
    elif "event" in obj:
        bad = {"ts": obj.get("ts"), "request_id": _req_id(rng), "event": {"type": "ping"}}
        bad["note"] = marker
    else:
        err = {"type": "error", "error": {"type": "api_error", "message": marker}}
        bad = {"ts": obj.get("ts"), "request_id": _req_id(rng), "error": err}
    return _dump(bad).encode().replace(marker.encode(), b"caf\xe9 \xff\xfe total")


def inject_malformed(path: Path, *, seed: int, n: int) -> list[int]:
    """Insert `n` bad lines into a JSONL file; return their 1-based line numbers, ascending.

    Kinds cycle through MALFORMED_KINDS: a truncated copy of a usage line, a usage line with
    `"input_tokens":"lots"`, a non-billing line with invalid UTF-8 bytes, and a usage line without
    `usage`. Lines are inserted, never replaced, and the complete ones carry fresh ids, so the
    file's ground truth does not change.
    """
    rng = random.Random(f"{seed}/malformed/{path.name}")
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    bases = [
        raw
        for raw in lines
        if b'"usage":{' in raw and b"<synthetic>" not in raw and _find_message(_loads(raw))
    ]
    if not bases:
        raise ValueError(f"{path}: no line with usage to base malformed lines on")
    kinds = [MALFORMED_KINDS[i % len(MALFORMED_KINDS)] for i in range(n)]
    rng.shuffle(kinds)
    positions = sorted(rng.sample(range(1, len(lines) + n + 1), n))
    bad = {
        pos: _malformed(kind, rng.choice(bases), rng)
        for pos, kind in zip(positions, kinds, strict=True)
    }
    good = iter(lines)
    merged = [bad[no] if no in bad else next(good) for no in range(1, len(lines) + n + 1)]
    path.write_bytes(b"\n".join(merged) + b"\n")
    return positions


def _loads(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return None
