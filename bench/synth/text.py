"""Text pools for Claude Code lines: words, prompts, code, shell output and prose, escaped
once for the string templates."""

from __future__ import annotations

import random
from functools import cache

from bench.synth.common import B64, json_escape

_WORD_TEXT = (
    "invoice total amount customer order item price tax discount ledger account balance refund "
    "payment status config handler request response client server cache queue worker retry "
    "timeout user session token parser schema record batch export report metric latency region "
    "tenant webhook event stream buffer index query filter limit offset cursor page result error"
)
WORDS = tuple(_WORD_TEXT.split(" "))
_DIRS = ("billing", "api", "core", "services", "tests", "utils", "models", "jobs", "web", "db")
EXTS = (".py", ".py", ".py", ".ts", ".tsx", ".sql", ".md", ".toml", ".go")
PROMPTS = tuple(
    json_escape(p)
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
TASK_PROMPTS = tuple(
    json_escape(p)
    for p in (
        "Locate all invoice total computations",
        "Find every caller of the retry helper and list them with file:line",
        "Search the repo for places that build SQL with string formatting",
        "Map the modules that import services.cache",
        "Find the tests that cover pagination",
        "Investigate how webhooks are signed and verified",
    )
)
COMMANDS = tuple(
    json_escape(c)
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
SUMMARIES = tuple(
    json_escape(s)
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
ADJ = ("quiet", "brave", "lucky", "swift", "gentle", "bold", "calm", "eager", "merry", "wise")
VERBS = ("sorting", "hopping", "reading", "mapping", "tracing", "weaving", "digging", "humming")
ANIMALS = ("heron", "otter", "lynx", "badger", "finch", "marmot", "gecko", "ibis", "wombat")


def text_slice(pool: str, rng: random.Random, size: int) -> str:
    """A random substring of an escaped pool that is itself a valid JSON string body.

    Pools hold no quotes or backslashes other than the two-character `\\n` escape, so only a cut
    after a lone backslash needs fixing.
    """
    size = min(size, len(pool) - 1)
    a = rng.randrange(len(pool) - size)
    s = pool[a : a + size]
    return s[:-1] if s.endswith("\\") else s


@cache
def code_pool() -> str:
    """~1.5 MB of line-numbered code, as the Read tool returns it (escaped)."""
    rng = random.Random(101)
    w = WORDS
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
def shell_pool() -> str:
    """~400 KB of test-runner and git output (escaped)."""
    rng = random.Random(102)
    out: list[str] = []
    size = 0
    while size < 400_000:
        a, b = rng.choice(WORDS), rng.choice(WORDS)
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
def prose_pool() -> str:
    """~200 KB of assistant-style sentences (plain ASCII, escaped)."""
    rng = random.Random(103)
    verbs = ("update", "read", "check", "refactor", "test", "rename", "move", "simplify", "fix")
    out: list[str] = []
    size = 0
    while size < 200_000:
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        k = rng.randrange(5)
        if k == 0:
            s = f"I'll {rng.choice(verbs)} the {a} {b} in {rng.choice(_DIRS)}/{a}.py next."
        elif k == 1:
            s = f"The {a} handler computes the {b} before the {rng.choice(WORDS)} is known."
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
def sig_pool() -> str:
    """Base64 characters for thinking-block signatures."""
    rng = random.Random(104)
    return "".join(rng.choices(B64, k=200_000))


@cache
def rel_paths() -> tuple[str, ...]:
    rng = random.Random(105)
    return tuple(
        f"{rng.choice(_DIRS)}/{rng.choice(WORDS)}_{rng.choice(WORDS)}{rng.choice(EXTS)}"
        for _ in range(300)
    )
