"""Running the real `switchcost` command as a process (python -m switchcost), for the kill and
concurrency trials, and the database totals they compare with the generator's reference."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What may sit beside the database after any run, killed or not.
SIBLINGS = (".wal", ".ingest-stamp", ".report-cache")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "switchcost", *args]


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        command(*args),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), cwd=REPO, capture_output=True, text=True, errors="replace", timeout=timeout
    )


def totals(db: Path) -> tuple[int, Decimal, int]:
    """(requests, dollars, malformed lines) stored, through switchcost's read-only connection
    (it installs the priced view; the dollars are compared with the generator's own)."""
    from switchcost.queries import db as qdb

    with qdb.connect(db, read_only=True) as conn:
        n, usd = conn.execute(
            "SELECT count(*), coalesce(sum(cost_usd), 0) FROM priced_requests"
        ).fetchall()[0]
        bad = conn.execute("SELECT count(*) FROM malformed_lines").fetchall()[0][0]
    return int(n), Decimal(usd), int(bad)


def leftovers(db: Path, spill_ok: bool = False) -> list[str]:
    """Files beside the database that are neither it nor a known sibling, and any `.tmp`.
    `spill_ok`: an empty `<db>.tmp` folder (DuckDB's spill folder, which a run killed while
    spilling leaves; the next run empties it but keeps it) is not counted."""
    allowed = {db.name} | {db.name + s for s in SIBLINGS}
    spill = db.with_name(db.name + ".tmp")
    if spill_ok and spill.is_dir() and not any(spill.iterdir()):
        allowed.add(spill.name)
    odd = [p.name for p in db.parent.iterdir() if p.name not in allowed]
    tmp = [str(p) for p in db.parent.rglob("*.tmp") if p.name not in allowed]
    return sorted(set(odd + tmp))


def temp_entries() -> set[str]:
    """Entries in the system temp folder that switchcost could have left."""
    return {p for p in os.listdir(tempfile.gettempdir()) if p.lower().startswith("switchcost")}
