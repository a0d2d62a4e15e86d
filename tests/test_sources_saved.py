"""`switchcost ingest` with no path: Claude Code's default folders (as ccusage finds them) and
the sources saved with `switchcost sources add|list|remove`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from tests.cc_lines import assistant

# One Messages API response (the messages reader's layout): Haiku 4.5, 640 in, 18 out.
MESSAGES_LINE = json.dumps(
    {
        "id": "msg_saved_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5-20251001",
        "content": [],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 640, "output_tokens": 18},
    },
    separators=(",", ":"),
)
# $1/MTok in, $5/MTok out: 640 * 1 / 1e6 + 18 * 5 / 1e6 = 0.00064 + 0.00009
MESSAGES_USD = Decimal("0.00073")
# Sonnet 4.5, 1,000 in and 2,000 out: 1000 * 3 / 1e6 + 2000 * 15 / 1e6 = 0.003 + 0.03
LEGACY_USD = Decimal("0.033")
# Haiku 4.5, 10,000 in and 1,000 out: 10000 * 1 / 1e6 + 1000 * 5 / 1e6 = 0.01 + 0.005
XDG_USD = Decimal("0.015")


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CLAUDE_CONFIG_DIR", "XDG_CONFIG_HOME", "SWITCHCOST_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return Path(os.environ["HOME"])


def sc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def write_session(projects: Path, line: str) -> Path:
    folder = projects / "-w-app"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "session.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    return path


def total(db: Path) -> Decimal:
    done = sc("report", "--by", "model", "--format", "json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return Decimal(str(json.loads(done.stdout)["totals"]["cost_usd"]))


def legacy_line() -> str:
    return assistant("m-legacy", "r-legacy", inp=1000, out=2000)


def xdg_line() -> str:
    return assistant("m-xdg", "r-xdg", model="claude-haiku-4-5-20251001", inp=10000, out=1000)


def test_no_path_reads_both_default_folders(home: Path, db_path: Path) -> None:
    write_session(home / ".claude" / "projects", legacy_line())
    write_session(home / ".config" / "claude" / "projects", xdg_line())
    done = sc("ingest", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "Missing argument" not in done.stderr
    assert total(db_path) == LEGACY_USD + XDG_USD


def test_xdg_config_home_moves_the_newer_folder(home: Path, db_path: Path) -> None:
    xdg = home / "xdg"
    write_session(xdg / "claude" / "projects", xdg_line())
    write_session(home / ".config" / "claude" / "projects", legacy_line())  # not looked at
    done = sc("ingest", "--db", str(db_path), env={"XDG_CONFIG_HOME": str(xdg)})
    assert done.returncode == 0, done.stderr
    assert total(db_path) == XDG_USD


def test_claude_config_dir_lists_several_and_replaces_the_defaults(
    home: Path, db_path: Path
) -> None:
    write_session(home / ".claude" / "projects", legacy_line())  # default: not read when set
    one, two = home / "one", home / "two"
    write_session(one / "projects", xdg_line())
    write_session(two / "projects", assistant("m-two", "r-two", inp=1000, out=2000))
    env = {"CLAUDE_CONFIG_DIR": f"{one}, {two} ,"}  # spaces and an empty entry, as ccusage trims
    done = sc("ingest", "--db", str(db_path), env=env)
    assert done.returncode == 0, done.stderr
    # two's request is priced as the legacy one: Sonnet 4.5, 1,000 in, 2,000 out = $0.033
    assert total(db_path) == XDG_USD + LEGACY_USD


def test_claude_config_dir_may_name_the_projects_folder_itself(home: Path, db_path: Path) -> None:
    projects = home / "elsewhere" / "projects"
    write_session(projects, xdg_line())
    done = sc("ingest", "--db", str(db_path), env={"CLAUDE_CONFIG_DIR": str(projects)})
    assert done.returncode == 0, done.stderr
    assert total(db_path) == XDG_USD


def test_nothing_found_is_one_line_naming_where_it_looked(home: Path, db_path: Path) -> None:
    done = sc("ingest", "--db", str(db_path))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{home}/.config/claude/projects" in lines[0]
    assert f"{home}/.claude/projects" in lines[0]
    assert f"{home}/.config/switchcost/config.toml" in lines[0]
    assert "switchcost sources add" in lines[0]
    assert not db_path.exists()  # nothing opened or created


def test_saved_source_with_its_format_is_read_beside_claude_code(
    home: Path, db_path: Path, tmp_path: Path
) -> None:
    write_session(home / ".claude" / "projects", legacy_line())
    app_log = tmp_path / "app" / "claude.log"
    app_log.parent.mkdir()
    app_log.write_text(MESSAGES_LINE + "\n", encoding="utf-8")
    added = sc("sources", "add", str(app_log), "--format", "messages")
    assert added.returncode == 0, added.stderr
    config = home / ".config" / "switchcost" / "config.toml"
    saved = tomllib.loads(config.read_text(encoding="utf-8"))
    assert saved == {"sources": [{"path": str(app_log), "format": "messages"}]}

    listed = sc("sources", "list")
    assert f"{home}/.claude/projects\tauto\tClaude Code" in listed.stdout
    assert f"{app_log}\tmessages\tsaved" in listed.stdout

    done = sc("ingest", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert total(db_path) == LEGACY_USD + MESSAGES_USD
    again = sc("ingest", "--db", str(db_path))  # safe to run again: nothing doubled
    assert again.returncode == 0, again.stderr
    assert total(db_path) == LEGACY_USD + MESSAGES_USD


def test_remove_forgets_the_source_and_keeps_its_data(
    home: Path, db_path: Path, tmp_path: Path
) -> None:
    app_log = tmp_path / "claude.log"
    app_log.write_text(MESSAGES_LINE + "\n", encoding="utf-8")
    assert sc("sources", "add", str(app_log), "--format", "messages").returncode == 0
    assert sc("ingest", "--db", str(db_path)).returncode == 0
    removed = sc("sources", "remove", str(app_log))
    assert removed.returncode == 0, removed.stderr
    assert str(app_log) not in sc("sources", "list").stdout
    # A new line in the forgotten file is not read: only Claude Code's folders are left.
    write_session(home / ".claude" / "projects", legacy_line())
    with app_log.open("a", encoding="utf-8") as fh:
        fh.write(MESSAGES_LINE.replace("msg_saved_01", "msg_saved_02") + "\n")
    assert sc("ingest", "--db", str(db_path)).returncode == 0
    assert total(db_path) == MESSAGES_USD + LEGACY_USD


def test_adding_twice_updates_the_format_instead_of_duplicating(home: Path, tmp_path: Path) -> None:
    log = tmp_path / "x.jsonl"
    log.write_text("", encoding="utf-8")
    assert sc("sources", "add", str(log)).returncode == 0
    assert sc("sources", "add", str(log), "--format", "messages").returncode == 0
    config = home / ".config" / "switchcost" / "config.toml"
    saved = tomllib.loads(config.read_text(encoding="utf-8"))
    assert saved["sources"] == [{"path": str(log), "format": "messages"}]


def test_odd_characters_in_a_path_survive_the_config_file(home: Path, tmp_path: Path) -> None:
    log = tmp_path / 'we"ird\\name\x7f.jsonl'
    log.write_text("", encoding="utf-8")
    assert sc("sources", "add", str(log)).returncode == 0
    config = home / ".config" / "switchcost" / "config.toml"
    assert tomllib.loads(config.read_text(encoding="utf-8"))["sources"][0]["path"] == str(log)
    assert sc("sources", "remove", str(log)).returncode == 0


def test_missing_saved_source_is_named_and_the_rest_is_read(
    home: Path, db_path: Path, tmp_path: Path
) -> None:
    gone = tmp_path / "gone.jsonl"
    added = sc("sources", "add", str(gone))
    assert added.returncode == 0
    assert "does not exist yet" in added.stderr
    write_session(home / ".claude" / "projects", legacy_line())
    done = sc("ingest", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert f"{gone}: saved source not found, skipped" in done.stderr
    assert total(db_path) == LEGACY_USD


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sources", "add", "x.jsonl", "--format", "nonsense"), "unknown format 'nonsense'"),
        (("sources", "remove", "/never/saved"), "/never/saved: not a saved source"),
    ],
)
def test_mistakes_are_one_line(home: Path, args: tuple[str, ...], message: str) -> None:
    done = sc(*args)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_broken_config_file_is_one_line_naming_it(home: Path, db_path: Path) -> None:
    config = home / ".config" / "switchcost" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[[sources]]\npath = \n", encoding="utf-8")
    done = sc("ingest", "--db", str(db_path))
    assert done.returncode == 1
    assert str(config) in done.stderr
    assert "not valid TOML" in done.stderr
    config.write_text('colour = "red"\n', encoding="utf-8")
    done = sc("sources", "list")
    assert done.returncode == 1
    assert "unknown key 'colour'" in done.stderr


def test_switchcost_config_names_another_file(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "team.toml"
    log = tmp_path / "a.jsonl"
    log.write_text("", encoding="utf-8")
    assert sc("sources", "add", str(log), env={"SWITCHCOST_CONFIG": str(other)}).returncode == 0
    assert tomllib.loads(other.read_text(encoding="utf-8"))["sources"][0]["path"] == str(log)
    assert not (home / ".config" / "switchcost" / "config.toml").exists()
