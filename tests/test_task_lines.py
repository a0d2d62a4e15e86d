"""task_lines: the streamed line walk every JSON-lines reader shares."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from switchcost.ingest.tasks import FileTask, task_lines

LINES = st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30)


def _task(path: Path, start: int, end: int, start_line: int) -> FileTask:
    return FileTask(path, start, end, start_line, path.stat().st_size, 0.0)


@settings(max_examples=60, deadline=None)
@given(lines=LINES, trailing=st.booleans(), data=st.data())
def test_lines_offsets_and_numbers_match_a_plain_split(
    tmp_path_factory: object, lines: list[bytes], trailing: bool, data: st.DataObject
) -> None:
    """From any line start to the end, the walk yields what bytes.split gives, numbered from the
    task's start line, each with the byte offset it starts at."""
    folder = tmp_path_factory.mktemp("lines")  # type: ignore[attr-defined]
    path = folder / "log.jsonl"
    body = b"\n".join(lines) + (b"\n" if trailing and lines else b"")
    path.write_bytes(body)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    skip = data.draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
    start = starts[skip] if lines else 0
    got = list(task_lines(_task(path, start, len(body), 100 + skip)))
    rest = body[start:]
    expected = rest.split(b"\n")
    if rest.endswith(b"\n") or not rest:
        expected.pop()
    assert [raw for _, _, raw in got] == expected
    assert [n for n, _, _ in got] == list(range(101 + skip, 101 + skip + len(expected)))
    assert [off for _, off, _ in got] == starts[skip : skip + len(expected)]


def test_a_line_cut_by_the_range_end_stops_there(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": 3}\n')
    got = list(task_lines(_task(path, 9, 13, 1)))  # from line 2, ending inside it
    assert got == [(2, 9, b'{"b"')]
