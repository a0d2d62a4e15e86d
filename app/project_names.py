"""Readable names for Claude Code projects (display only; the stored value never changes).

Claude Code keeps each project's transcripts in a folder named after the project's path with
every `/` (and `.`, and `\\` and `:` on Windows) turned into `-`: `/home/alice/code/billing-core`
becomes `-home-alice-code-billing-core`.  The encoding cannot be undone exactly (`billing-core`
and `billing/core` encode alike), so the name shown is worked out by a stated rule:

1. drop the home prefix: `home USER`, `Users USER` (macOS), `root`, or `C Users USER` (Windows);
2. drop leading folders that usually hold projects (`code`, `src`, `work`, `projects`, `repos`,
   `git`, `dev`, `workspace`, `github`, `Documents`, `Desktop`, ...), keeping at least one part;
3. what is left, joined by `-`, is the project's name (`billing-core`); the full path shown on
   hover and in CSV downloads is the dropped folders joined by `/`, then that name.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ENCODED = re.compile(r"^(?:-|[A-Za-z]--)[A-Za-z0-9_]+(?:-+[A-Za-z0-9_]+)+$")
HOMES = {"home": 1, "Users": 1, "root": 0}
PARENTS = frozenset(
    {
        "code",
        "src",
        "source",
        "work",
        "projects",
        "project",
        "repos",
        "repo",
        "git",
        "dev",
        "workspace",
        "workspaces",
        "github",
        "gitlab",
        "Documents",
        "Desktop",
        "Developer",
        "Projects",
        "Code",
        "sites",
    }
)


def is_encoded(value: object) -> bool:
    """Does this look like a Claude Code project folder (`-home-alice-code-billing-core`)?"""
    return isinstance(value, str) and _ENCODED.match(value) is not None


@lru_cache(maxsize=4096)
def readable(value: str) -> tuple[str, str]:
    """(name, full path) for a Claude Code project folder; anything else is its own name."""
    if not is_encoded(value):
        return value, value
    windows = value[1:3] == "--"
    parts = [p for p in (value[3:] if windows else value[1:]).split("-") if p]
    root = f"{value[0]}:\\" if windows else "/"
    sep = "\\" if windows else "/"
    kept: list[str] = []
    if len(parts) > 1 and parts[0] in HOMES:
        take = 1 + HOMES[parts[0]]
        kept, parts = parts[:take], parts[take:]
    while len(parts) > 1 and parts[0] in PARENTS:
        kept.append(parts.pop(0))
    if not parts:  # the home folder itself
        parts = [kept.pop()]
    name = "-".join(parts)
    return name, root + sep.join([*kept, name])


def name(value: object) -> str:
    """The readable name alone (for a select box's labels and chart axes)."""
    if value is None:
        return "(none)"
    return readable(str(value))[0]
