"""Claude Code transcript trees: sessions with sub-agent files and resumed copies, written
to `<root>/projects/<project>/<session>.jsonl`, and requests appended to a tree already written."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.synth.cc_session import Session, SessionOutput, Thread, TreeConfig, project_dirs
from bench.synth.cc_turns import run_turns
from bench.synth.common import (
    DAY_MS,
    HOUR_MS,
    MAIN_MODELS,
    PROMPT_KEYS,
    SONNET_45,
    TrueRequest,
    day_time_ms,
    find_message,
    from_ms,
    json_escape,
    lognormal,
    new_uuid,
    to_ms,
)
from bench.synth.text import SUMMARIES, TASK_PROMPTS


def _session_identity(
    cfg: TreeConfig, index: int, resume_from: int | None = None
) -> tuple[random.Random, str, str, str]:
    """The session's RNG after its identity draws, with (cwd, project-dir, session id).

    A resumed session lives in the project of the session it resumes.
    """
    rng = random.Random(f"{cfg.seed}/session/{index}")
    projects = project_dirs(cfg.seed, cfg.n_projects)
    weights = [1 / (k + 1) for k in range(len(projects))]
    cwd, project = rng.choices(projects, weights)[0]
    sid = new_uuid(rng)
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
    s = Session(cfg, rng, cwd, project, sid)
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
            f'{{"type":"summary","summary":"{rng.choice(SUMMARIES)}","leafUuid":"{parent}"}}'
        )
        lines.extend(line.replace(old, new) for line in src_main[:cut])
        start = cut_clock + rng.randint(300_000, 2 * DAY_MS)
        window_start = cut_clock + 60_000
    else:
        parent = None
        start = day_time_ms(rng, cfg.start_ms, cfg.days)
        if rng.random() < 0.06:  # late-evening sessions that run past midnight
            start = start - start % DAY_MS + 22 * HOUR_MS + rng.randrange(110 * 60_000)
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            lines.append(
                f'{{"type":"summary","summary":"{rng.choice(SUMMARIES)}",'
                f'"leafUuid":"{new_uuid(rng)}"}}'
            )
    if start_override is not None:
        start = start_override
    s.out.start_ms = start
    s.out.earliest_start_ms = window_start
    n_main = max(2, int(lognormal(rng, cfg.requests_per_session, 0.6)))
    s.p_task = cfg.subagents_per_session / max(1.0, n_main * 0.87)
    ttl = rng.choices(("1h", "5m", "mix"), (0.85, 0.10, 0.05))[0]
    sys_tokens = rng.randint(14_000, 24_000)
    th = Thread(s, s.env(False), sidechain=False, clock=start, ttl=ttl, sys_tokens=sys_tokens)
    th.lines = lines
    th.parent = parent
    if resume_from is not None:
        th.pending = rng.randint(20_000, 90_000)  # the reloaded conversation
    model = rng.choices([m for m, _ in MAIN_MODELS], [w for _, w in MAIN_MODELS])[0]
    run_turns(th, model, n_main, agent=False)
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
    window_end = cfg.start_ms + cfg.days * DAY_MS
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
    msg = next((m for m in map(find_message, tail) if m and m.get("model") != "<synthetic>"), None)
    cwd, sid = str(last.get("cwd", "/")), str(last["sessionId"])
    s = Session(cfg, rng, cwd, rel.split("/", 1)[0], sid)
    s.version = json_escape(str(last.get("version", s.version)))
    s.branch = json_escape(str(last.get("gitBranch", s.branch)))
    sidechain = last.get("isSidechain") is True
    agent = ""
    if sidechain:
        agent_id, slug = (
            json_escape(str(last.get("agentId", ""))),
            json_escape(str(last.get("slug", ""))),
        )
        agent = f',"agentId":"{agent_id}","slug":"{slug}"'
    last_ms = to_ms(datetime.fromisoformat(str(last["timestamp"]).replace("Z", "+00:00")))
    model, ttl, prompt, last_out = SONNET_45, "1h", 0, 0
    if msg is not None:
        usage = msg["usage"]
        model = str(msg.get("model", SONNET_45))
        split = usage.get("cache_creation") or {}
        if split.get("ephemeral_5m_input_tokens", 0) and not split.get("ephemeral_1h_input_tokens"):
            ttl = "5m"
        prompt = sum(int(usage.get(k, 0)) for k in PROMPT_KEYS)
        last_out = int(usage.get("output_tokens", 0))
    clock = last_ms + rng.randint(60_000, 45 * 60_000)
    th = Thread(
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
        th.user_prompt(rng.choice(TASK_PROMPTS), meta="")
    run_turns(th, model, n, agent=sidechain)
    s.out.files[rel] = th.lines
    return s.out


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
