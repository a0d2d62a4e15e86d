"""What `switchcost ingest` reads when no path is given: Claude Code's own folders, found as
ccusage finds them, plus the sources the user saved with `switchcost sources add`.

Claude Code's folders: when `CLAUDE_CONFIG_DIR` is set, each of its comma-separated paths (a
Claude config folder holding `projects/`, or that `projects/` folder itself) and nothing else;
otherwise `$XDG_CONFIG_HOME/claude` (default `~/.config/claude`, Claude Code's newer home) and
`~/.claude` (its older one), each whose `projects/` folder exists.

Saved sources live in the config file, `$SWITCHCOST_CONFIG` or `~/.config/switchcost/config.toml`
(beside the user price file, `prices.toml`), as `[[sources]]` tables with a `path` and a
`format` ("auto" unless forced).  `sources add` and `sources remove` rewrite the file; it holds
nothing else, so a key it does not know is an error rather than something silently dropped.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from switchcost.queries.errors import UserError

CONFIG_ENV = "SWITCHCOST_CONFIG"
CLAUDE_ENV = "CLAUDE_CONFIG_DIR"
AUTO = "auto"
HEADER = (
    "# switchcost settings: the sources `switchcost ingest` reads when given no path.\n"
    "# Rewritten by `switchcost sources add` / `switchcost sources remove`.\n"
)


@dataclass(frozen=True)
class Source:
    path: str
    format: str = AUTO


def config_file() -> Path:
    """`SWITCHCOST_CONFIG` if set, else ~/.config/switchcost/config.toml (HOME read now)."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".config" / "switchcost" / "config.toml"


def load_sources(config: Path | None = None) -> list[Source]:
    """The saved sources, in the order they were added; none when there is no config file."""
    where = config or config_file()
    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as err:
        raise UserError(f"{where}: cannot read the config file: {err.strerror or err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{where}: not valid TOML ({err})") from None
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise UserError(f"{where}: unknown key {unknown[0]!r} (this file holds [[sources]] only)")
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        raise UserError(f"{where}: 'sources' must be an array of tables ([[sources]])")
    out: list[Source] = []
    for number, entry in enumerate(entries, 1):
        path = entry.get("path") if isinstance(entry, dict) else None
        fmt = entry.get("format", AUTO) if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path or not isinstance(fmt, str):
            raise UserError(f"{where}: source {number} needs a text 'path' (and text 'format')")
        out.append(Source(path, fmt))
    return out


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def save_sources(sources: list[Source], config: Path | None = None) -> Path:
    """Write the sources (atomically: a reader sees the old file or the new one)."""
    where = config or config_file()
    body = HEADER + "".join(
        f"\n[[sources]]\npath = {_toml_string(s.path)}\nformat = {_toml_string(s.format)}\n"
        for s in sources
    )
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp = where.with_name(where.name + ".tmp")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, where)
    except OSError as err:
        raise UserError(f"{where}: cannot write the config file: {err.strerror or err}") from None
    return where


def normalise(path: Path) -> str:
    """How a path is saved and compared: ~ expanded, made absolute (symlinks kept)."""
    return str(Path(os.path.abspath(path.expanduser())))


def add_source(path: Path, fmt: str = AUTO) -> tuple[Source, bool]:
    """Save a source (or change its format); True when it was not saved before."""
    if fmt != AUTO:
        from switchcost.ingest.readers import REGISTRY

        if fmt not in REGISTRY:
            raise UserError(f"unknown format {fmt!r}; known: auto, {', '.join(REGISTRY)}")
    source = Source(normalise(path), fmt)
    sources = load_sources()
    new = all(s.path != source.path for s in sources)
    kept = [s if s.path != source.path else source for s in sources]
    save_sources([*kept, source] if new else kept)
    return source, new


def remove_source(path: Path) -> bool:
    """Forget a saved source (by the path as given or as saved); False if it was not saved."""
    sources = load_sources()
    wanted = {str(path), normalise(path)}
    kept = [s for s in sources if s.path not in wanted]
    if len(kept) == len(sources):
        return False
    save_sources(kept)
    return True


def claude_code_dirs() -> tuple[list[Path], list[str]]:
    """Claude Code's `projects/` folders that exist, and every place looked (in words)."""
    env = os.environ.get(CLAUDE_ENV, "")
    if env.strip():
        bases = [Path(p.strip()).expanduser() for p in env.split(",") if p.strip()]
        looked = [f"{b}/projects ({CLAUDE_ENV})" for b in bases]
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
        config_home = Path(xdg).expanduser() if xdg else Path.home() / ".config"
        bases = [config_home / "claude", Path.home() / ".claude"]
        looked = [f"{b}/projects" for b in bases]
    found: list[Path] = []
    for base in bases:
        for candidate in (base / "projects", base):
            if candidate.name == "projects" and candidate.is_dir() and candidate not in found:
                found.append(candidate)
                break
    return found, looked


def default_inputs() -> tuple[dict[str, list[Path]], list[str], list[str]]:
    """What `ingest` reads with no path: paths grouped by format (Claude Code's folders under
    "auto"), where it looked, and one note per saved source that is not there now."""
    folders, looked = claude_code_dirs()
    groups: dict[str, list[Path]] = {AUTO: list(folders)} if folders else {}
    notes: list[str] = []
    where = config_file()
    saved = load_sources(where)
    looked.append(
        f"{len(saved)} saved sources in {where}" if saved else f"no saved sources in {where}"
    )
    for source in saved:
        path = Path(source.path)
        if not path.exists() and not path.is_symlink():
            notes.append(f"{source.path}: saved source not found, skipped")
            continue
        group = groups.setdefault(source.format, [])
        if path not in group:
            group.append(path)
    return groups, looked, notes
