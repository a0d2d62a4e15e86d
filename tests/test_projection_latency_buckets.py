"""The Switch page's bucketed latency (project_latency_sketch.sql over latency_projection.sql).

Its current latency comes from the rollup's histograms when they cover the window, else from
the same pass as the projection: both must give the same buckets, hence the same percentiles.
The projection against the exact query is in tests/test_sketch.py; the rules themselves in
tests/test_projection_behaviour.py and tests/test_ui_latency_not_streamed.py.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from switchcost.queries import db, macro_registry, projection, rollup, sketch
from switchcost.queries.filters import Filters
from switchcost.queries.projection import steps
from tests.test_sketch import _ingest, _rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """900 requests over 40 days (10% of the timed ones not streamed), in two ingest runs."""
    path = tmp_path_factory.mktemp("buckets") / "b.duckdb"
    with db.connect(path) as c:
        _ingest(c, 1, _rows(11, 600))
        _ingest(c, 2, _rows(12, 300))
    return path


WINDOW = Filters(since=dt.date(2026, 9, 5), until=dt.date(2026, 9, 30), tz="Europe/Berlin")


@pytest.mark.parametrize("filters", [Filters(), WINDOW], ids=["all", "berlin-window"])
@pytest.mark.parametrize("scenario", ["all", "recommended"])
def test_current_latency_from_histograms_equals_the_one_pass_count(
    built: Path, filters: Filters, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.connect(built, read_only=True) as c:
        assert rollup.status(c, filters.tz)[1]  # the histograms cover the window
        s = projection.builtin_scenario(scenario, ("claude-haiku-4-5",))  # type: ignore[arg-type]
        base = projection.prepare_base(c, s.targets, s.tokenizer_factor, filters)
        chosen = projection.moves(base, s)
        args = (c, base.targets, base.filters, tuple(base.speeds.values()), chosen)
        from_hist = projection.prepare_latency(*args, exact=False)
        # As when the rollup does not cover the window: the query counts current latency itself.
        monkeypatch.setattr(steps.rollup, "status", lambda *_: (False, False))
        one_pass = projection.prepare_latency(*args, exact=False)
    assert from_hist == one_pass
    everything = from_hist[(None, "claude-haiku-4-5")]
    assert everything["latency_samples"] > 0
    assert everything["moved_projected"] > 0


def test_sketch_bucket_macro_is_the_python_bucket(tmp_path: Path) -> None:
    """Hand-worked buckets (gamma = 1.01 / 0.99): ceil(ln x / ln gamma)."""
    values: list[Any] = [1.0, 1.01, 0.5, 100.0, 0.0, -5.0, math.inf, None]
    # ln 1.01 / ln gamma = 0.4975 -> 1; ln 0.5 / ln gamma = -34.66 -> -34;
    # ln 100 / ln gamma = 230.26 -> 231; -5: the mirror of bucket(5) = ceil(80.47) = 81
    expected = [0, 1, -34, 231, sketch.ZERO, sketch.NEGATIVE - 81, None, None]
    with db.connect(tmp_path / "m.duckdb") as c:
        macro_registry.prepare(c, "sketch_bucket")
        got = [
            c.execute("SELECT sketch_bucket(CAST($x AS DOUBLE))", {"x": x}).fetchall()[0][0]
            for x in values
        ]
    assert got == expected
    assert got[:6] == [sketch.bucket(x) for x in values[:6]]
