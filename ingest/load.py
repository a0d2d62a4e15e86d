"""An ingest run: read what is new, merge it, remember how far we got, a batch at a time.

Each batch (a chunk of files, or a range of a large one) is one transaction carrying both its
rows and the read positions of the files it covers, so a run killed at any point loses nothing
and doubles nothing: the database holds the batches committed so far with their positions, and
the next run starts from exactly there.  Records merge on their dedup key: a key already stored
is skipped unless the new record carries more tokens (Claude Code rewrites a streaming response's
usage as it completes), so re-reading is harmless.

The rollup (`request_groups` and the latency histograms) is refreshed once, in the run's last
transaction with its `ingest_runs` row.  The first batch that changes `requests` marks the rollup
as not covering them (`rollup_meta`: requests -1, histograms unknown), so until the run ends a
reader takes the exact per-request path rather than a stale rollup; the last transaction puts
the mark back and refreshes.  A run killed between batches leaves the mark, and the next refresh
(any run's) rebuilds the rollup whole, so it is never wrong.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from switchcost.ingest import arenas, stamp
from switchcost.ingest import discover as disc
from switchcost.ingest.buckets import BucketResult
from switchcost.ingest.load_buckets import merge_file_buckets
from switchcost.ingest.merge import merge
from switchcost.ingest.read_ahead import read_ahead
from switchcost.ingest.readers import REGISTRY, detect, skip_reason
from switchcost.ingest.records import FileTask, Malformed, ReadOptions, ReadResult
from switchcost.ingest.summary import IngestReport
from switchcost.ingest.tasks import count_newlines, line_end_after
from switchcost.queries import db, rollup
from switchcost.queries.run_sql import rows as sql_rows

# Files are read in chunks of about this many bytes: small enough to keep the parser's memory
# flat, large enough that per-query overhead stays negligible.
CHUNK_BYTES = int(os.environ.get("SWITCHCOST_CHUNK_BYTES", 128 * 1024 * 1024))
Progress = Callable[[int, int], None]
arenas.cap()  # before the reader's and DuckDB's threads start (see ingest/arenas.py)
Resume = dict[str, tuple[int, int]]
# The rollup no longer covers every request (rollup_status then says unusable) and its
# histograms are unknown (queries.rollup.refresh then rebuilds it whole): set by a run's first
# batch that changes `requests`, undone by the run's last transaction just before its refresh.
MARK_STALE = "UPDATE rollup_meta SET requests = -1, hist_requests = NULL"
REFRESH_MEMORY = "160MB"


def _states(conn: duckdb.DuckDBPyConnection) -> dict[str, disc.FileState]:
    return {
        r[0]: disc.FileState(*r)
        for r in conn.execute(
            "SELECT path, format, size, mtime, bytes_done, lines_done, head_hash, resets"
            " FROM source_files"
        ).fetchall()
    }


@dataclass
class _Loading:
    """One run's loading of chunks: read, merge, remember how far each file got."""

    conn: duckdb.DuckDBPyConnection
    options: ReadOptions
    run_id: int
    resets: set[str]
    states: dict[str, disc.FileState]
    report: IngestReport
    progress: Progress | None
    total: int
    done: int = 0
    # With a forced --format: the files read, and those that gave a request, bucket or bad line.
    forced: bool = False
    read_paths: set[str] = field(default_factory=set)
    productive: set[str] = field(default_factory=set)
    # Set once a batch has changed `requests`: the rollup is marked stale until the run ends.
    marked: bool = False

    def load(
        self, name: str, chunk: list[FileTask], read: ReadResult | BucketResult | None = None
    ) -> dict[str, tuple[int, int]]:
        """Read `chunk` with format `name`'s reader (unless `read` is its result already) and
        merge it in one transaction with the read positions; where each file stopped."""
        result = read if read is not None else REGISTRY[name].read(chunk, self.options)
        try:
            with db.transaction(self.conn):
                resume = self._merge(name, chunk, result)
        finally:
            result.close()
        report = self.report
        report.files_read += sum(not t.cut for t in chunk)  # a file cut in ranges counts once
        self.done += sum(t.end - t.start for t in chunk)
        if self.progress:
            self.progress(min(self.done, self.total), self.total)
        return resume

    def _merge(self, name: str, chunk: list[FileTask], result: ReadResult | BucketResult) -> Resume:
        if isinstance(result, BucketResult):  # aggregates (Console CSV)
            merge_file_buckets(self.conn, result)
            if self.forced:
                self.productive.update(str(r["origin"]) for r in result.usage + result.cost)
        new, updated, dup = merge(self.conn, result.table, self.run_id)
        if (new or updated) and not self.marked:
            self.conn.execute(MARK_STALE)
            self.marked = True
        report = self.report
        report.new_requests += new
        report.updated_requests += updated
        report.duplicates += dup
        report.error_records += result.error_records
        report.response_lines += result.response_lines
        report.other_lines += result.other_lines
        report.malformed.extend(result.malformed)
        if self.forced:
            self.read_paths.update(str(t.path) for t in chunk if t.end > t.start)
            self.productive.update(m.path for m in result.malformed)
        _record_malformed(self.conn, result.malformed, self.run_id)
        _remember(self.conn, name, chunk, result.resume, self.resets, self.run_id, self.states)
        resume: Resume = result.resume
        return resume


