"""What replays measured, per workload and target: pass rate, output ratio, tokenizer factor
and latency, each with its 95% interval.

Evidence for a (workload, target) is its most recent replay run that graded any of the
workload's samples.  Over that run's graded samples: pass rate = passed / graded (Wilson
interval); output ratio = Σ target output tokens / Σ original output tokens (ratio of sums,
bootstrap interval); tokenizer factor = Σ target input tokens counted by count_tokens / Σ the
original's input tokens (input + cache writes + reads); latency and time to first token are the
medians of the live calls (none for batch runs).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import duckdb

from switchcost.queries.measured.intervals import bootstrap, ratio_interval, ratio_of_sums, wilson


@dataclass(frozen=True)
class Sampled:
    original_input: int
    counted_input: int
    original_output: int
    target_output: int
    passed: bool
    original_model: str = ""


@dataclass(frozen=True)
class Evidence:
    workload: str
    target: str
    run_id: str
    grader: str
    samples: tuple[Sampled, ...]
    latency_p50_ms: float | None
    ttft_p50_ms: float | None
    latencies: tuple[float, ...] = ()

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def passed(self) -> int:
        return sum(1 for s in self.samples if s.passed)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.n

    @property
    def pass_rate_ci(self) -> tuple[float, float]:
        return wilson(self.passed, self.n)

    def output_pairs(self) -> list[tuple[float, float]]:
        return [(float(s.target_output), float(s.original_output)) for s in self.samples]

    @property
    def output_ratio(self) -> float | None:
        return ratio_of_sums(self.output_pairs())

    def output_ratio_ci(self, seed: int = 0) -> tuple[float, float] | None:
        pairs = self.output_pairs()
        if not sum(d for _, d in pairs):
            return None
        return ratio_interval(pairs, seed=seed)

    @property
    def tokenizer_factor(self) -> float | None:
        return ratio_of_sums(
            [(float(s.counted_input), float(s.original_input)) for s in self.samples]
        )

    def latency_ci(self, seed: int = 0) -> list[float] | None:
        """Bootstrap interval of the median live latency (None without live timings)."""
        if not self.latencies:
            return None
        lo, hi = bootstrap(list(self.latencies), statistics.median, seed=seed)
        return [round(lo, 3), round(hi, 3)]

    def as_json(self, seed: int = 0) -> dict[str, Any]:
        """The `measured` object of a projection row."""
        ci = self.output_ratio_ci(seed)
        return {
            "n": self.n,
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "pass_rate_ci": [round(x, 4) for x in self.pass_rate_ci],
            "output_ratio": None if self.output_ratio is None else round(self.output_ratio, 4),
            "output_ratio_ci": None if ci is None else [round(x, 4) for x in ci],
            "tokenizer_factor": None
            if self.tokenizer_factor is None
            else round(self.tokenizer_factor, 4),
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p50_ms_ci": self.latency_ci(seed),
            "ttft_p50_ms": self.ttft_p50_ms,
            "grader": self.grader,
            "run_id": self.run_id,
        }


_ROWS = """
WITH graded AS (
    SELECT s.workload, r.target, s.run_id, r.started_at, v.grader, s.request_key, v.passed,
           s.original_input_tokens, s.counted_input_tokens, s.original_output_tokens,
           s.target_output_tokens, s.latency_ms, s.ttft_ms, s.original_model
    FROM replay_samples AS s
    JOIN replay_runs AS r USING (run_id)
    JOIN replay_verdicts AS v USING (run_id, request_key)
    WHERE s.status = 'answered'
),
latest AS (
    SELECT workload, target, arg_max(run_id, (started_at, run_id)) AS run_id
    FROM graded GROUP BY workload, target
)
SELECT g.* FROM graded AS g JOIN latest USING (workload, target, run_id)
ORDER BY g.workload, g.target, g.request_key, g.grader
"""


def load(conn: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], Evidence]:
    """Evidence per (workload, target); a sample graded twice counts once (its first grader
    by name)."""
    cursor = conn.execute(_ROWS)
    names = [d[0] for d in cursor.description or []]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    seen: set[tuple[str, str, str]] = set()
    for row in cursor.fetchall():
        r = dict(zip(names, row, strict=True))
        mark = (r["workload"], r["target"], r["request_key"])
        if mark in seen:
            continue
        seen.add(mark)
        groups.setdefault((r["workload"], r["target"]), []).append(r)
    out = {}
    for (workload, target), rows in groups.items():
        lat = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
        ttft = [r["ttft_ms"] for r in rows if r["ttft_ms"] is not None]
        out[(workload, target)] = Evidence(
            workload=workload,
            target=target,
            run_id=rows[0]["run_id"],
            grader=", ".join(sorted({r["grader"] for r in rows})),
            samples=tuple(
                Sampled(
                    int(r["original_input_tokens"]),
                    int(r["counted_input_tokens"] or 0),
                    int(r["original_output_tokens"]),
                    int(r["target_output_tokens"] or 0),
                    bool(r["passed"]),
                    str(r["original_model"]),
                )
                for r in rows
            ),
            latency_p50_ms=statistics.median(lat) if lat else None,
            ttft_p50_ms=statistics.median(ttft) if ttft else None,
            latencies=tuple(lat),
        )
    return out
