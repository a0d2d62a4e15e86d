"""`switchcost schedule install|status|remove` in a temporary HOME.

The crontab path runs for real: a stand-in `crontab` (SWITCHCOST_CRONTAB) keeps the table in the
temporary HOME, the installed line's command is then run by /bin/sh with cron's bare PATH, and
`schedule status` shows that run.  One test uses the real `crontab` binary, putting the user's
table back exactly as it was.  The systemd path is checked by the unit files' content, with a
stand-in `systemctl` that records what it was asked.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from switchcost.app.schedule import parse_every
from switchcost.queries.errors import UserError
from tests.cc_lines import assistant

SWITCHCOST = str(Path(sys.executable).parent / "switchcost")
FAKE_CRONTAB = """#!/bin/sh
# crontab -l / crontab - on a file in $HOME, as the real one does on the spool
table="$HOME/fake-crontab"
case "$1" in
  -l) if [ -f "$table" ]; then cat "$table"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -) cat > "$table" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
"""
FAKE_SYSTEMCTL = """#!/bin/sh
echo "$*" >> "$HOME/systemctl-calls"
exit {code}
"""
# Sonnet 4.5, 1,000 in and 2,000 out: 1000 * 3 / 1e6 + 2000 * 15 / 1e6 = 0.003 + 0.03
SESSION_USD = Decimal("0.033")


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CLAUDE_CONFIG_DIR", "XDG_CONFIG_HOME", "SWITCHCOST_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return Path(os.environ["HOME"])


def stand_in(home: Path, name: str, text: str) -> str:
    path = home / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def cron_env(home: Path) -> dict[str, str]:
    """No systemd user session (systemctl fails), crontab kept in the temporary HOME."""
    return {
        "SWITCHCOST_CRONTAB": stand_in(home, "crontab", FAKE_CRONTAB),
        "SWITCHCOST_SYSTEMCTL": stand_in(home, "systemctl", FAKE_SYSTEMCTL.format(code=1)),
    }


def sc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def session(home: Path) -> None:
    folder = home / ".claude" / "projects" / "-w-app"
    folder.mkdir(parents=True, exist_ok=True)
    line = assistant("m-sched", "r-sched", inp=1000, out=2000)
    (folder / "s.jsonl").write_text(line + "\n", encoding="utf-8")


def test_crontab_install_run_status_remove(home: Path, cron_env: dict[str, str]) -> None:
    db = home / "data" / "usage.duckdb"
    table = home / "fake-crontab"
    table.write_text("MAILTO=me@example.com\n0 3 * * * /usr/local/bin/backup\n", encoding="utf-8")
    done = sc("schedule", "install", "--every", "15m", "--db", str(db), env=cron_env)
    assert done.returncode == 0, done.stderr
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["MAILTO=me@example.com", "0 3 * * * /usr/local/bin/backup"]
    assert lines[2].startswith("# switchcost-schedule: ingest every 15m")
    log = home / ".local" / "share" / "switchcost" / "ingest.log"
    assert lines[3] == (f"*/15 * * * * {SWITCHCOST} ingest --db {db} --wait 120 >>{log} 2>&1")
    assert len(lines) == 4

    # What cron would do: the command part, by /bin/sh, with cron's bare environment.
    session(home)
    command = lines[3].split(" ", 5)[5]
    cron = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert cron.returncode == 0, log.read_text(encoding="utf-8") if log.exists() else cron
    assert "1 new requests" in log.read_text(encoding="utf-8")
    report = sc("report", "--by", "model", "--format", "json", "--db", str(db))
    assert Decimal(str(json.loads(report.stdout)["totals"]["cost_usd"])) == SESSION_USD

    status = sc("schedule", "status", env=cron_env)  # the --db of the installed line
    assert status.returncode == 0, status.stderr
    assert f"crontab: */15 * * * * {SWITCHCOST} ingest --db {db}" in status.stdout
    assert f"last runs in {db}:" in status.stdout
    assert "run 1: " in status.stdout
    assert "1 files read, 1 new requests, 0 duplicates, 0 malformed lines" in status.stdout
    assert "1 new requests" in status.stdout.split(f"last lines of {log}:")[1]

    removed = sc("schedule", "remove", env=cron_env)
    assert removed.returncode == 0, removed.stderr
    assert table.read_text(encoding="utf-8") == (
        "MAILTO=me@example.com\n0 3 * * * /usr/local/bin/backup\n"
    )
    after = sc("schedule", "status", "--db", str(db), env=cron_env)
    assert "installed: nothing" in after.stdout
    assert "nothing was installed" in sc("schedule", "remove", env=cron_env).stderr


def test_install_again_replaces_and_passes_paths_and_settings(
    home: Path, cron_env: dict[str, str], tmp_path: Path
) -> None:
    db = home / "db.duckdb"
    assert sc("schedule", "install", "--db", str(db), env=cron_env).returncode == 0
    weird = tmp_path / "my logs" / "50%.jsonl"
    env = {**cron_env, "CLAUDE_CONFIG_DIR": "/a,/b"}
    args = ("--every", "2h", "--paths", str(weird), "--paths", "rel.jsonl", "--db", str(db))
    done = sc("schedule", "install", *args, env=env)
    assert done.returncode == 0, done.stderr
    assert "does not exist yet" in done.stderr
    lines = (home / "fake-crontab").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # the first install was replaced
    quoted = shlex.quote(str(weird)).replace("%", "\\%")  # cron reads a bare % as a newline
    rel = os.path.join(os.getcwd(), "rel.jsonl")
    assert lines[1].startswith(
        f"0 */2 * * * CLAUDE_CONFIG_DIR=/a,/b {SWITCHCOST} ingest {quoted} {rel} --db {db}"
    )


def test_systemd_unit_files(home: Path, tmp_path: Path) -> None:
    env = {
        "SWITCHCOST_CRONTAB": stand_in(home, "crontab", FAKE_CRONTAB),
        "SWITCHCOST_SYSTEMCTL": stand_in(home, "systemctl", FAKE_SYSTEMCTL.format(code=0)),
        "CLAUDE_CONFIG_DIR": "/home/me/claude",
    }
    db = tmp_path / "100% $HOME.duckdb"
    done = sc("schedule", "install", "--every", "1h", "--db", str(db), env=env)
    assert done.returncode == 0, done.stderr
    units = home / ".config" / "systemd" / "user"
    service = (units / "switchcost-ingest.service").read_text(encoding="utf-8")
    timer = (units / "switchcost-ingest.timer").read_text(encoding="utf-8")
    spelled = str(db).replace("%", "%%").replace("$", "$$")  # no specifier, no variable
    assert f'ExecStart="{SWITCHCOST}" "ingest" "--db" "{spelled}" "--wait" "120"' in service
    assert 'Environment="CLAUDE_CONFIG_DIR=/home/me/claude"' in service
    assert "Type=oneshot" in service
    assert "OnCalendar=0/1:00\n" in timer
    assert "Persistent=true" in timer
    assert "WantedBy=timers.target" in timer
    calls = (home / "systemctl-calls").read_text(encoding="utf-8").splitlines()
    assert calls[0] == "--user show-environment"
    assert calls[-2:] == ["--user daemon-reload", "--user enable --now switchcost-ingest.timer"]
    assert not (home / "fake-crontab").exists()  # cron untouched where systemd answers

    status = sc("schedule", "status", env=env)
    assert f"systemd user timer {units / 'switchcost-ingest.timer'}" in status.stdout
    assert f"no database yet at {db}" in status.stdout  # the --db read back from ExecStart

    assert sc("schedule", "remove", env=env).returncode == 0
    assert not list(units.iterdir())
    calls = (home / "systemctl-calls").read_text(encoding="utf-8").splitlines()
    assert "--user disable --now switchcost-ingest.timer" in calls


@pytest.mark.parametrize(
    ("text", "cron", "calendar"),
    [
        ("15m", "*/15 * * * *", "*:0/15"),
        ("1m", "* * * * *", "*:0/1"),
        ("60m", "0 * * * *", "0/1:00"),
        ("6h", "0 */6 * * *", "0/6:00"),
        ("24h", "0 0 * * *", "daily"),
        ("1d", "0 0 * * *", "daily"),
    ],
)
def test_every(text: str, cron: str, calendar: str) -> None:
    every = parse_every(text)
    assert (every.cron, every.calendar) == (cron, calendar)


@pytest.mark.parametrize("text", ["7m", "0m", "5h", "2d", "often", "90m"])
def test_every_that_cannot_repeat_evenly_is_refused(text: str) -> None:
    with pytest.raises(UserError, match="--every"):
        parse_every(text)


@pytest.mark.skipif(shutil.which("crontab") is None, reason="no crontab binary (Debian: cron)")
def test_real_crontab_binary_and_the_table_put_back(home: Path) -> None:
    """The real `crontab`: install and remove, then the user's table exactly as before."""
    before = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    env = {"SWITCHCOST_SYSTEMCTL": stand_in(home, "systemctl", FAKE_SYSTEMCTL.format(code=1))}
    db = home / "db.duckdb"
    try:
        done = sc("schedule", "install", "--every", "30m", "--db", str(db), env=env)
        assert done.returncode == 0, done.stderr
        now = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=True)
        ours = f"*/30 * * * * {SWITCHCOST} ingest --db {db} --wait 120"
        assert any(line.startswith(ours) for line in now.stdout.splitlines())
        if before.returncode == 0:
            assert now.stdout.startswith(before.stdout)  # the user's lines kept, ours after
        assert sc("schedule", "remove", env=env).returncode == 0
        after = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
        assert ours not in after.stdout
        if before.returncode == 0:
            assert after.stdout == before.stdout
    finally:
        if before.returncode == 0:
            subprocess.run(["crontab", "-"], input=before.stdout, text=True, check=True)
        else:
            subprocess.run(["crontab", "-r"], capture_output=True, check=False)
