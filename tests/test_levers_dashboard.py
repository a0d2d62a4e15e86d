"""The Switch page's "Other levers" section under Streamlit's AppTest, on the hand-made rows of
tests/test_levers.py (dollars worked out there)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from switchcost.queries import db
from tests.projection_db import add
from tests.test_levers import CHAT, CHAT_SWITCH, CLASSIFY, NIGHTLY, REPORTS, SONNET

ENTRY = str(Path(__file__).resolve().parents[1] / "app" / "dashboard.py")


@pytest.fixture
def database(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    c = db.connect(db_path)
    workloads: dict[str, list[dict[str, Any]]] = {
        "chat": CHAT,
        "nightly": NIGHTLY,
        "reports": REPORTS,
        "classify": CLASSIFY,
    }
    for name, rows in workloads.items():
        for fields in rows:
            add(c, model=SONNET, workload=name, **fields)
    c.close()
    monkeypatch.setenv("SWITCHCOST_DB", str(db_path))
    return db_path


def levers_rows(at: AppTest) -> dict[str, dict[str, Any]]:
    keys = [b.key for b in at.get("download_button")]
    frame = at.dataframe[keys.index("download-other_levers")].value
    return {r["workload"]: r for r in frame.to_dict("records")}


def test_other_levers_section(database: Path) -> None:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.run()
    at.switch_page("app_pages/switch.py")
    at.run()
    assert not at.exception
    assert "Other levers" in [h.value for h in at.subheader]
    at.selectbox(key="sc_mode").set_value("Everything").run()
    rows = levers_rows(at)
    assert D(str(rows["chat"]["switch_cost_usd"])) == CHAT_SWITCH
    assert D(str(rows["classify"]["caching_saves_usd"])) == D("0.0078")  # $0.0108 - $0.003
    assert rows["reports"]["batch_because"] == "batch requests in the logs"
    assert D(str(rows["reports"]["batch_now_usd"])) == D("0.0315")
    # not marked yet: no reason to batch it (an empty cell reads back as NaN)
    assert not isinstance(rows.get("nightly", {}).get("batch_because"), str)

    at.multiselect(key="sc_batchable").set_value(["nightly"]).run()
    rows = levers_rows(at)
    assert rows["nightly"]["batch_because"] == "marked here"
    assert D(str(rows["nightly"]["batch_now_usd"])) == D("0.06225")
    assert D(str(rows["nightly"]["batch_on_target_usd"])) == D("0.04075")
    texts = " ".join(str(m.value) for m in at.markdown)
    for lever in ("Cost of the switch", "Batch API", "Prompt caching"):
        assert lever in texts
