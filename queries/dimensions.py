"""What reports can be grouped by: a module without DuckDB, so the CLI offers the same choices
the queries accept without loading them."""

from __future__ import annotations

from typing import Literal, get_args

# Request logs (queries.reports, `switchcost report`).
Dimension = Literal["day", "week", "month", "model", "workload", "project", "session", "source"]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)

# Anthropic's usage and cost reports (queries.buckets, `switchcost report-api`).
BucketDimension = Literal[
    "day",
    "week",
    "month",
    "model",
    "workspace",
    "api_key",
    "service_tier",
    "context_window",
    "speed",
    "inference_geo",
]
BUCKET_DIMENSIONS: tuple[str, ...] = get_args(BucketDimension)
