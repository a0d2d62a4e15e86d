"""Smoke test of the ingest benchmark's generators (small sizes, no timing): the second corpus
shape and the repeated Messages API log are what they say, and ingest reads them exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench import make_corpus
from tests.fuzz import procs


def _by_source(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute("SELECT source, count(*) FROM requests GROUP BY 1").fetchall()
    return {str(s): int(n) for s, n in rows}


def _first_line_bytes(path: Path) -> int:
    with path.open("rb") as fh:
        return len(fh.readline())


def test_few_large_shape_opens_with_long_lines_and_ingests_exactly(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    start = datetime(2026, 8, 27, tzinfo=UTC)
    files, _, requests = make_corpus.build_few_large(
        tree, target_bytes=3_000_000, seed=3, start=start, days=30, workers=1
    )
    mains = sorted((tree / "projects").glob("*/*.jsonl"))
    firsts = [_first_line_bytes(p) for p in mains]
    assert max(firsts) > 1_000_000  # a large session opening with a long user line
    assert sum(first < 1_000_000 for first in firsts) >= 1  # and a tiny session beside it
    db = tmp_path / "s.duckdb"
    proc = procs.run("ingest", str(tree), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert f"{files} files read" in proc.stderr
    assert _by_source(db) == {"claude-code": requests}  # the generator's billed calls


def test_messages_log_copies_are_new_calls(tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "app.jsonl", tmp_path / "two" / "app.jsonl"
    one.parent.mkdir()
    two.parent.mkdir()
    size, _ = make_corpus.messages_log(one, target_bytes=100_000, seed=5, piece_bytes=100_000)
    # The same piece, then copies with rewritten ids, until three times its size.
    make_corpus.messages_log(two, target_bytes=3 * size, seed=5, piece_bytes=100_000)
    assert two.read_bytes().startswith(one.read_bytes())
    counts = []
    for log in (one, two):
        db = log.with_suffix(".duckdb")
        proc = procs.run("ingest", str(log), "--db", str(db))
        assert proc.returncode == 0, proc.stderr
        counts.append(_by_source(db)["messages"])
    assert counts[0] > 0
    assert counts[1] == 3 * counts[0]
