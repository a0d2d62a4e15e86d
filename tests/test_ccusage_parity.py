"""Per-day, per-model cost equals ccusage's to the cent on a generated Claude Code tree.

ccusage (npm `ccusage` + `@ccusage/ccusage-linux-x64`) is the public tool people compare with.
`.ci/run` installs it and sets SWITCHCOST_CCUSAGE; elsewhere the test is skipped.  The tree has
no long-context requests: there the two tools differ on purpose (see README, "Costs").
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from bench.synth import claude_code_tree
from switchcost.ingest.load import ingest_paths
from switchcost.queries import db
from switchcost.queries.price_file import load_price_book
from switchcost.queries.run_sql import run

CCUSAGE = os.environ.get("SWITCHCOST_CCUSAGE", "")
CENT = Decimal("0.01")


@pytest.mark.skipif(not CCUSAGE or not Path(CCUSAGE).exists(), reason="ccusage not installed")
def test_daily_cost_per_model_matches_ccusage(tmp_path: Path, db_path: Path) -> None:
    tree = tmp_path / "claude"
    claude_code_tree(
        tree, seed=11, start=dt.datetime(2026, 10, 28, tzinfo=dt.UTC), days=6, n_sessions=60
    )
    proc = subprocess.run(
        [CCUSAGE, "claude", "daily", "--offline", "--json", "-z", "UTC", "--breakdown"],
        env={**os.environ, "CLAUDE_CONFIG_DIR": str(tree)},
        capture_output=True,
        text=True,
        check=True,
    )
    aliases = {name: m.id for m in load_price_book().models.values() for name in (m.id, *m.aliases)}
    theirs: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for day in json.loads(proc.stdout)["daily"]:
        for part in day["modelBreakdowns"]:
            assert not part.get("missingPricing"), part
            theirs[(day["date"], aliases[part["modelName"]])] += Decimal(str(part["cost"]))
    ingest_paths([tree], db_path=db_path)
    with db.connect(db_path, read_only=True) as conn:
        ours = {
            (r["day"], r["model"]): Decimal(r["cost_usd"])
            for r in run(conn, "spend_by_day_model", tz="UTC").to_dicts()
        }
    assert len(ours) >= 10
    assert set(ours) == set(theirs)
    for key, cost in ours.items():
        assert abs(cost - theirs[key]) < CENT / 2, (key, cost, theirs[key])
