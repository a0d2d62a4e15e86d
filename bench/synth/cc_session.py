"""One Claude Code session being generated: its settings, identity and the lines and
prompt-cache state of each transcript file (a thread)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from bench.synth.common import (
    HOUR_MS,
    LONG_CONTEXT_MODELS,
    OUT_SPEED,
    inference_geo,
    iso_ms,
    json_escape,
    lognormal,
    new_msg_id,
    new_req_id,
    new_uuid,
)
from bench.synth.text import (
    WORDS,
    code_pool,
    prose_pool,
    rel_paths,
    shell_pool,
    sig_pool,
    text_slice,
)


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
def project_dirs(seed: int, n: int) -> tuple[tuple[str, str], ...]:
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


class Session:
    """Identity and shared state of one Claude Code session being generated."""

    def __init__(self, cfg: TreeConfig, rng: random.Random, cwd: str, project: str, sid: str):
        self.cfg = cfg
        self.rng = rng
        self.cwd = cwd
        self.project = project
        self.sid = sid
        self.out = SessionOutput()
        self.code = code_pool()
        self.shell = shell_pool()
        self.prose = prose_pool()
        self.sigs = sig_pool()
        self.paths = rel_paths()
        self.p_task = 0.0
        self.agent_names: set[str] = set()
        self.last_agent = ""
        self.cwd_esc = json_escape(cwd)
        self.version = rng.choice(("2.1.270", "2.1.281", "2.1.290"))
        feature = f"feat/{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        self.branch = "main" if rng.random() < 0.6 else feature

    def env(self, sidechain: bool, agent: str = "") -> str:
        side = "true" if sidechain else "false"
        return (
            f'"isSidechain":{side},"userType":"external","cwd":"{self.cwd_esc}",'
            f'"sessionId":"{self.sid}","version":"{self.version}","gitBranch":"{self.branch}"{agent}'
        )

    def path(self) -> str:
        return f"{self.cwd_esc}/{self.rng.choice(self.paths)}"


class Thread:
    """Lines of one transcript file plus the prompt-cache state of its conversation."""

    def __init__(
        self, s: Session, env: str, *, sidechain: bool, clock: int, ttl: str, sys_tokens: int
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
        u = new_uuid(self.rng)
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
        u = new_uuid(self.rng)
        self.lines.append(
            f'{self.head()}"type":"user","message":{{"role":"user","content":[{{"tool_use_id":'
            f'"{tool_id}","type":"tool_result","content":{content}}}]}},"uuid":"{u}",'
            f'"timestamp":"{iso_ms(self.clock)}"{extra},"sourceToolAssistantUUID":"{source}"}}'
        )
        self.parent = u
        self.pending += tokens

    def synthetic_error(self) -> None:
        """A local API-error line: model `<synthetic>`, zero usage, never billed."""
        u = new_uuid(self.rng)
        self.lines.append(
            f'{self.head()}"message":{{"id":"{new_uuid(self.rng)}","model":"<synthetic>",'
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
        u = new_uuid(rng)
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
        summary = text_slice(self.s.prose, rng, rng.randint(2_000, 6_000))
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
            ttl_ms = 300_000 if self.ttl == "5m" else HOUR_MS
            cold = self.clock - self.last_req > ttl_ms
            cache_read = (self.sys_cached if rng.random() < 0.7 else 0) if cold else self.prompt
        cache_read = min(cache_read, total)  # a prompt never reads more than it holds
        inp = min(rng.randint(1, 12), total - cache_read)
        cw = total - cache_read - inp
        prompt_after = total
        share = s.cfg.long_context_share
        if share and model in LONG_CONTEXT_MODELS and rng.random() < share:
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
        mid = new_msg_id(rng)
        rid = new_req_id(rng)
        speed = OUT_SPEED.get(model, 60.0)
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
            u = new_uuid(rng)
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
        sig = text_slice(self.s.sigs, self.rng, self.rng.randint(100, 700))
        return (
            f'{{"type":"thinking","thinking":"","signature":"{sig}"}}',
            int(lognormal(self.rng, 400, 0.9)),
        )

    def text(self, lo: int, hi: int) -> tuple[str, int]:
        body = text_slice(self.s.prose, self.rng, self.rng.randint(lo, hi))
        return f'{{"type":"text","text":"{body}"}}', len(body) // 4 + 5


_API_ERRORS = tuple(
    json_escape(t)
    for t in (
        'API Error: 529 {"type":"error","error":{"type":"overloaded_error",'
        '"message":"Overloaded"}}',
        'API Error: 500 {"type":"error","error":{"type":"api_error",'
        '"message":"Internal server error"}}',
        "API Error: Request timed out.",
    )
)
