"""OpenTelemetry spans: 1-hour cache writes are priced at the 1-hour rate, not the 5-minute one.

The fixture (tests/fixtures/otel/cache_ttl_spans.jsonl, written by hand) holds Sonnet 4.5 spans
with the cache-creation TTL split in each spelling the reader knows, one with only a lump, and a
line whose split is not a number.  Sonnet 4.5 rates, USD per million tokens: input $3, output
$15, 5-minute cache write $3.75, 1-hour cache write $6, cache read $0.30.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchcost.ingest.load import ingest_paths
from switchcost.queries import db as qdb

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "otel" / "cache_ttl_spans.jsonl"


@pytest.fixture
def rows(db_path: Path) -> tuple[dict[str, dict[str, Any]], Any]:
    report = ingest_paths([FIXTURE], db_path=db_path, fmt="otel")
    with qdb.connect(db_path, read_only=True) as conn:
        cur = conn.execute("SELECT * FROM priced_requests")
        names = [d[0] for d in cur.description]
        found = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {r["request_key"].rsplit(":", 1)[1]: r for r in found}, report


def _tokens(row: dict[str, Any]) -> tuple[int, int, int, int, int, bool]:
    return (
        row["input_tokens"],
        row["cache_write_5m"],
        row["cache_write_1h"],
        row["cache_read"],
        row["output_tokens"],
        row["cache_split_unknown"],
    )


def test_semconv_span_with_a_1h_split(rows: tuple[dict[str, dict[str, Any]], Any]) -> None:
    s1 = rows[0]["s1"]
    # input 13,000 includes the 2,000 read and 10,000 written (semconv names): 1,000 uncached.
    assert _tokens(s1) == (1000, 0, 10000, 2000, 500, False)
    # 1,000 x $3 + 10,000 x $6 + 2,000 x $0.30 + 500 x $15
    #   = $3,000 + $60,000 + $600 + $7,500 = $71,100 / 1e6 = $0.0711
    # (At the 5-minute rate the writes would be 10,000 x $3.75 = $37,500: $0.0486, $0.0225 low.)
    assert s1["cost_usd"] == Decimal("0.0711")


def test_openllmetry_span_with_only_the_1h_part(
    rows: tuple[dict[str, dict[str, Any]], Any],
) -> None:
    s2 = rows[0]["s2"]
    # OpenLLMetry's prompt count 4,500 includes the 4,000 written: 500 uncached; of the 4,000
    # lump, 1,000 are 1h, so the other 3,000 are 5m.
    assert _tokens(s2) == (500, 3000, 1000, 0, 100, False)
    # 500 x $3 + 3,000 x $3.75 + 1,000 x $6 + 100 x $15 = $1,500 + $11,250 + $6,000 + $1,500
    #   = $20,250 / 1e6 = $0.02025
    assert s2["cost_usd"] == Decimal("0.02025")


def test_lump_only_keeps_todays_rule(rows: tuple[dict[str, dict[str, Any]], Any]) -> None:
    s3 = rows[0]["s3"]
    # OpenLIT-style names: input is already uncached; 2,000 written with no split: 5m, flagged.
    assert _tokens(s3) == (10, 2000, 0, 0, 20, True)
    # 10 x $3 + 2,000 x $3.75 + 20 x $15 = $30 + $7,500 + $300 = $7,830 / 1e6 = $0.00783
    assert s3["cost_usd"] == Decimal("0.00783")


def test_dash0_split_short_of_the_lump(rows: tuple[dict[str, dict[str, Any]], Any]) -> None:
    s4 = rows[0]["s4"]
    # lump 3,000; split says 1,000 at 5m and 1,000 at 1h: the unexplained 1,000 is priced at
    # 5m and flagged. Input 3,100 includes the 3,000 written: 100 uncached.
    assert _tokens(s4) == (100, 2000, 1000, 0, 0, True)
    # 100 x $3 + 2,000 x $3.75 + 1,000 x $6 = $300 + $7,500 + $6,000 = $13,800 / 1e6 = $0.0138
    assert s4["cost_usd"] == Decimal("0.0138")


def test_dotted_1h_spelling_without_a_lump(rows: tuple[dict[str, dict[str, Any]], Any]) -> None:
    s5 = rows[0]["s5"]
    # No semconv cache attribute and no inclusive scope: input 50 is taken as uncached.
    assert _tokens(s5) == (50, 0, 2000, 0, 10, False)
    # 50 x $3 + 2,000 x $6 + 10 x $15 = $150 + $12,000 + $150 = $12,300 / 1e6 = $0.0123
    assert s5["cost_usd"] == Decimal("0.0123")


def test_a_bad_split_value_is_one_malformed_line(
    rows: tuple[dict[str, dict[str, Any]], Any],
) -> None:
    found, report = rows
    assert set(found) == {"s1", "s2", "s3", "s4", "s5"}
    assert [(m.line, m.reason) for m in report.malformed] == [
        (2, "1-hour cache creation tokens is not a non-negative integer: 'lots'")
    ]
