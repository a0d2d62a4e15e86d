"""The projection's latency columns: current and projected p50/p95 and where they came from."""

from __future__ import annotations

from typing import Any

import polars as pl

from switchcost.queries.latency import TargetSpeed

NO_LATENCY: dict[str, Any] = {
    "latency_samples": 0,
    "projected_samples": 0,
    "moved_projected": 0,
    "current_p50_ms": None,
    "current_p95_ms": None,
    "projected_p50_ms": None,
    "projected_p95_ms": None,
}
LATENCY_SCHEMA: dict[str, Any] = {
    "current_p50_ms": pl.Float64,
    "current_p95_ms": pl.Float64,
    "projected_p50_ms": pl.Float64,
    "projected_p95_ms": pl.Float64,
    "latency_source": pl.String,
}


def latency_cells(lat: dict[str, Any]) -> dict[str, float | None]:
    """Current and projected p50/p95; projected None when a timed request could not be
    projected (leaving it out would bias the percentiles towards the requests that could)."""
    whole = lat["projected_samples"] == lat["latency_samples"]
    return {
        "current_p50_ms": lat["current_p50_ms"],
        "current_p95_ms": lat["current_p95_ms"],
        "projected_p50_ms": lat["projected_p50_ms"] if whole else None,
        "projected_p95_ms": lat["projected_p95_ms"] if whole else None,
    }


def source_label(lat: dict[str, Any], moved_requests: int, speed: TargetSpeed) -> str:
    """Where a row's projected latency comes from, or why it has none."""
    if not lat["latency_samples"]:
        return "no timing in logs"
    if not moved_requests:
        return "unchanged (nothing moves)"
    if not lat["moved_projected"]:
        return "no timing or speed data for moved requests"
    if lat.get("ttft_estimated"):
        return f"{speed.source}; first token estimated for {lat['ttft_estimated']:,} not streamed"
    return str(speed.source)


def with_latency(
    rows: pl.DataFrame,
    latency: dict[tuple[str | None, str], dict[str, Any]],
    speeds: dict[str, TargetSpeed],
) -> pl.DataFrame:
    """`rows` with the latency columns of its workload x target."""
    extra: list[dict[str, Any]] = []
    for r in rows.iter_rows(named=True):
        lat = latency.get((r["workload"], r["target"]), NO_LATENCY)
        label = source_label(lat, int(r["moved_requests"]), speeds[r["target"]])
        extra.append({**latency_cells(lat), "latency_source": label})
    lat_frame = pl.DataFrame(extra, schema=LATENCY_SCHEMA)
    return pl.concat([rows, lat_frame], how="horizontal")
