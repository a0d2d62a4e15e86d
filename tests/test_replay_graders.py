"""The local graders and the stratified sample, on hand-made cases."""

from __future__ import annotations

import datetime as dt

import pytest

from switchcost.app.replay.graders import (
    GraderError,
    check_name,
    default_for,
    exact,
    json_fields,
    label,
    leaves,
)
from switchcost.app.replay.sample import allocate, band, draw
from switchcost.queries.measured.store import Frame


def test_exact_normalises_case_space_and_width() -> None:
    assert exact("Hello,  World\n", "hello, world").passed
    assert exact("ＡＢＣ", "abc").passed  # NFKC: full-width letters
    assert not exact("hello world", "hello, world").passed


def test_label_compares_the_first_line() -> None:
    assert label("Positive.\nbecause ...", "positive").passed
    assert not label("positive", "negative").passed


def test_json_field_agreement() -> None:
    original = '{"a": 1, "b": {"c": [1, 2]}, "d": "x"}'
    v = json_fields(original, 'Here you go:\n```json\n{"a": 1, "b": {"c": [1, 3]}, "d": "x"}\n```')
    assert not v.passed
    assert v.detail == "3 of 4 fields agree"  # $.a, $.b.c[0], $.b.c[1], $.d
    assert json_fields(original, '{"d": "x", "b": {"c": [1, 2]}, "a": 1, "extra": 5}').passed
    assert (
        json_fields(original, "no json here").detail == "target answer is not JSON (0 of 4 fields)"
    )
    assert not json_fields("plain text", "{}").passed
    assert leaves({"a": [], "b": {}}) == {"$.a": [], "$.b": {}}


def test_grader_names_and_defaults() -> None:
    assert check_name("command:./grade.sh") == "command:./grade.sh"
    with pytest.raises(GraderError, match="unknown grader"):
        check_name("fuzzy")
    with pytest.raises(GraderError):
        check_name("command:  ")
    assert default_for("transformation", ['{"a": 1}', "[1]"]) == "json"
    assert default_for("transformation", ['{"a": 1}', "plain"]) == "exact"
    assert default_for("generation", ['{"a": 1}']) == "judge"


def test_bands_and_allocation() -> None:
    assert [band(n) for n in (0, 999, 1000, 99_999, 100_000)] == [
        "<1k", "<1k", "1k-10k", "10k-100k", ">=100k",
    ]  # fmt: skip
    # 100 requests: 90 small, 8 medium, 2 large; quota 10 → one each first, then the other 7
    # in proportion to what is left (89, 7, 1 of 97): 6.42, 0.51, 0.07 → 6 + largest
    # remainders (medium 0.51) → small 7, medium 2, large 1.
    assert allocate({"<1k": 90, "1k-10k": 8, ">=100k": 2}, 10) == {
        "<1k": 7, "1k-10k": 2, ">=100k": 1,
    }  # fmt: skip
    assert allocate({"<1k": 3, "1k-10k": 1}, 50) == {"<1k": 3, "1k-10k": 1}


def test_draw_is_seeded_and_per_workload() -> None:
    ts = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    frames = [Frame(f"k{i:03d}", "w1" if i % 2 else "w2", "m", 100 * i, 10, ts) for i in range(200)]
    a = draw(frames, 20, seed=1)
    assert draw(frames, 20, seed=1) == a
    assert draw(frames, 20, seed=2) != a
    assert sum(1 for f, _ in a if f.workload == "w1") == 20
    assert sum(1 for f, _ in a if f.workload == "w2") == 20
    assert len({f.request_key for f, _ in a}) == 40
    # Both prompt-size bands of each workload are represented.
    assert {(f.workload, b) for f, b in a} == {
        ("w1", "<1k"), ("w1", "1k-10k"), ("w1", "10k-100k"),
        ("w2", "<1k"), ("w2", "1k-10k"), ("w2", "10k-100k"),
    }  # fmt: skip
