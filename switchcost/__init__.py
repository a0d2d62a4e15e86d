"""switchcost: what your Claude API traffic costs, how fast it is, and what moving workloads to a
cheaper model would save.

The installed package is this namespace. Its three parts are the repository's top-level folders,
linked here so the code reads the same in a checkout and installed (docs/architecture.md):

- `switchcost.ingest`: readers of every log format, and the loader into DuckDB;
- `switchcost.queries`: the SQL, the price file, the rollups and the projection;
- `switchcost.app`: the CLI and the Streamlit dashboard.
"""

from __future__ import annotations
