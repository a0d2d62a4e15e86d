"""The text of the named `.sql` files shipped in `queries/`: read once, comments stripped,
`$name` parameters listed.  Reads files only: it runs nothing and imports no database."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_NAME = re.compile(r"[a-z0-9_]+")

# The folder of the macros and temp tables made on each connection (queries.macro_registry).
MACROS = "macros"


@cache
def sql(name: str, folder: str = "sql") -> str:
    """The text of queries/<folder>/<name>.sql."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"bad query name {name!r}")
    path = resources.files("switchcost.queries") / folder / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def macro_sql(name: str) -> str:
    """The text of queries/macros/<name>.sql: its header, then the macro's body."""
    return sql(name, MACROS)


def names(folder: str) -> list[str]:
    """The names of the `.sql` files in queries/<folder>/, sorted."""
    found = resources.files("switchcost.queries") / folder
    return sorted(f.name.removesuffix(".sql") for f in found.iterdir() if f.name.endswith(".sql"))


def strip_comments(text: str) -> str:
    """The SQL without its `--` comments (a name or `$param` there is not a use)."""
    return _COMMENT.sub("", text)


def header(text: str) -> str:
    """The `--` comment lines a file opens with, joined into one line without the dashes."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)


def params_of(text: str) -> set[str]:
    """The `$name` parameters a query uses (comments ignored)."""
    return set(_PARAM.findall(strip_comments(text)))
