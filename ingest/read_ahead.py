"""Reading the next chunk while the loader merges this one, so both cores work.

A reader never touches the database (it parses files into its own rows), so chunk k + 1 can be
read in a thread while chunk k is merged and committed.  Only readers that say so
(`READ_AHEAD = True`) are read ahead: the Claude Code reader, with SWITCHCOST_READ_AHEAD=1 (it
runs its parse in its own DuckDB, the GIL released), and one chunk's merge is then done beside
the next chunk's scan.  At most one chunk is read ahead, so a run holds at most two chunks'
rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, TypeVar

from switchcost.ingest.records import FileTask


class Closable(Protocol):
    def close(self) -> None: ...


R = TypeVar("R", bound=Closable)


def read_ahead(
    read: Callable[[list[FileTask]], R], chunks: list[list[FileTask]]
) -> Generator[tuple[list[FileTask], R], None, None]:
    """(chunk, its result) in order, the next chunk read in a thread meanwhile.  The caller
    closes each result it is given; one read ahead but never given (the caller stopped) is
    closed here."""
    if not chunks:
        return
    with ThreadPoolExecutor(1, thread_name_prefix="switchcost-read-ahead") as pool:
        ahead: Future[R] | None = pool.submit(read, chunks[0])
        try:
            for i, chunk in enumerate(chunks):
                assert ahead is not None
                result = ahead.result()
                ahead = pool.submit(read, chunks[i + 1]) if i + 1 < len(chunks) else None
                yield chunk, result
        finally:
            if ahead is not None:
                with contextlib.suppress(BaseException):
                    ahead.result().close()