def _in_ranges(
    task: FileTask, limit: int, load: Callable[[list[FileTask]], dict[str, tuple[int, int]]]
) -> None:
    """Read a large task as consecutive ranges of about `limit` bytes, each loaded before the
    next is read, so a reader that holds a range's rows (the Messages API reader) holds only a
    range's.  Each range starts where the reader stopped in the one before (it stops early at
    a stream still open at the cut); a range the reader could not get past grows until it can."""
    start, line, size = task.start, task.start_line, limit
    while True:
        end = task.end
        if start + size < task.end:
            end = line_end_after(task.path, start + size, task.end)
        piece = replace(task, start=start, end=end, start_line=line, cut=end < task.end)
        stop = load([piece])[str(task.path)]
        if not piece.cut:
            return
        if stop[0] <= start:
            size *= 2  # one stream spans the whole range: read more at once
            continue
        start, line = stop


def _chunks(tasks: list[FileTask]) -> list[list[FileTask]]:
    out: list[list[FileTask]] = []
    size = 0
    for task in tasks:
        if not out or size >= CHUNK_BYTES:
            out.append([])
            size = 0
        out[-1].append(task)
        size += task.end - task.start
    return out


def ingest_paths(
    paths: list[Path],
    *,
    db_path: Path | None = None,
    fmt: str = "auto",
    options: ReadOptions | None = None,
    prices: Path | None = None,
    wait: float = db.LOCK_WAIT_SECONDS,
    progress: Progress | None = None,
    seen: list[tuple[str, int, int]] | None = None,
    tree: disc.Tree | None = None,
) -> IngestReport:
    """Read every new line under `paths` into the database, a transaction per batch.

    `seen` and `tree` are `discover.walk(paths)` when the caller already took it (to check the
    stamp); the stamp keeps the tree so the next run can skip the walk.
    """
    options = options or ReadOptions()
    if fmt != "auto" and fmt not in REGISTRY:
        raise disc.InputError(f"unknown format {fmt!r}; known: auto, {', '.join(REGISTRY)}")
    # Taken before anything is read: a file that grows during the run differs next time.
    if seen is None:
        seen, tree = disc.walk(paths)
    inputs = stamp.inputs_digest(seen, fmt)
    report = IngestReport(files_seen=len(seen))
    if tree is not None:
        report.skipped_files.extend(tree.skipped)  # FIFOs, devices, link loops, ...
    started = dt.datetime.now(dt.UTC)
    conn = db.connect(db_path, wait=wait, prices=prices)
    partly_read = 0
    try:
        states = _states(conn)
        by_format: dict[str, list[FileTask]] = {}
        resets: set[str] = set()
        for path_text, size, mtime_ns in seen:
            state = states.get(path_text)
            if state is not None and state.unchanged(size, _st_mtime(mtime_ns)):
                report.files_up_to_date += 1  # as plan() would say, without a second stat
                continue
            path = Path(path_text)
            name = fmt if fmt != "auto" else (state.format if state else None)
            if name is None:
                head = disc.read_head(path)
                name = detect(path, head)
                if name is None:
                    report.skipped_files.append((str(path), skip_reason(path, head, size)))
                    continue
            whole = getattr(REGISTRY.get(name), "WHOLE_FILE", False)
            task, replaced = disc.plan(path, state, whole_file=whole)
            if replaced:
                resets.add(str(path))
            if task is None:
                report.files_up_to_date += 1
                continue
            by_format.setdefault(name, []).append(task)
        total = sum(t.end - t.start for ts in by_format.values() for t in ts)
        run_id = int(conn.execute("SELECT nextval('ingest_run_seq')").fetchall()[0][0])
        rollup.track_updates(conn)
        report.run_id = run_id
        # As the last finished run left it; put back before the refresh (see MARK_STALE).
        meta = conn.execute("SELECT requests, hist_requests FROM rollup_meta").fetchall()
        loading = _Loading(conn, options, run_id, resets, states, report, progress, total)
        loading.forced = fmt != "auto"
        for name, tasks in by_format.items():
            limit: int = getattr(REGISTRY[name], "RANGE_BYTES", 0)  # 0: never in ranges
            large = [t for t in tasks if limit and t.end - t.start > limit]
            chunks = _chunks([t for t in tasks if t not in large])
            if getattr(REGISTRY[name], "READ_AHEAD", False):
                reader = functools.partial(REGISTRY[name].read, options=options)
                # closed at once if a merge fails: the chunk read ahead is closed too
                with contextlib.closing(read_ahead(reader, chunks)) as pairs:
                    for chunk, result in pairs:
                        loading.load(name, chunk, result)
            else:
                for chunk in chunks:
                    loading.load(name, chunk)
            for task in large:
                _in_ranges(task, limit, functools.partial(loading.load, name))
        # The refresh holds what it writes until the commit: folding 480,000 appended
        # requests into their hours ran out of the writer's 64 MB pool, so it gets more
        # (the readers' pools are closed by then; SWITCHCOST_MEMORY, when set, is kept).
        if not os.environ.get("SWITCHCOST_MEMORY"):
            conn.execute(f"SET memory_limit = '{REFRESH_MEMORY}'")
        with db.transaction(conn):
            if loading.marked and meta:
                conn.execute(
                    "UPDATE rollup_meta SET requests = $r, hist_requests = $h",
                    {"r": meta[0][0], "h": meta[0][1]},
                )
            rollup.refresh(conn, run_id)
            report.nothing_billable = _nothing_billable(conn, loading)
            report.files_reset = len(resets)
            if report.new_requests or report.updated_requests:
                for model, count in sql_rows(conn, "unpriced_in_run", folder="write", run=run_id):
                    report.unpriced_models[str(model)] = int(count)
            report.unpriced_requests = sum(report.unpriced_models.values())
            conn.execute(
                "INSERT INTO ingest_runs VALUES ($id, $s, current_timestamp, $f, $n, $d, $m, $u)",
                {
                    "id": run_id,
                    "s": started,
                    "f": report.files_read,
                    "n": report.new_requests,
                    "d": report.duplicates,
                    "m": len(report.malformed),
                    "u": report.unpriced_requests,
                },
            )
            partly_read = conn.execute(
                "SELECT count(*) FROM source_files WHERE size < 0"
            ).fetchall()[0][0]
    finally:
        conn.close()
    target = db_path or db.default_db_path()
    db.sweep_spill_folder(target)
    if partly_read:
        stamp.clear(target)
    else:
        stamp.write(target, inputs, report.skipped_files, tree, seen)
    return report


