"""The turns of a Claude Code thread: tool calls and results, the final answer, and
sub-agents (a sub-agent runs turns of its own, so the three call each other)."""

from __future__ import annotations

from collections.abc import Sequence

from bench.synth.cc_session import Session, Thread
from bench.synth.common import AGENT_MODELS, HAIKU_45, HOUR_MS, MAIN_MODELS, lognormal, new_tool_id
from bench.synth.text import (
    ADJ,
    ANIMALS,
    COMMANDS,
    EXTS,
    PROMPTS,
    TASK_PROMPTS,
    VERBS,
    WORDS,
    text_slice,
)

_MAIN_TOOLS = ("Read", "Bash", "Edit", "Grep", "Glob", "Write", "TodoWrite")
_MAIN_TOOL_W = (35, 20, 15, 10, 5, 5, 5)
_AGENT_TOOLS = ("Read", "Grep", "Glob", "Bash")
_AGENT_TOOL_W = (45, 30, 15, 10)


def _tool(th: Thread, name: str) -> tuple[str, str, str, int, int]:
    """A tool call: (tool_use block input, result content, toolUseResult extra, tokens, output)."""
    s = th.s
    rng = th.rng
    scale = s.cfg.tool_result_scale
    if name == "Read":
        p = s.path()
        body = text_slice(s.code, rng, int(min(20_000, max(150, lognormal(rng, 550 * scale, 0.9)))))
        nl = body.count("\\n") + 1
        extra = (
            f',"toolUseResult":{{"type":"text","file":{{"filePath":"{p}","content":"{body}",'
            f'"numLines":{nl},"startLine":1,"totalLines":{nl + rng.randrange(300)}}}}}'
        )
        return f'{{"file_path":"{p}"}}', f'"{body}"', extra, len(body) // 4, rng.randint(40, 160)
    if name == "Bash":
        cmd = rng.choice(COMMANDS)
        body = text_slice(s.shell, rng, int(min(20_000, max(40, lognormal(rng, 400 * scale, 1.0)))))
        extra = (
            f',"toolUseResult":{{"stdout":"{body}","stderr":"","interrupted":false,'
            '"isImage":false}'
        )
        inp = f'{{"command":"{cmd}","description":"Run {cmd.split(" ")[0]}"}}'
        return inp, f'"{body}"', extra, len(body) // 4, rng.randint(40, 200)
    if name == "Edit":
        p = s.path()
        old = text_slice(s.code, rng, rng.randint(40, 500))
        new = text_slice(s.code, rng, rng.randint(40, 700))
        snippet = text_slice(s.code, rng, int(lognormal(rng, 350 * scale, 0.5)) + 100)
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
            inp = f'{{"pattern":"{rng.choice(WORDS)}","output_mode":"files_with_matches"}}'
            extra = ',"toolUseResult":{"mode":"files_with_matches","filenames":['
        else:
            inp = f'{{"pattern":"**/*{rng.choice(EXTS)}"}}'
            extra = ',"toolUseResult":{"durationMs":' + str(rng.randint(3, 90)) + ',"filenames":['
        extra += ",".join(f'"{f}"' for f in files) + f'],"numFiles":{k}}}'
        body = f"Found {k} files\\n" + "\\n".join(files)
        return inp, f'"{body}"', extra, len(body) // 4, rng.randint(30, 90)
    if name == "Write":
        p = s.path()
        content = text_slice(s.code, rng, int(min(12_000, lognormal(rng, 700 * scale, 0.8))) + 50)
        extra = (
            f',"toolUseResult":{{"type":"create","filePath":"{p}","content":"{content}",'
            '"structuredPatch":[]}'
        )
        body = f"File created successfully at: {p}"
        inp = f'{{"file_path":"{p}","content":"{content}"}}'
        return inp, f'"{body}"', extra, 20, len(content) // 4 + 40
    # TodoWrite
    todos = ",".join(
        f'{{"content":"{text_slice(s.prose, rng, rng.randint(20, 70)).strip()}",'
        f'"status":"{rng.choice(("pending", "in_progress", "completed"))}",'
        f'"activeForm":"Working on {rng.choice(WORDS)}"}}'
        for _ in range(rng.randint(2, 6))
    )
    body = (
        "Todos have been modified successfully. Ensure that you continue to use the todo list "
        "to track your progress. Please proceed with the current tasks if applicable"
    )
    extra = f',"toolUseResult":{{"oldTodos":[],"newTodos":[{todos}]}}'
    return f'{{"todos":[{todos}]}}', f'"{body}"', extra, 60, len(todos) // 4 + 20


