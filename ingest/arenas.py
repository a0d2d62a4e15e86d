"""Cap glibc's malloc arenas for an ingest process, before any thread starts.

glibc gives each thread that allocates under contention its own arena (up to 8 per core), and
an arena keeps the pages its thread freed.  The Claude Code reader's scan threads and DuckDB's
own threads then grew a fresh ingest of 1.1 GB of large sessions to 635-750 MiB; with two
arenas it peaked at 357 MiB at the same speed.  The cap only counts if it is set before the
first extra arena exists (glibc fixes its limit then), so `ingest.load` sets it when imported.
"""

from __future__ import annotations

import ctypes
import sys

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def cap() -> bool:
    """Set the cap; False where there is no glibc `mallopt` (other systems, musl)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(ctypes.c_int(_M_ARENA_MAX), ctypes.c_int(ARENAS)))
    except (OSError, AttributeError):
        return False