def _nothing_billable(conn: duckdb.DuckDBPyConnection, loading: _Loading) -> list[str]:
    """Files read with a forced format that hold no request (from this run or an earlier one),
    no bucket and no malformed line: the format matched nothing in them."""
    quiet = sorted(loading.read_paths - loading.productive)
    if not quiet:
        return []
    billed = {
        str(p)
        for (p,) in conn.execute(
            "SELECT DISTINCT source_file FROM requests WHERE source_file IN (SELECT unnest($p))",
            {"p": quiet},
        ).fetchall()
    }
    return [p for p in quiet if p not in billed]


def _st_mtime(mtime_ns: int) -> float:
    """os.stat()'s float st_mtime from st_mtime_ns, bit for bit (CPython's own arithmetic)."""
    return (mtime_ns // 1_000_000_000) + (mtime_ns % 1_000_000_000) * 1e-9


def _remember(
    conn: duckdb.DuckDBPyConnection,
    fmt: str,
    tasks: list[FileTask],
    resume: dict[str, tuple[int, int]],
    resets: set[str],
    run_id: int,
    states: dict[str, disc.FileState],
) -> None:
    """Record how far each file was read, in one statement (thousands of files per run)."""
    cols: dict[str, list[object]] = {
        k: []
        for k in (
            "path",
            "format",
            "size",
            "mtime",
            "bytes_done",
            "lines_done",
            "head_hash",
            "resets",
            "last_run_id",
        )
    }
    for task in tasks:
        path = str(task.path)
        bytes_done, lines_done = resume.get(path, (task.end, task.start_line))
        # A file read only partly (an unfinished stream, or a last line without a newline left
        # until the file is quiet) must not look unchanged next time.
        full = bytes_done >= task.end and (task.open_end or task.end >= task.size)
        if task.open_end and bytes_done >= task.end:
            # The unterminated last line counts as a line, whatever a reader counted.
            lines_done = task.start_line + count_newlines(task.path, task.start, task.end) + 1
        values = (
            path,
            fmt,
            # From before the read (plan time): a file that grew since differs next time.
            task.size if full else -1,
            task.mtime if full else -1.0,
            bytes_done,
            lines_done,
            _head_hash(task, bytes_done, states.get(path), path in resets),
            1 if path in resets else 0,
            run_id,
        )
        for key, value in zip(cols, values, strict=True):
            cols[key].append(value)
    # Lists bound as parameters: a pyarrow table built from Python lists would import pandas.
    conn.execute(
        "INSERT INTO source_files SELECT "
        + ", ".join(f"unnest(${k})" for k in cols)
        + " ON CONFLICT (path) DO UPDATE"
        " SET format = excluded.format, size = excluded.size, mtime = excluded.mtime,"
        " bytes_done = excluded.bytes_done, lines_done = excluded.lines_done,"
        " head_hash = excluded.head_hash, resets = source_files.resets + excluded.resets,"
        " last_run_id = excluded.last_run_id",
        cols,
    )


def _head_hash(task: FileTask, done: int, state: disc.FileState | None, reset: bool) -> str:
    """The hash of the file's first bytes, read again only when they can have changed: an
    append after a full head was already checked against the stored hash by `plan`."""
    if state is not None and not reset and task.start >= disc.HEAD_BYTES:
        return state.head_hash
    return disc.head_hash(task.path, min(disc.HEAD_BYTES, done))


def _record_malformed(conn: duckdb.DuckDBPyConnection, bad: list[Malformed], run_id: int) -> None:
    if not bad:
        return
    conn.execute(
        "INSERT INTO malformed_lines SELECT unnest($p), unnest($l)::BIGINT, unnest($r), $run"
        " ON CONFLICT (path, line) DO UPDATE SET reason = excluded.reason,"
        " run_id = excluded.run_id",
        {
            "p": [m.path for m in bad],
            "l": [m.line for m in bad],
            "r": [m.reason for m in bad],
            "run": run_id,
        },
    )