def _tool_turn_request(
    th: Thread, model: str, tools: Sequence[str], weights: Sequence[int]
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
        tid = new_tool_id(rng)
        prompt = rng.choice(TASK_PROMPTS)
        kind = rng.choice(("Explore", "general-purpose"))
        desc = prompt[:30].strip()
        inp = f'{{"description":"{desc}","prompt":"{prompt}","subagent_type":"{kind}"}}'
        blocks.append(f'{{"type":"tool_use","id":"{tid}","name":"Task","input":{inp}}}')
        out += 60 + len(prompt) // 4
    else:
        n_tools = 2 if rng.random() < 0.12 else 1
        for name in rng.choices(tools, weights=weights, k=n_tools):
            tid = new_tool_id(rng)
            inp, content, extra, tokens, o = _tool(th, name)
            blocks.append(f'{{"type":"tool_use","id":"{tid}","name":"{name}","input":{inp}}}')
            calls.append((tid, content, extra, name, tokens))
            out += o
    src = th.request(model, blocks, "tool_use", out)
    if task:
        agent_end, agent_tokens, agent_tools = _subagent(s, th.clock + rng.randint(50, 400), prompt)
        th.clock = agent_end + rng.randint(100, 900)
        agent_id = s.last_agent
        report = text_slice(s.prose, rng, rng.randint(300, 3_000))
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


def _final_request(th: Thread, model: str) -> None:
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


def run_turns(th: Thread, model: str, n_requests: int, *, agent: bool) -> str:
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
                gap = rng.randint(1 * HOUR_MS, 3 * HOUR_MS) if rng.random() < 0.04 else 0
                th.tick(10_000 + gap, 600_000 + gap)
            th.user_prompt(rng.choice(PROMPTS))
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


def _subagent(s: Session, clock: int, prompt: str) -> tuple[int, int, int]:
    """Write a Task sub-agent file; return (end clock, total tokens, tool-use count)."""
    rng = s.rng
    agent_id = f"{rng.getrandbits(28):07x}"
    while f"agent-{agent_id}" in s.agent_names:
        agent_id = f"{rng.getrandbits(28):07x}"
    s.agent_names.add(f"agent-{agent_id}")
    slug = f"{rng.choice(ADJ)}-{rng.choice(VERBS)}-{rng.choice(ANIMALS)}"
    env = s.env(True, f',"agentId":"{agent_id}","slug":"{slug}"')
    ttl = "1h" if rng.random() < 0.6 else "5m"
    sys_tokens = rng.randint(6_000, 12_000)
    th = Thread(s, env, sidechain=True, clock=clock, ttl=ttl, sys_tokens=sys_tokens)
    model = rng.choices([m for m, _ in AGENT_MODELS], [w for _, w in AGENT_MODELS])[0]
    n = max(2, int(lognormal(rng, s.cfg.agent_requests, 0.6)))
    first_truth = len(s.out.truths)
    th.user_prompt(prompt, meta="")
    run_turns(th, model, n, agent=True)
    s.out.files[f"{s.project}/{s.sid}/subagents/agent-{agent_id}.jsonl"] = th.lines
    s.out.end_ms = max(s.out.end_ms, th.clock)
    s.last_agent = agent_id
    mine = s.out.truths[first_truth:]
    total = sum(t[7] + t[8] + t[9] + t[10] + t[11] for t in mine[-1:])
    return th.clock, total, n - 1
