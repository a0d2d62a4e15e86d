"""Task classes follow Anthropic's advice: fact lookup stays even when feature tags disagree."""

from __future__ import annotations

import json
from pathlib import Path

from switchcost.queries import db
from switchcost.queries.task_class import task_classes
from tests.rows import insert, request


def test_names_outvote_feature_tags_and_explicit_task_tags_win(db_path: Path) -> None:
    with db.connect(db_path) as conn:
        insert(
            conn,
            *[
                request(workload="docs-qa", tags=json.dumps({"feature": "summarise"}))
                for _ in range(5)
            ],
            request(workload="docs-qa"),
            request(workload="ticket-router", tags=json.dumps({"task": "classification"})),
            request(workload="support-chatbot"),
            request(workload="mystery"),
        )
        got = {r["workload"]: r["task_class"] for r in task_classes(conn).to_dicts()}
    assert got == {
        "docs-qa": "fact-lookup",
        "ticket-router": "transformation",
        "support-chatbot": "generation",
        "mystery": "unknown",
    }
