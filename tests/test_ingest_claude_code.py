"""Claude Code transcripts: dedup per (message id, request id), skips, increments, bad lines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from switchcost.ingest.load import ingest_paths
from switchcost.ingest.readers import claude_code
from switchcost.ingest.records import FileTask, ReadOptions
from switchcost.queries import db
from tests.cc_lines import assistant, user

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"


def tree(root: Path, project: str = "-w-acme", session: str = "s1") -> Path:
    folder = root / "projects" / project
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{session}.jsonl"


def totals(db_path: Path) -> tuple[int, int, int]:
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute(
            "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0)"
            " FROM requests"
        ).fetchall()[0]
    return int(got[0]), int(got[1]), int(got[2])


def test_content_block_lines_count_once_with_final_output(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    f.write_text(
        "\n".join(
            [
                user(),
                assistant("msg_1", "req_1", out=8),
                assistant("msg_1", "req_1", out=8),
                assistant("msg_1", "req_1", out=412),
                assistant("msg_2", "req_2", inp=5, out=50),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 2
    assert totals(db_path) == (2, 15, 462)


def test_synthetic_and_api_error_lines_are_not_billed(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    f.write_text(
        "\n".join(
            [
                assistant("msg_1", "req_1", out=10),
                assistant("b3c4", None, model="<synthetic>", inp=0, out=0),
                assistant("msg_9", "req_9", out=77, isApiErrorMessage=True),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    ingest_paths([tmp_path], db_path=db_path)
    assert totals(db_path) == (1, 10, 10)


def test_example_tree_with_a_subagent(tmp_path: Path, db_path: Path) -> None:
    """tests/fixtures/formats/claude_code: a session and its sub-agent file, as Claude Code lays
    them out (projects/<project>/<session>.jsonl, <session>/subagents/agent-<id>.jsonl)."""
    shutil.copytree(FORMATS / "claude_code", tmp_path / "claude")
    report = ingest_paths([tmp_path / "claude"], db_path=db_path)
    assert report.new_requests == 5  # the <synthetic> API-error line is not a request
    with db.connect(db_path, read_only=True) as conn:
        got = conn.execute(
            "SELECT model_id, is_subagent, session_id, workload, speed, output_tokens, cost_usd"
            " FROM priced_requests ORDER BY ts"
        ).fetchall()
    session = "0d4c1e7a-5b3f-4a8e-9c21-7e6f5a4b3c2d"
    project = "-home-dev-src-ledger"
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in got] == [
        ("claude-sonnet-4-5", False, session, project, 230),  # two block lines: final output
        ("claude-haiku-4-5", True, session, project, 120),
        ("claude-haiku-4-5", True, session, project, 64),
        ("claude-sonnet-4-5", False, session, project, 800),
        ("claude-opus-4-8", False, session, project, 100),
    ]
    assert got[4][4] == "fast"
    # Sonnet 4.5 ($3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read):
    #   12x3 + 1,000x3.75 + 3,000x6 + 20,000x0.3 + 230x15
    #   = 36 + 3,750 + 18,000 + 6,000 + 3,450 = 31,236 -> $0.031236
    # Haiku 4.5 sub-agent ($1, $5, $1.25 5m, $0.10 read):
    #   7 + 2,500x1.25 + 120x5 = 7 + 3,125 + 600 = 3,732 -> $0.003732
    #   9 + 400x1.25 + 2,500x0.1 + 64x5 = 9 + 500 + 250 + 320 = 1,079 -> $0.001079
    # Sonnet 4.5 long context (50 + 205,000 = 205,050 prompt tokens > 200k: $6 / $0.60 / $22.50
    #   for the whole request): 50x6 + 205,000x0.6 + 800x22.5 = 300 + 123,000 + 18,000
    #   = 141,300 -> $0.1413
    # Opus 4.8 fast (2x): (20x5 + 1,000x0.5 + 100x25) x 2 = 3,100 x 2 = 6,200 -> $0.0062
    assert [Decimal(r[6]) for r in got] == [
        Decimal("0.031236"),
        Decimal("0.003732"),
        Decimal("0.001079"),
        Decimal("0.1413"),
        Decimal("0.0062"),
    ]


def test_same_files_twice_add_nothing(tmp_path: Path, db_path: Path) -> None:
    tree(tmp_path).write_text(assistant("msg_1", "req_1") + "\n", encoding="utf-8")
    ingest_paths([tmp_path], db_path=db_path)
    again = ingest_paths([tmp_path], db_path=db_path)
    assert (again.new_requests, again.files_read, again.files_up_to_date) == (0, 0, 1)
    assert totals(db_path) == (1, 10, 100)


def test_appended_lines_are_read_from_where_we_stopped(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    f.write_text(assistant("msg_1", "req_1", out=8) + "\n", encoding="utf-8")
    ingest_paths([tmp_path], db_path=db_path)
    with f.open("a", encoding="utf-8") as fh:
        fh.write(assistant("msg_1", "req_1", out=300) + "\n")  # the final block of msg_1
        fh.write(assistant("msg_2", "req_2", out=5) + "\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert (report.new_requests, report.updated_requests) == (1, 1)
    assert totals(db_path) == (2, 20, 305)


def test_trailing_line_without_newline_waits_for_next_run(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    whole = assistant("msg_2", "req_2", out=7)
    f.write_text(assistant("msg_1", "req_1") + "\n" + whole[:40], encoding="utf-8")
    first = ingest_paths([tmp_path], db_path=db_path)
    assert (first.new_requests, len(first.malformed)) == (1, 0)
    f.write_text(assistant("msg_1", "req_1") + "\n" + whole + "\n", encoding="utf-8")
    second = ingest_paths([tmp_path], db_path=db_path)
    assert second.new_requests == 1
    assert totals(db_path) == (2, 20, 107)


def test_replaced_file_is_reread_without_double_counting(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    f.write_text(
        assistant("msg_1", "req_1") + "\n" + assistant("msg_2", "req_2") + "\n", encoding="utf-8"
    )
    ingest_paths([tmp_path], db_path=db_path)
    # Rotated: now shorter and different at the head; msg_2 reappears, msg_3 is new.
    f.write_text(
        assistant("msg_3", "req_3") + "\n" + assistant("msg_2", "req_2") + "\n", encoding="utf-8"
    )
    report = ingest_paths([tmp_path], db_path=db_path)
    assert (report.new_requests, report.duplicates, report.files_reset) == (1, 1, 1)
    assert totals(db_path)[0] == 3


def test_resumed_session_copies_count_once(tmp_path: Path, db_path: Path) -> None:
    tree(tmp_path, session="a").write_text(assistant("msg_1", "req_1") + "\n", encoding="utf-8")
    tree(tmp_path, session="b").write_text(
        assistant("msg_1", "req_1") + "\n" + assistant("msg_2", "req_2") + "\n", encoding="utf-8"
    )
    ingest_paths([tmp_path], db_path=db_path)
    assert totals(db_path)[0] == 2


def stored(db_path: Path) -> list[tuple[object, ...]]:
    with db.connect(db_path, read_only=True) as conn:
        return conn.execute(
            "SELECT request_key, source_file, source_line, session_id, output_tokens"
            " FROM requests ORDER BY request_key"
        ).fetchall()


def test_the_copy_kept_does_not_depend_on_which_run_read_it(tmp_path: Path) -> None:
    # A resumed session repeats msg_1 with the same usage in a second file.  Read in one run,
    # the first copy by (file, line) wins the tie; read across two runs it must be the same one,
    # whichever file arrives first.
    copy = assistant("msg_1", "req_1", session="b")
    for first, later in (("a", "b"), ("b", "a")):
        root = tmp_path / f"{first}-first"
        lines = {
            "a": assistant("msg_1", "req_1", session="a"),
            "b": user(session="b") + "\n" + copy,
        }
        tree(root, session=first).write_text(lines[first] + "\n", encoding="utf-8")
        two_runs = root / "two.duckdb"
        ingest_paths([root / "projects"], db_path=two_runs)
        tree(root, session=later).write_text(lines[later] + "\n", encoding="utf-8")
        second = ingest_paths([root / "projects"], db_path=two_runs)
        one_run = root / "one.duckdb"
        ingest_paths([root / "projects"], db_path=one_run)
        assert stored(two_runs) == stored(one_run), first
        # Hand-worked: a.jsonl sorts before b.jsonl; its copy is on line 1.
        assert stored(one_run) == [("cc:msg_1:req_1", str(tree(root, session="a")), 1, "a", 100)]
        assert second.updated_requests == (1 if later == "a" else 0)


def test_malformed_lines_are_named_and_the_rest_is_kept(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    good = [assistant(f"msg_{i}", f"req_{i}") for i in range(5)]
    wrong_type = json.loads(assistant("msg_x", "req_x"))
    wrong_type["message"]["usage"]["input_tokens"] = "lots"
    no_usage = json.loads(assistant("msg_y", "req_y"))
    del no_usage["message"]["usage"]
    lines = [
        good[0].encode(),
        good[1][:50].encode(),  # line 2: truncated JSON
        good[1].encode(),
        b"",  # line 4: blank
        json.dumps(wrong_type, separators=(",", ":")).encode(),  # line 5: wrong type
        good[2].encode(),
        '{"type":"user","x":"caf\u00e9"}'.encode("latin-1"),  # line 7: not UTF-8
        json.dumps(no_usage, separators=(",", ":")).encode(),  # line 8: no usage
        good[3].encode(),
        good[4].encode(),
    ]
    f.write_bytes(b"\n".join(lines) + b"\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    bad = {(Path(m.path).name, m.line): m.reason for m in report.malformed}
    assert sorted(bad) == [("s1.jsonl", 2), ("s1.jsonl", 5), ("s1.jsonl", 7), ("s1.jsonl", 8)]
    assert "JSON" in bad[("s1.jsonl", 2)]
    assert "UTF-8" in bad[("s1.jsonl", 7)]
    assert "usage" in bad[("s1.jsonl", 8)]
    assert report.new_requests == 5
    with db.connect(db_path, read_only=True) as conn:
        lines_of = dict(conn.execute("SELECT message_id, source_line FROM requests").fetchall())
        stored = conn.execute("SELECT count(*) FROM malformed_lines").fetchall()[0][0]
    assert lines_of == {"msg_0": 1, "msg_1": 3, "msg_2": 6, "msg_3": 9, "msg_4": 10}
    assert stored == 4


def test_missing_path_is_a_clear_error(tmp_path: Path, db_path: Path) -> None:
    from switchcost.ingest.discover import InputError

    with pytest.raises(InputError, match="nope: no such file"):
        ingest_paths([tmp_path / "nope"], db_path=db_path)


def _lines_of(db_path: Path) -> dict[str, tuple[str, int]]:
    with db.connect(db_path, read_only=True) as conn:
        rows = conn.execute("SELECT message_id, source_file, source_line FROM requests").fetchall()
    return {m: (Path(f).name, int(n)) for m, f, n in rows}


def test_blank_lines_keep_line_numbers_exact(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path)
    f.write_text(
        "\n".join(["", user(), "", "", assistant("msg_a", "req_a"), "  ", assistant("msg_b", "r")])
        + "\n",
        encoding="utf-8",
    )
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.malformed == []
    assert _lines_of(db_path) == {"msg_a": ("s1.jsonl", 5), "msg_b": ("s1.jsonl", 7)}
    f.write_text(f.read_text(encoding="utf-8") + "\n" + assistant("msg_c", "req_c") + "\n")
    ingest_paths([tmp_path], db_path=db_path)
    assert _lines_of(db_path)["msg_c"] == ("s1.jsonl", 9)


def test_appended_ranges_of_several_files_keep_their_own_line_numbers(
    tmp_path: Path, db_path: Path
) -> None:
    a, b = tree(tmp_path, session="a"), tree(tmp_path, session="b")
    a.write_text(user() + "\n" + assistant("msg_a1", "r1") + "\n", encoding="utf-8")
    b.write_text(assistant("msg_b1", "r2") + "\n", encoding="utf-8")
    ingest_paths([tmp_path], db_path=db_path)
    with a.open("ab") as fh:  # lines 3-6 of a: bad UTF-8, good, truncated, good
        fh.write(b'{"type":"user","x":"\xff"}\n' + assistant("msg_a2", "r3").encode() + b"\n")
        fh.write(assistant("msg_zz", "r9").encode()[:40] + b"\n")
        fh.write(assistant("msg_a3", "r4").encode() + b"\n")
    with b.open("ab") as fh:  # lines 2-3 of b
        fh.write(user().encode() + b"\n" + assistant("msg_b2", "r5").encode() + b"\n")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 3
    assert {(Path(m.path).name, m.line) for m in report.malformed} == {
        ("a.jsonl", 3),
        ("a.jsonl", 5),
    }
    reasons = {m.line: m.reason for m in report.malformed}
    assert "UTF-8" in reasons[3]
    assert "JSON" in reasons[5]
    got = _lines_of(db_path)
    assert got["msg_a2"] == ("a.jsonl", 4)
    assert got["msg_a3"] == ("a.jsonl", 6)
    assert got["msg_b2"] == ("b.jsonl", 3)
    with db.connect(db_path, read_only=True) as conn:
        done = dict(conn.execute("SELECT path, lines_done FROM source_files").fetchall())
    assert {Path(p).name: n for p, n in done.items()} == {"a.jsonl": 6, "b.jsonl": 3}


def test_only_response_lines_are_billed_and_broken_other_lines_are_named(
    tmp_path: Path, db_path: Path
) -> None:
    f = tree(tmp_path)
    mention = user(text='please explain "assistant" messages and {"type":"assistant"}')
    f.write_text(
        "\n".join([mention, user()[:30], assistant("msg_1", "req_1"), "[1, 2]"]) + "\n",
        encoding="utf-8",
    )
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 1
    assert [(m.line, m.reason.split(" (")[0]) for m in report.malformed] == [
        (2, "not valid JSON"),
        (4, "line is not a JSON object"),
    ]


def test_a_path_with_pattern_characters_is_read_as_written(tmp_path: Path, db_path: Path) -> None:
    f = tree(tmp_path, project="-w-[draft]-*", session="s?1")
    f.write_text(assistant("msg_1", "req_1") + "\n", encoding="utf-8")
    decoy = tree(tmp_path, project="-w-d-x", session="s11")
    decoy.write_text(assistant("msg_2", "req_2") + "\n", encoding="utf-8")
    report = ingest_paths([tmp_path], db_path=db_path)
    assert report.new_requests == 2
    assert _lines_of(db_path)["msg_1"] == ("s?1.jsonl", 1)


def _snapshot(db_path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with db.connect(db_path, read_only=True) as conn:
        stored = conn.execute(
            "SELECT request_key, source_line, input_tokens, output_tokens, ts FROM requests"
            " ORDER BY request_key"
        ).fetchall()
        files = conn.execute("SELECT path, lines_done FROM source_files ORDER BY path").fetchall()
    return stored, files


def test_a_file_larger_than_a_batch_reads_the_same_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchcost.ingest.readers import claude_code, claude_code_ranges

    f = tree(tmp_path / "logs")
    lines = [user()]
    for i in range(40):  # each response written as three content-block lines
        lines += [assistant(f"msg_{i}", f"req_{i}", out=o) for o in (3, 3, 50 + i)]
    lines.insert(30, assistant("msg_cut", "r")[:70])  # truncated
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")  # read whole at first
    g = tree(tmp_path / "logs", session="s2")  # read again, bad lines blanked, at first
    g.write_bytes(
        "\n".join(lines[:4]).replace("msg_", "g_").encode().replace(b'"x"', b'"\xff"', 1) + b"\n"
    )
    whole = ingest_paths([tmp_path / "logs"], db_path=tmp_path / "whole.duckdb")
    monkeypatch.setattr(claude_code, "WHOLE_FILE_BYTES", 0)  # every file read as ranges
    monkeypatch.setattr(claude_code_ranges, "PIECE_BYTES", 750)  # a piece is a few lines
    monkeypatch.setattr(claude_code_ranges, "RANGE_BATCH_BYTES", 1500)
    pieces = ingest_paths([tmp_path / "logs"], db_path=tmp_path / "pieces.duckdb")
    # g_0 keeps its other lines; the truncated line was never a whole request
    assert pieces.new_requests == whole.new_requests == 41
    assert pieces.malformed == whole.malformed
    assert [(Path(m.path).name, m.line, m.reason[:14]) for m in whole.malformed] == [
        ("s1.jsonl", 31, "not valid JSON"),
        ("s2.jsonl", 2, "not UTF-8 (byt"),
    ]
    assert _snapshot(tmp_path / "pieces.duckdb") == _snapshot(tmp_path / "whole.duckdb")


def test_incremental_runs_store_exactly_what_one_fresh_run_stores(tmp_path: Path) -> None:
    # Our generator (bench/synth/): sessions with sub-agents and resumed copies, then two
    # rounds of calls appended to many files.  Reading them run by run must store the same
    # rows, line numbers included, and the same rollup, as reading the final tree once.
    import datetime as dt

    from bench.synth import append_requests, claude_code_tree

    root = tmp_path / "tree"
    truth = claude_code_tree(
        root,
        seed=11,
        start=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        days=2,
        n_sessions=30,
        resumed_copies=4,
    )
    step = tmp_path / "step.duckdb"
    ingest_paths([root], db_path=step)
    for seed in (12, 13):
        truth += append_requests(root, seed=seed, n_requests=40)
        ingest_paths([root], db_path=step)
    once = tmp_path / "once.duckdb"
    ingest_paths([root], db_path=once)
    columns = (
        "request_key, source_file, source_line, ts, model, input_tokens, cache_write_5m,"
        " cache_write_1h, cache_read, output_tokens, session_id, is_subagent, project"
    )
    got = {}
    for path in (step, once):
        with db.connect(path, read_only=True) as conn:
            got[path] = (
                conn.execute(f"SELECT {columns} FROM requests ORDER BY request_key").fetchall(),
                conn.execute("SELECT * FROM request_groups ORDER BY ALL").fetchall(),
            )
    assert got[step] == got[once]
    assert len(got[once][0]) == len({(t.message_id, t.request_id) for t in truth})


def test_lines_written_while_a_run_reads_the_file_are_read_next_time(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Claude Code keeps writing while a scheduled ingest reads: what the run records about the
    # file must be what it saw before reading, or the next run would think it unchanged.
    from switchcost.ingest import readers

    f = tree(tmp_path)
    f.write_text(assistant("msg_1", "req_1") + "\n", encoding="utf-8")
    reader = readers.REGISTRY["claude-code"]
    original = reader.read

    def read_while_written(tasks: list[object], options: object) -> object:
        result = original(tasks, options)  # type: ignore[arg-type]
        with f.open("a", encoding="utf-8") as fh:
            fh.write(assistant("msg_2", "req_2", out=7) + "\n")
        return result

    monkeypatch.setattr(reader, "read", read_while_written)
    first = ingest_paths([tmp_path], db_path=db_path)
    monkeypatch.setattr(reader, "read", original)
    second = ingest_paths([tmp_path], db_path=db_path)
    assert (first.new_requests, second.new_requests) == (1, 1)
    assert totals(db_path) == (2, 20, 107)


def test_claude_code_rows_reach_the_database_without_pyarrow(tmp_path: Path) -> None:
    """The reader streams its rows to the loader (Arrow C stream): a Claude Code ingest imports
    no pyarrow (0.44 s and ~48 MB a run), and stores what was read."""
    path = tree(tmp_path / "claude")
    path.write_text(
        "\n".join([user(), assistant("m1", "r1", out=7), assistant("m2", "r2", out=5)]) + "\n"
    )
    db_path = tmp_path / "t.duckdb"
    script = (
        "import sys, pathlib\n"
        "from switchcost.ingest.load import ingest_paths\n"
        f"r = ingest_paths([pathlib.Path({str(tmp_path / 'claude')!r})],"
        f" db_path=pathlib.Path({str(db_path)!r}))\n"
        "print(r.new_requests, 'pyarrow' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["2", "False", "False"]
    assert totals(db_path)[0] == 2


def test_read_result_holds_the_reader_connection_until_closed(tmp_path: Path) -> None:
    path = tree(tmp_path / "claude")
    path.write_text(assistant("m1", "r1", out=7) + "\n" + assistant("m2", "r2", out=5) + "\n")
    size = path.stat().st_size
    task = FileTask(path, 0, size, 0, size, path.stat().st_mtime)
    result = claude_code.read([task], ReadOptions())
    assert result.table.num_rows == 2
    other = duckdb.connect()
    other.register("stream", result.table)
    assert other.execute("SELECT sum(output_tokens) FROM stream").fetchall() == [(12,)]
    result.close()
    with pytest.raises(duckdb.Error):
        other.execute("SELECT count(*) FROM stream").fetchall()
