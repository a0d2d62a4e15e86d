"""A bad environment: one clear line on stderr, never a traceback, the database unchanged."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cc_lines import assistant


def sc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300", **(env or {})},
        timeout=120,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (and nothing on stdout)."""
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("switchcost: ")
    return lines[0]


def write_logs(root: Path, sessions: int = 3, per: int = 40) -> Path:
    """A small Claude Code tree: `sessions` files of `per` Sonnet 4.5 requests each (message
    ids start with the folder's name, so two trees never share a request)."""
    for s in range(sessions):
        folder = root / "projects" / f"-w-{s}"
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            assistant(f"{root.name}-{s}-{i}", f"r{s}-{i}", session=f"s{s}", inp=1000, out=1000)
            for i in range(per)
        ]
        (folder / f"s{s}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_csv(db: Path) -> str:
    proc = sc("report", "--by", "model", "--db", str(db), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    db = tmp_path / "db.duckdb"
    proc = sc("ingest", str(write_logs(tmp_path / "logs")), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db


# 120 Sonnet 4.5 requests x (1,000 in x $3 + 1,000 out x $15) / MTok = 120 x $0.018 = $2.16
TOTAL_ROW = "TOTAL,120,120000,0,0,0,120000,2.160000,0"


def test_the_healthy_baseline(filled: Path) -> None:
    assert TOTAL_ROW in report_csv(filled)


def test_truncated_database_is_one_line_and_left_alone(tmp_path: Path, filled: Path) -> None:
    # Enough rows that the tables reach past the file's middle.
    more = write_logs(tmp_path / "more", sessions=4, per=5000)
    assert sc("ingest", str(more), "--db", str(filled)).returncode == 0
    with filled.open("r+b") as fh:
        fh.truncate(filled.stat().st_size // 2)
    before = digest(filled)
    for args in (
        ("report", "--by", "day", "--format", "json"),
        ("ingest", str(tmp_path / "logs")),
    ):
        line = one_line(sc(*args, "--db", str(filled)))
        assert line.startswith(f"switchcost: {filled}: the database file is damaged"), line
        assert digest(filled) == before


def test_symlink_loops_are_named_and_skipped(tmp_path: Path) -> None:
    logs = write_logs(tmp_path / "logs", sessions=1)
    folder = logs / "projects" / "-w-0"
    (folder / "a.jsonl").symlink_to(folder / "b.jsonl")
    (folder / "b.jsonl").symlink_to(folder / "a.jsonl")
    (folder / "up").symlink_to(folder.parent)  # a folder linked to its parent: not entered
    db = tmp_path / "db.duckdb"
    proc = sc("ingest", str(logs), "--db", str(db))
    assert proc.returncode == 0, proc.stderr  # the real transcript was read
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"{folder / 'a.jsonl'}: skipped, a symbolic link loop",
        f"{folder / 'b.jsonl'}: skipped, a symbolic link loop",
        "1 files read (0 unchanged, 2 skipped), 40 new requests, 0 duplicates skipped,"
        " 0 malformed lines, 0 unpriced requests",
        "40 lines read: 40 in responses",
    ]
    # The folder link given as the input walks its target once: nothing doubled.
    again = sc("ingest", str(folder / "up"), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert "0 new requests, 0 duplicates skipped" in again.stderr
    # 40 x $0.018 = $0.72
    assert "TOTAL,40,40000,0,0,0,40000,0.720000,0" in report_csv(db)
    before = digest(db)
    line = one_line(sc("ingest", str(folder / "a.jsonl"), "--db", str(db)))
    assert line == f"switchcost: {folder / 'a.jsonl'}: a symbolic link loop"
    assert digest(db) == before


def test_export_into_a_path_under_a_file(tmp_path: Path, filled: Path) -> None:
    """Tests run as root, where a read-only folder does not stop writes: a path whose parent
    is a regular file fails the same way for every user."""
    blocker = tmp_path / "somefile"
    blocker.write_text("x")
    before = digest(filled)
    line = one_line(sc("export", "--out", str(blocker / "sub"), "--db", str(filled)))
    assert line == (
        f"switchcost: {blocker / 'sub'}: cannot make the folder for the CSV files:"
        " a file is in the way where a folder is needed"
    )
    assert digest(filled) == before


PRICE_FILE = """
[[models]]
id = "claude-x"
tokenizer = "classic"
[[models.prices]]
effective_from = 2025-01-01
input = {rate}
output = 1
cache_write_5m = 1
cache_write_1h = 1
cache_read = 1
source = "hand-written"
"""


@pytest.mark.parametrize(
    ("rate", "why"),
    [
        ("nan", "NaN is not a finite number"),
        ("inf", "Infinity is not a finite number"),
        ("1e308", "1E+308 is too large (at most 12 digits)"),
        ("0.0000001", "1E-7 has more than 6 decimal places"),
    ],
)
def test_price_file_with_an_unusable_rate(
    tmp_path: Path, filled: Path, rate: str, why: str
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(PRICE_FILE.format(rate=rate), encoding="utf-8")
    before, shown = digest(filled), report_csv(filled)
    expected = f"switchcost: {prices} model 'claude-x' prices[0].input: {why}"
    # Something new to read: a run with nothing new answers from its stamp, without opening
    # the database or the price file.
    new = write_logs(tmp_path / "new", sessions=1, per=2)
    for args in (
        ("report", "--by", "model", "--db", str(filled)),
        ("ingest", str(new), "--db", str(filled)),
        ("prices",),
    ):
        assert one_line(sc(*args, "--prices", str(prices))) == expected
    assert digest(filled) == before
    assert report_csv(filled) == shown


def test_price_file_that_is_a_folder(tmp_path: Path, filled: Path) -> None:
    before = digest(filled)
    line = one_line(sc("report", "--by", "model", "--db", str(filled), "--prices", str(tmp_path)))
    assert line == f"switchcost: {tmp_path}: is a folder, not a price file"
    assert digest(filled) == before


def test_memory_setting_that_is_not_a_size(tmp_path: Path, filled: Path) -> None:
    before, shown = digest(filled), report_csv(filled)
    expected = (
        "switchcost: SWITCHCOST_MEMORY='lots' is not a memory size: use a number and a unit,"
        " such as 512MB or 2GB"
    )
    bad = {"SWITCHCOST_MEMORY": "lots"}
    new = write_logs(tmp_path / "new", sessions=1, per=2)  # so the run opens the database
    assert one_line(sc("ingest", str(new), "--db", str(filled), env=bad)) == expected
    assert one_line(sc("report", "--by", "day", "--db", str(filled), env=bad)) == expected
    assert digest(filled) == before
    assert report_csv(filled) == shown


@pytest.mark.parametrize("kind", ["fifo", "devnull"])
def test_a_fifo_or_device_given_as_input_is_named(tmp_path: Path, filled: Path, kind: str) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe.jsonl"
        os.mkfifo(target)
        why = "a named pipe (FIFO)"
    else:
        target = Path(os.devnull)
        why = "a character device"
    shown = report_csv(filled)
    proc = sc("ingest", str(target), "--db", str(filled))  # never opened: it would block
    assert proc.returncode == 1  # nothing that was given could be read
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"{target}: skipped, {why}",
        "0 files read (0 unchanged, 1 skipped), 0 new requests, 0 duplicates skipped,"
        " 0 malformed lines, 0 unpriced requests",
    ]
    assert report_csv(filled) == shown  # (the run itself is recorded: the file changes)


def test_ten_thousand_empty_files_are_one_line_and_quick(tmp_path: Path) -> None:
    folder = tmp_path / "empties"
    folder.mkdir()
    for i in range(10_000):
        (folder / f"{i:05d}.jsonl").touch()
    db = tmp_path / "db.duckdb"
    started = time.monotonic()
    proc = sc("ingest", str(folder), "--db", str(db))
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr  # empty files are not an error
    assert proc.stderr.splitlines() == [
        f"skipped as empty: 10000 files, e.g. {folder / '00000.jsonl'}",
        "0 files read (0 unchanged, 10000 skipped), 0 new requests, 0 duplicates skipped,"
        " 0 malformed lines, 0 unpriced requests",
    ]
    assert elapsed < 30  # ~0.7 s measured; generous for a loaded machine
    again = sc("ingest", str(folder), "--db", str(db))  # the stamp's answer says the same
    assert again.stderr == proc.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs (needs root and mount rights: skipped otherwise); unmounted after.
    Room for the test's whole database (7.6 MB with the coarse rollups of migration 0007; 6 MiB
    held the 6.0 MB before them) once the filler is gone; the filler makes it full first."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("memory", [None, "1GB"])
def test_disk_full_is_one_line_and_keeps_nothing(
    tmp_path: Path, small_disk: Path, memory: str | None
) -> None:
    """With the default pool the spill to disk fails; with a large one the commit's
    checkpoint does.  Either way the run is rolled back, and a later run after space was
    freed reads everything exactly once."""
    db = small_disk / "db.duckdb"
    env = {"SWITCHCOST_MEMORY": memory} if memory else {}
    assert sc("ingest", str(write_logs(tmp_path / "logs")), "--db", str(db)).returncode == 0
    shown = report_csv(db)
    assert TOTAL_ROW in shown
    big = write_logs(tmp_path / "big", sessions=2, per=30_000)
    space = os.statvfs(small_disk)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (space.f_bavail * space.f_frsize - 256 * 1024))
    line = one_line(sc("ingest", str(big), "--db", str(db), env=env))
    assert line.startswith("switchcost: no space left on the disk that holds the database")
    assert report_csv(db) == shown  # what was stored is all that is there
    filler.unlink()
    # (with a pool large enough not to spill: the small disk is too little for the spill)
    again = sc("ingest", str(big), "--db", str(db), env={"SWITCHCOST_MEMORY": "1GB"})
    assert again.returncode == 0, again.stderr
    # 120 + 60,000 requests at $0.018 = $1,082.16
    assert "TOTAL,60120,60120000,0,0,0,60120000,1082.160000,0" in report_csv(db)
