"""The stamp's tree: a scheduled run skips the directory walk only while it would find the same
files, and never misses a new file, a removed one, or lines appended to a known one."""

from __future__ import annotations

import os
import time
from pathlib import Path

from switchcost.ingest import discover, stamp
from switchcost.ingest.load import ingest_paths
from tests.cc_lines import assistant

HOUR_NS = 3600 * 1_000_000_000


def _tree(root: Path) -> Path:
    for project, session, msg in (("-w-a", "s1", "m1"), ("-w-a", "s2", "m2"), ("-w-b", "s3", "m3")):
        folder = root / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{session}.jsonl").write_text(assistant(msg, f"r-{msg}") + "\n", "utf-8")
    agents = root / "projects" / "-w-b" / "s3" / "subagents"
    agents.mkdir(parents=True)
    (agents / "agent-1.jsonl").write_text(assistant("m4", "r-m4", sidechain=True) + "\n", "utf-8")
    return root


def _age_dirs(root: Path) -> None:
    """Directories last changed an hour ago: not 'racy' (see ingest/stamp.py)."""
    past = time.time_ns() - HOUR_NS
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        os.utime(folder, ns=(past, past))


def _run(root: Path, db_path: Path) -> tuple[int, bool]:
    """What the CLI does: reuse the stamp's file list when the tree is unchanged."""
    known = stamp.files_if_unchanged(db_path, [root])
    seen, tree = known if known is not None else discover.walk([root])
    report = ingest_paths([root], db_path=db_path, seen=seen, tree=tree)
    return report.new_requests, known is not None


def test_the_file_list_is_reused_only_while_no_directory_changed(
    tmp_path: Path, db_path: Path
) -> None:
    root = _tree(tmp_path / "claude")
    _age_dirs(root)
    assert _run(root, db_path) == (4, False)
    known = stamp.files_if_unchanged(db_path, [root])
    assert known is not None
    assert known[0] == discover.snapshot([root])  # exactly what a walk finds
    # Lines appended to a known file: no directory changes, the list is reused, lines are read.
    with (root / "projects" / "-w-a" / "s1.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(assistant("m5", "r-m5") + "\n")
    assert _run(root, db_path) == (1, True)
    # A new file deep in the tree changes its directory: the tree is walked again.
    deep = root / "projects" / "-w-b" / "s3" / "subagents" / "agent-2.jsonl"
    deep.write_text(assistant("m6", "r-m6", sidechain=True) + "\n", encoding="utf-8")
    assert stamp.files_if_unchanged(db_path, [root]) is None
    assert _run(root, db_path) == (1, False)
    # Other paths on the command line: never the stored list.
    assert stamp.files_if_unchanged(db_path, [root / "projects"]) is None


def test_a_removed_file_is_not_listed_again(tmp_path: Path, db_path: Path) -> None:
    root = _tree(tmp_path / "claude")
    _age_dirs(root)
    _run(root, db_path)
    (root / "projects" / "-w-a" / "s2.jsonl").unlink()
    assert stamp.files_if_unchanged(db_path, [root]) is None
    _age_dirs(root)  # settled again, so the next walk's tree can be trusted and kept
    assert _run(root, db_path) == (0, False)  # walked: nothing new
    # The list the stamp now offers is the new walk's, without the removed file.
    known = stamp.files_if_unchanged(db_path, [root])
    assert known is not None
    assert sorted(Path(p).name for p, _, _ in known[0]) == ["agent-1.jsonl", "s1.jsonl", "s3.jsonl"]


def test_directories_changed_just_before_the_walk_are_not_trusted(
    tmp_path: Path, db_path: Path
) -> None:
    # Made a moment ago: a clock coarser than the gap could hide an entry added in the same
    # tick, so the stamp keeps no tree and the next run walks.
    root = _tree(tmp_path / "claude")
    assert _run(root, db_path) == (4, False)
    assert stamp.files_if_unchanged(db_path, [root]) is None
