"""Files mixing valid records and bad lines, with the expected outcome of every line."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tests.fuzz import kinds as K
from tests.fuzz import streams
from tests.fuzz.formats import SPECS, Spec, dumps
from tests.fuzz.rates import Usage, dollars


@dataclass
class FileExpect:
    """What one file must give: bad lines by number, billed requests, duplicates, skips."""

    path: Path
    fmt: str
    lines: int = 0
    bad: dict[int, str] = field(default_factory=dict)  # line -> kind
    billed: dict[int, Usage] = field(default_factory=dict)  # a request's lines -> its usage
    duplicates: int = 0
    skipped: int = 0  # valid records never billed (Claude Code user lines), blank lines


@dataclass
class Corpus:
    files: list[FileExpect] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len({id(u) for u in f.billed.values()}) for f in self.files)

    @property
    def dollars(self) -> Decimal:
        return sum(
            (
                dollars(u)
                for f in self.files
                for u in {id(u): u for u in f.billed.values()}.values()
            ),
            Decimal(0),
        )

    @property
    def bad_lines(self) -> int:
        return sum(len(f.bad) for f in self.files)

    @property
    def kinds(self) -> Counter[str]:
        return Counter(k for f in self.files for k in f.bad.values())

    @property
    def formats(self) -> set[str]:
        return {f.path.name for f in self.files}

    def summary(self) -> str:
        return (
            f"{self.bad_lines:,} bad lines of {len(self.kinds)} kinds in {len(self.files)} "
            f"formats, {self.requests:,} valid requests (${self.dollars})"
        )


def _kind_order(spec: Spec, rng: random.Random, n: int, heavy_cap: int) -> list[str]:
    usable = [k for k in K.KINDS if K.applies(spec, k) and k not in K.VALID]
    out: list[str] = []
    heavy = 0
    cycle = list(usable)
    while len(out) < n:
        rng.shuffle(cycle)
        for kind in cycle:
            if kind in K.HEAVY:
                if heavy >= heavy_cap:
                    continue
                heavy += 1
            out.append(kind)
    return out[:n]


def write_file(
    root: Path,
    spec: Spec,
    seed: int,
    n_bad: int,
    n_valid: int,
    heavy_cap: int = 2,
    long_tags: int = 2,
) -> FileExpect:
    """`n_valid` valid records (some oddly written, a few repeated) and `n_bad` bad lines,
    shuffled, the first line valid (detection reads the head)."""
    rng = random.Random(f"{seed}:{spec.file}")
    path = root / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    expect = FileExpect(path, spec.name)
    units: list[tuple[str, object]] = [("bad", k) for k in _kind_order(spec, rng, n_bad, heavy_cap)]
    odd = sorted(k for k in K.VALID if K.applies(spec, k) and K.outcome(spec, k) == "valid")
    for i in range(n_valid):
        kind = odd[i % len(odd)] if i % 7 == 3 else None
        # at most two 1.2 MiB tags a file: a few more exhaust the writer's memory pool (the
        # xfail test_long_tags_fit_the_default_memory_pool)
        if kind == "long_tag_string" and sum(u[1] == kind for u in units) >= long_tags:
            kind = None
        units.append(("valid", kind))
    units += [("dup", None)] * max(1, n_valid // 20)
    if spec.skip is not None:
        units += [("skip", None)] * max(1, n_valid // 10)
    rng.shuffle(units)
    units.insert(0, ("valid", None))
    emitted: list[bytes] = []
    out: list[bytes] = []
    serial = seed * 1_000_000
    for what, kind in units:
        serial += 1
        obj, usage = spec.make(serial, rng)
        line_no = len(out) + 1
        if what == "bad":
            assert isinstance(kind, str)
            line = K.KINDS[kind](spec, obj, rng)
            outcome = K.outcome(spec, kind)
            if outcome == "bad":
                expect.bad[line_no] = kind
            elif outcome == "skip":
                expect.skipped += 1
            else:
                expect.billed[line_no] = usage
        elif what == "valid":
            line = K.KINDS[kind](spec, obj, rng) if isinstance(kind, str) else dumps(obj)
            expect.billed[line_no] = usage
            if kind is None:
                emitted.append(line)
        elif what == "dup" and emitted:
            line = rng.choice(emitted)
            if spec.name == "claude-code":  # README: a request is the lines sharing its ids
                expect.skipped += 1
            else:
                expect.duplicates += 1
        elif what == "skip" and spec.skip is not None:
            line = dumps(spec.skip(serial))
            expect.skipped += 1
        else:
            continue
        out.append(line)
    path.write_bytes(b"".join(line + b"\n" for line in out))
    expect.lines = len(out)
    return expect


def build(
    root: Path, seed: int, n_bad: int, n_valid: int, heavy_cap: int = 2, long_tags: int = 2
) -> Corpus:
    """One file per format (streams included), `n_bad` bad lines in each."""
    corpus = Corpus()
    for spec in SPECS:
        corpus.files.append(write_file(root, spec, seed, n_bad, n_valid, heavy_cap, long_tags))
    corpus.files.append(streams.write_file(root, seed, n_bad, n_valid, heavy_cap))
    return corpus
