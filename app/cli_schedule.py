"""`switchcost schedule install|status|remove`: ingest on a timer (see app/schedule.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import click

from switchcost.app.cli_options import db_option, domain_errors
from switchcost.app.console import say

USING = ("auto", "systemd", "cron")
RUNS_SHOWN = 5


def _db(db: Path | None) -> Path:
    from switchcost.queries.location import default_db_path

    return (db or default_db_path()).expanduser()


def _backend(using: str) -> str:
    from switchcost.app import schedule

    if using != "auto":
        return using
    return "systemd" if schedule.systemd_user_available() else "cron"


def install(every_text: str, paths: tuple[Path, ...], db: Path | None, using: str) -> None:
    from switchcost.app import schedule

    every = schedule.parse_every(every_text)
    for path in paths:
        if not path.expanduser().exists():
            say(f"{path}: does not exist yet; the job will report it until it does")
    argv = schedule.job_argv(list(paths), _db(db))
    env = schedule.job_env()
    backend = _backend(using)
    remove()  # one scheduled ingest at a time: a new install replaces the old, of either kind
    if backend == "systemd":
        folder = schedule.unit_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in schedule.unit_files(every, argv, env).items():
            (folder / name).write_text(text, encoding="utf-8")
        schedule.systemctl("daemon-reload")
        schedule.systemctl("enable", "--now", f"{schedule.UNIT}.timer")
        say(f"installed the systemd user timer {schedule.UNIT}.timer in {folder}")
        say(f"it runs every {every.text}: {' '.join(argv)}")
        say(f"its messages: journalctl --user -u {schedule.UNIT}.service")
        return
    log = schedule.log_file()
    log.parent.mkdir(parents=True, exist_ok=True)
    kept, _ = schedule.without_job(schedule.read_crontab())
    lines = schedule.cron_lines(every, argv, env, log)
    schedule.write_crontab([*kept, *lines])
    say("installed in your crontab (no systemd user session here):")
    say(f"  {lines[1]}")
    say(f"its messages are appended to {log}")


def remove() -> bool:
    """Take out the timer and the crontab line, whichever are there; True if any was."""
    from switchcost.app import schedule

    removed = False
    folder = schedule.unit_dir()
    units = [folder / f"{schedule.UNIT}.timer", folder / f"{schedule.UNIT}.service"]
    if any(u.exists() for u in units):
        schedule.systemctl("disable", "--now", f"{schedule.UNIT}.timer", check=False)
        for unit in units:
            unit.unlink(missing_ok=True)
        schedule.systemctl("daemon-reload", check=False)
        say(f"removed the systemd user timer {schedule.UNIT}.timer from {folder}")
        removed = True
    try:
        table = schedule.read_crontab()
    except Exception:  # no cron here: nothing of ours in it either
        table = []
    kept, taken = schedule.without_job(table)
    if taken:
        schedule.write_crontab(kept)
        say("removed from your crontab: " + " / ".join(taken))
        removed = True
    return removed


def installed() -> list[str]:
    """What is installed, in words (one line each)."""
    from switchcost.app import schedule

    out: list[str] = []
    timer = schedule.unit_dir() / f"{schedule.UNIT}.timer"
    service = schedule.unit_dir() / f"{schedule.UNIT}.service"
    if timer.exists() or service.exists():
        text = "\n".join(p.read_text(encoding="utf-8") for p in (timer, service) if p.exists())
        keep = [s for s in text.splitlines() if s.startswith(("OnCalendar=", "ExecStart="))]
        out.append(f"systemd user timer {timer}: " + "; ".join(keep))
    try:
        _, taken = schedule.without_job(schedule.read_crontab())
    except Exception as err:
        out.append(f"crontab: not readable ({err})")
        taken = []
    out.extend(f"crontab: {line}" for line in taken[1::2] or taken)
    return out


def _runs(db: Path) -> list[str]:
    from switchcost.queries import dashboard
    from switchcost.queries import db as qdb

    with qdb.connect(db, read_only=True) as conn:
        frame = dashboard.ingest_runs(conn, RUNS_SHOWN)
    lines = []
    for row in frame.to_dicts():
        started, finished = row["started_at"], row["finished_at"]
        took = (finished - started).total_seconds() if isinstance(finished, dt.datetime) else None
        lines.append(
            f"run {row['run_id']}: {started:%Y-%m-%d %H:%M:%S} UTC"
            + (f", {took:.1f} s" if took is not None else "")
            + f": {row['files_read']} files read, {row['new_requests']} new requests, "
            f"{row['duplicates']} duplicates, {row['malformed_lines']} malformed lines, "
            f"{row['unpriced_requests']} unpriced requests"
        )
    return lines


def installed_db() -> Path | None:
    """The --db of the installed job (timer first, then crontab), if one is installed."""
    import shlex

    from switchcost.app import schedule

    lines: list[str] = []
    service = schedule.unit_dir() / f"{schedule.UNIT}.service"
    if service.exists():
        text = service.read_text(encoding="utf-8").replace("%%", "%").replace("$$", "$")
        lines += [s.removeprefix("ExecStart=") for s in text.splitlines() if "ExecStart=" in s]
    with contextlib.suppress(Exception):
        lines += schedule.without_job(schedule.read_crontab())[1][1::2]
    for line in lines:
        try:
            words = shlex.split(line.replace("\\%", "%"))
        except ValueError:
            continue
        if "--db" in words[:-1]:
            return Path(words[words.index("--db") + 1])
    return None


def status(db: Path | None) -> None:
    from switchcost.app import schedule

    what = installed()
    db = db or installed_db()
    click.echo("installed:" + ("" if what else " nothing (see `switchcost schedule install`)"))
    for line in what:
        click.echo(f"  {line}")
    target = _db(db)
    if not target.exists():
        click.echo(f"no database yet at {target}")
    else:
        runs = _runs(target)
        click.echo(f"last runs in {target}:" if runs else f"no ingest run yet in {target}")
        for line in runs:
            click.echo(f"  {line}")
    log = schedule.log_file()
    if log.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-3:]
        click.echo(f"last lines of {log}:")
        for line in tail:
            click.echo(f"  {line}")


def register(app: click.Group) -> None:
    """Add the `schedule` group to the CLI."""

    @app.group(epilog="\b\nExample:\n  switchcost schedule install --every 15m")
    def schedule() -> None:
        """Run `switchcost ingest` on a timer (systemd user timer, else crontab)."""

    @schedule.command("install")
    @click.option("--every", default="15m", show_default=True, help="15m, 1h, 1d, ...")
    @click.option(
        "--paths",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Paths to ingest (repeat); default: Claude Code's folders and saved sources.",
    )
    @db_option
    @click.option(
        "--using",
        type=click.Choice(USING),
        default="auto",
        show_default=True,
        help="auto: systemd where `systemctl --user` answers, else cron.",
    )
    @domain_errors
    def install_cmd(every: str, paths: tuple[Path, ...], db: Path | None, using: str) -> None:
        """Install (or replace) the scheduled ingest."""
        install(every, paths, db, using)

    @schedule.command("status")
    @db_option
    @domain_errors
    def status_cmd(db: Path | None) -> None:
        """What is installed, and the last ingest runs with their summaries."""
        status(db)

    @schedule.command("remove")
    @domain_errors
    def remove_cmd() -> None:
        """Undo `schedule install` (the database and its data stay)."""
        if not remove():
            say("nothing was installed")
