"""Projected latency for requests that were not streamed (no time to first token logged).

The rule (queries/sql/project_latency.sql): such a request takes the median time to first token
of the streamed requests of the same model and workload, else the median of the target's own
streamed requests; then it is projected like a streamed one.  Expectations worked by hand
(within 1%: the projection may read percentiles from log buckets rather than sorted values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchcost.queries import db
from switchcost.queries.projection import builtin_scenario, project
from tests.projection_db import add

HAIKU = "claude-haiku-4-5"


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    with db.connect(path) as c:
        return {
            r["workload"]: r for r in project(c, builtin_scenario("all", (HAIKU,))).rows.to_dicts()
        }


def _haiku_logs(c: Any) -> None:
    # 25 Haiku requests at 100..124 tokens/s (1 s of generation): median 112 tokens/s, and a
    # time to first token of 100 ms each (median 100 ms).
    for i in range(25):
        add(c, workload="h", model=HAIKU, output_tokens=100 + i, ttft_ms=100.0, latency_ms=1100.0)


def test_not_streamed_takes_the_same_model_and_workloads_first_token(db_path: Path) -> None:
    c = db.connect(db_path)
    _haiku_logs(c)
    add(c, workload="s", output_tokens=560, ttft_ms=300.0, latency_ms=9000.0)  # streamed
    add(c, workload="s", output_tokens=224, latency_ms=4000.0)  # not streamed
    c.close()
    r = _rows(db_path)["s"]
    # streamed:     300 + 560 / 112 s = 300 + 5000 = 5300 ms
    # not streamed: 300 (Sonnet's streamed median in "s") + 224 / 112 s = 300 + 2000 = 2300 ms
    # p50 of (2300, 5300) = 3800; p95 = 2300 + 0.95 x 3000 = 5150
    assert r["projected_p50_ms"] == pytest.approx(3800.0, rel=0.01)
    assert r["projected_p95_ms"] == pytest.approx(5150.0, rel=0.01)
    assert r["current_p50_ms"] == pytest.approx(6500.0, rel=0.01)  # of 9000 and 4000
    assert r["latency_source"] == "logs; first token estimated for 1 not streamed"


def test_without_streamed_calls_it_takes_the_targets_first_token(db_path: Path) -> None:
    c = db.connect(db_path)
    _haiku_logs(c)
    add(c, workload="n", output_tokens=112, latency_ms=3000.0)
    add(c, workload="n", output_tokens=336, latency_ms=6000.0)
    c.close()
    r = _rows(db_path)["n"]
    # Haiku's streamed median first token is 100 ms: 100 + 1000 = 1100, 100 + 3000 = 3100
    assert r["projected_p50_ms"] == pytest.approx(2100.0, rel=0.01)
    assert r["projected_p95_ms"] == pytest.approx(1100.0 + 0.95 * 2000.0, rel=0.01)


def test_relative_speed_default_uses_the_estimated_first_token(db_path: Path) -> None:
    c = db.connect(db_path)  # no Haiku timings: Haiku is 2.0 x Sonnet 4.5 (projection defaults)
    add(c, workload="d", output_tokens=100, ttft_ms=200.0, latency_ms=2200.0)
    add(c, workload="d", output_tokens=300, latency_ms=5000.0)
    c.close()
    r = _rows(db_path)["d"]
    # streamed:     200 + (2200 - 200) / 2 = 1200
    # not streamed: 200 (estimated) + (5000 - 200) / 2 = 2600;  p50 of (1200, 2600) = 1900
    assert r["projected_p50_ms"] == pytest.approx(1900.0, rel=0.01)
    assert r["latency_source"].startswith("default")


def test_no_first_token_anywhere_gives_no_projection(db_path: Path) -> None:
    c = db.connect(db_path)  # nothing streamed at all, no Haiku logs: nothing to estimate from
    add(c, workload="x", output_tokens=100, latency_ms=2000.0)
    c.close()
    r = _rows(db_path)["x"]
    assert r["current_p50_ms"] == pytest.approx(2000.0, rel=0.01)
    assert r["projected_p50_ms"] is None


def test_the_rule_is_stated_in_the_assumptions(db_path: Path) -> None:
    c = db.connect(db_path)
    add(c, workload="x", output_tokens=100, latency_ms=2000.0)
    text = project(c, builtin_scenario("all", (HAIKU,))).assumptions["latency_not_streamed"]
    c.close()
    assert "same model and workload" in text
    assert "target" in text
