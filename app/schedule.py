"""A scheduled `switchcost ingest`: a systemd user timer where a user session manager answers,
else a line in the user's crontab.  What `switchcost schedule install|status|remove` do.

The job runs the absolute path of this installation's `switchcost` with `--db` spelled out, so
it needs nothing from the login environment; without `--paths` it runs `ingest` with no path,
which reads Claude Code's folders and the saved sources as they are at each run.  Variables
that change where those are (CLAUDE_CONFIG_DIR, SWITCHCOST_CONFIG, SWITCHCOST_PRICES) are copied
into the job when set at install time.

`SWITCHCOST_CRONTAB` and `SWITCHCOST_SYSTEMCTL` name the programs used (default `crontab` and
`systemctl`), so the tests can run the whole path against stand-ins in a temporary HOME.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from switchcost.queries.errors import UserError

UNIT = "switchcost-ingest"
MARKER = "# switchcost-schedule:"
CRONTAB_ENV = "SWITCHCOST_CRONTAB"
SYSTEMCTL_ENV = "SWITCHCOST_SYSTEMCTL"
PASSED_ENV = ("CLAUDE_CONFIG_DIR", "SWITCHCOST_CONFIG", "SWITCHCOST_PRICES")
WAIT_SECONDS = 120  # a scheduled run waits this long for another writer (the dashboard never is)


@dataclass(frozen=True)
class Every:
    minutes: int
    text: str  # as shown: 15m, 2h, 1d
    cron: str  # the crontab time fields
    calendar: str  # systemd OnCalendar=


def parse_every(text: str) -> Every:
    """15m, 1h, 1d ...: a period cron and systemd can both repeat evenly (minutes that divide
    an hour, hours that divide a day, or one day)."""
    found = re.fullmatch(r"\s*(\d{1,4})\s*(m|min|h|d)\s*", text.lower())
    if found is None:
        raise UserError(f"--every {text!r}: give minutes, hours or a day, such as 15m, 2h or 1d")
    n, unit = int(found.group(1)), found.group(2)
    minutes = n * {"m": 1, "min": 1, "h": 60, "d": 1440}[unit]
    if minutes == 1440:
        return Every(minutes, "1d", "0 0 * * *", "daily")
    if minutes < 60 and minutes > 0 and 60 % minutes == 0:
        cron = "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
        return Every(minutes, f"{minutes}m", cron, f"*:0/{minutes}")
    hours = minutes // 60
    if minutes % 60 == 0 and 0 < hours < 24 and 24 % hours == 0:
        cron = "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
        return Every(minutes, f"{hours}h", cron, f"0/{hours}:00")
    raise UserError(
        f"--every {text!r}: cron and systemd repeat evenly only every 1, 2, 3, 4, 5, 6, 10, 12, "
        "15, 20 or 30 minutes, every 1, 2, 3, 4, 6, 8 or 12 hours, or once a day (1d)"
    )


def executable() -> list[str]:
    """This installation's `switchcost`, by absolute path (cron's PATH would not find it)."""
    beside = Path(sys.executable).parent / "switchcost"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [os.path.abspath(beside)]
    found = shutil.which("switchcost")
    if found:
        return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "switchcost"]


def job_argv(paths: list[Path], db: Path) -> list[str]:
    return [
        *executable(),
        "ingest",
        *(os.path.abspath(p.expanduser()) for p in paths),
        "--db",
        os.path.abspath(db.expanduser()),
        "--wait",
        str(WAIT_SECONDS),
    ]


def job_env() -> dict[str, str]:
    return {name: os.environ[name] for name in PASSED_ENV if os.environ.get(name)}


def log_file() -> Path:
    """Where a cron job's messages go (systemd keeps them in the journal)."""
    return Path.home() / ".local" / "share" / "switchcost" / "ingest.log"


def _no_newlines(values: list[str]) -> None:
    for value in values:
        if "\n" in value or "\r" in value:
            raise UserError(f"{value!r}: a path or setting with a line break cannot be scheduled")


# ---- crontab -----------------------------------------------------------------------------


def cron_lines(every: Every, argv: list[str], env: dict[str, str], log: Path) -> list[str]:
    """The marker comment and the job line (`%` escaped: cron reads it as a newline)."""
    _no_newlines([*argv, *env.values(), str(log)])
    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()] + [shlex.quote(a) for a in argv]
    command = " ".join(words) + f" >>{shlex.quote(str(log))} 2>&1"
    return [
        f"{MARKER} ingest every {every.text} (undo with `switchcost schedule remove`)",
        f"{every.cron} {command.replace('%', chr(92) + '%')}",
    ]


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    program = os.environ.get(CRONTAB_ENV, "crontab")
    try:
        return subprocess.run(
            [*shlex.split(program), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise UserError(f"cannot run {program!r} ({err}); is cron installed?") from None


def read_crontab() -> list[str]:
    """The user's crontab lines; none when the user has no crontab yet."""
    done = _crontab("-l")
    if done.returncode != 0:
        if "no crontab" in done.stderr.lower():
            return []
        raise UserError(f"crontab -l failed: {done.stderr.strip() or done.returncode}")
    return done.stdout.splitlines()


def without_job(lines: list[str]) -> tuple[list[str], list[str]]:
    """The table without switchcost's marker and job lines, and the lines taken out."""
    kept: list[str] = []
    taken: list[str] = []
    skip_next = False
    for line in lines:
        if skip_next or line.startswith(MARKER):
            taken.append(line)
            skip_next = line.startswith(MARKER)
            continue
        kept.append(line)
    return kept, taken


def write_crontab(lines: list[str]) -> None:
    done = _crontab("-", stdin="".join(f"{line}\n" for line in lines))
    if done.returncode != 0:
        raise UserError(f"crontab - failed: {done.stderr.strip() or done.returncode}")


# ---- systemd -----------------------------------------------------------------------------


def unit_dir() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "systemd" / "user"


def _systemd_word(text: str) -> str:
    """One ExecStart=/Environment= word: quoted, `%` and `$` not expanded by systemd."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{text}"'


def unit_files(every: Every, argv: list[str], env: dict[str, str]) -> dict[str, str]:
    """The service and timer, by file name."""
    _no_newlines([*argv, *env.values()])
    exec_start = " ".join(_systemd_word(a).replace("$", "$$") for a in argv)
    environment = "".join(f"Environment={_systemd_word(f'{k}={v}')}\n" for k, v in env.items())
    service = (
        "[Unit]\n"
        "Description=switchcost: read new Claude API usage into the database\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{environment}"
        f"ExecStart={exec_start}\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=switchcost: ingest every {every.text}\n\n"
        "[Timer]\n"
        f"OnCalendar={every.calendar}\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def systemctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str] | None:
    """`systemctl --user ARGS`; None when it cannot be run at all."""
    program = os.environ.get(SYSTEMCTL_ENV, "systemctl")
    try:
        done = subprocess.run(
            [*shlex.split(program), "--user", *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        if check:
            raise UserError(f"cannot run {program} --user {' '.join(args)}") from None
        return None
    if check and done.returncode != 0:
        raise UserError(
            f"systemctl --user {' '.join(args)} failed: {done.stderr.strip() or done.returncode}"
        )
    return done


def systemd_user_available() -> bool:
    """A user service manager answers (`systemctl --user show-environment` succeeds)."""
    done = systemctl("show-environment", check=False)
    return done is not None and done.returncode == 0
