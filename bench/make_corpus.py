"""Write the benchmark corpus: a Claude Code tree of about 1.1 GB, or append new calls to one.

    python -m bench.make_corpus OUT_DIR [--target-bytes 1100000000] [--seed 7]
    python -m bench.make_corpus OUT_DIR --append-fraction 0.01 --seed 8
    python -m bench.make_corpus OUT_DIR --shape few-large   # the second corpus shape
    python -m bench.make_corpus LOG.jsonl --messages-log     # a Messages API app log

Sessions are generated in worker processes, each from its own seed, and counted in index order
until the target size is reached, so the output does not depend on the number of workers.
Defaults give about 300,000 billed calls in about 4,800 files (main sessions + sub-agents).

`--shape few-large` writes another shape of tree, for the same target size: about 85% of the
bytes in a few dozen large sessions, each main file opening with a long user line (1-4 MB, as a
pasted document leaves it), and the rest in many tiny sessions (one file of a few calls each).

`--messages-log` writes one Messages API application log (bench.synth.messages_log) of about
`--target-bytes`: a piece of up to 128 MB is generated, then repeated with its message and
request ids rewritten per copy (so every copy is new calls), which is fast at 5 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import synth

RESUME_RATE = 0.01


def corpus_config(seed: int, start: datetime, days: int) -> synth.TreeConfig:
    """Session sizes giving ~3.7 KB per billed call and ~3 files per session, like real trees."""
    return synth.TreeConfig(
        seed=seed,
        start_ms=synth.to_ms(start),
        days=days,
        n_projects=40,
        requests_per_session=150.0,
        subagents_per_session=2.0,
        agent_requests=20.0,
        tool_result_scale=0.8,
    )


def large_config(seed: int, start: datetime, days: int) -> synth.TreeConfig:
    """Few, large sessions (about 20 MB each, most of it the main file)."""
    return synth.TreeConfig(
        seed=seed,
        start_ms=synth.to_ms(start),
        days=days,
        n_projects=5,
        requests_per_session=5000.0,
        subagents_per_session=1.0,
        agent_requests=40.0,
        tool_result_scale=0.8,
    )


def tiny_config(seed: int, start: datetime, days: int) -> synth.TreeConfig:
    """Many tiny sessions: one file of a few calls each."""
    return synth.TreeConfig(
        seed=seed,
        start_ms=synth.to_ms(start),
        days=days,
        n_projects=60,
        requests_per_session=3.0,
        subagents_per_session=0.0,
        agent_requests=1.0,
        tool_result_scale=0.5,
    )


def _is_resumed(seed: int, index: int) -> bool:
    return index >= 10 and random.Random(f"{seed}/resume/{index}").random() < RESUME_RATE


def resume_source(seed: int, index: int) -> int | None:
    """The earlier ordinary session that session `index` resumes, if it is a resumed copy."""
    if not _is_resumed(seed, index):
        return None
    rng = random.Random(f"{seed}/resume/{index}")
    rng.random()
    source = rng.randrange(max(0, index - 200), index)
    return None if _is_resumed(seed, source) else source


def _work(job: tuple[Path, synth.TreeConfig, int]) -> tuple[int, int, int, int]:
    root, cfg, index = job
    out = synth.write_session(root, cfg, index, resume_source(cfg.seed, index))
    return index, len(out.files), out.bytes_written, out.n_requests


def build(
    out_dir: Path,
    *,
    target_bytes: int,
    seed: int,
    start: datetime,
    days: int,
    workers: int,
    cfg: synth.TreeConfig | None = None,
    min_session_bytes: int = 300_000,
) -> tuple[int, int, int]:
    """Write sessions 0..k, k the first index at which the total reaches `target_bytes`.

    Returns (files, bytes, billed requests).
    """
    cfg = cfg or corpus_config(seed, start, days)
    upper = target_bytes // min_session_bytes + 100
    jobs = ((out_dir, cfg, i) for i in range(upper))
    files = written = requests = 0
    if workers <= 1:
        for _, n_files, n_bytes, n_req in map(_work, jobs):
            files, written, requests = files + n_files, written + n_bytes, requests + n_req
            if written >= target_bytes:
                break
        return files, written, requests
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    stop = upper
    with ctx.Pool(workers) as pool:
        for index, n_files, n_bytes, n_req in pool.imap(_work, jobs):
            files, written, requests = files + n_files, written + n_bytes, requests + n_req
            if written >= target_bytes:
                stop = index + 1
                break
        pool.terminate()
        pool.join()
    _remove_sessions(out_dir, cfg, range(stop, upper))
    return files, written, requests


def _remove_sessions(out_dir: Path, cfg: synth.TreeConfig, indices: range) -> None:
    """Delete what workers wrote for sessions past the stopping point."""
    base = out_dir / "projects"
    for i in indices:
        main, sub = synth.session_files(cfg, i, resume_source(cfg.seed, i))
        (base / main).unlink(missing_ok=True)
        if (base / sub).exists():
            shutil.rmtree(base / sub)
    for project in base.iterdir():
        if project.is_dir() and not any(project.iterdir()):
            project.rmdir()


def build_few_large(
    out_dir: Path, *, target_bytes: int, seed: int, start: datetime, days: int, workers: int
) -> tuple[int, int, int]:
    """The second shape: large sessions opening with a long line, then many tiny sessions."""
    large = large_config(seed, start, days)
    big = int(target_bytes * 0.85)
    files, written, requests = build(
        out_dir, target_bytes=big, seed=seed, start=start, days=days, workers=workers, cfg=large
    )
    rng = random.Random(f"{seed}/long-first-line")
    for path in sorted((out_dir / "projects").glob("*/*.jsonl")):
        pad = "x" * rng.randint(1_000_000, 4_000_000)
        line = (
            '{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/work",'
            f'"sessionId":"{path.stem}","version":"1.0.98","type":"user","message":'
            f'{{"role":"user","content":"{pad}"}},"uuid":"long-{path.stem}",'
            '"timestamp":"2026-08-27T00:00:00.000Z"}\n'
        ).encode()
        data = path.read_bytes()
        path.write_bytes(line + data)
        written += len(line)
    tiny = tiny_config(seed + 1, start, days)
    f2, w2, r2 = build(
        out_dir,
        target_bytes=max(1, target_bytes - written),
        seed=seed + 1,
        start=start,
        days=days,
        workers=workers,
        cfg=tiny,
        min_session_bytes=3_000,
    )
    return files + f2, written + w2, requests + r2


def messages_log(
    path: Path, *, target_bytes: int, seed: int, piece_bytes: int = 128 * 1024 * 1024
) -> tuple[int, int]:
    """A Messages API application log of about `target_bytes`; (bytes, records written)."""
    piece_bytes = min(target_bytes, piece_bytes)
    piece = path.with_name(path.name + ".piece")
    start = datetime(2026, 8, 27, tzinfo=UTC)
    n = max(10, piece_bytes // 720)  # about 720 bytes a record
    synth.messages_log(piece, seed=seed, start=start, days=30, n_requests=n)
    data = piece.read_bytes()
    piece.unlink()
    written = copies = 0
    with path.open("wb") as out:
        while written < target_bytes:
            tag = f"c{copies:04d}".encode()
            chunk = (
                data
                if copies == 0
                else data.replace(b'"msg_', b'"msg_' + tag).replace(b'"req_', b'"req_' + tag)
            )
            out.write(chunk)
            written += len(chunk)
            copies += 1
    return written, data.count(b"\n") * copies


def append(out_dir: Path, *, fraction: float, seed: int) -> tuple[int, int, int]:
    """Append `fraction` x the existing call count as new calls; return (files, bytes, calls)."""
    files = sorted((out_dir / "projects").rglob("*.jsonl"))
    if not files:
        raise SystemExit(f"{out_dir}: no Claude Code tree (projects/**/*.jsonl) to append to")
    before = {f: f.stat().st_size for f in files}
    n = max(1, round(synth.count_requests(out_dir) * fraction))
    new = synth.append_requests(out_dir, seed=seed, n_requests=n)
    grown = {f: f.stat().st_size - size for f, size in before.items() if f.stat().st_size > size}
    return len(grown), sum(grown.values()), len(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.make_corpus", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="corpus root; the tree goes to OUT_DIR/projects")
    parser.add_argument("--target-bytes", type=int, default=1_100_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2026-08-27", help="first UTC day (YYYY-MM-DD)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--append-fraction",
        type=float,
        default=None,
        help="append this fraction of the existing call count to an existing corpus",
    )
    parser.add_argument("--shape", choices=("bench", "few-large"), default="bench")
    parser.add_argument(
        "--messages-log", action="store_true", help="write OUT_DIR as one Messages API app log"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    out_dir: Path = args.out_dir
    if args.messages_log:
        nbytes, records = messages_log(out_dir, target_bytes=args.target_bytes, seed=args.seed)
        print(f"wrote {out_dir}: {nbytes} bytes, {records} records", file=sys.stderr)
        return 0
    if args.append_fraction is not None:
        files, nbytes, requests = append(out_dir, fraction=args.append_fraction, seed=args.seed)
        verb = "appended to"
    else:
        projects = out_dir / "projects"
        if projects.exists() and any(projects.iterdir()):
            print(f"{projects} is not empty; remove it first", file=sys.stderr)
            return 1
        start = datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=UTC)
        make = build_few_large if args.shape == "few-large" else build
        files, nbytes, requests = make(
            out_dir,
            target_bytes=args.target_bytes,
            seed=args.seed,
            start=start,
            days=args.days,
            workers=args.workers,
        )
        verb = "wrote"
    secs = time.perf_counter() - t0
    print(
        f"{verb} {files} files, {nbytes} bytes, {requests} requests in {secs:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
