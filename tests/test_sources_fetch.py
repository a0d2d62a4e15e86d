"""`switchcost fetch` / `reconcile` / `report-api` against a real HTTP server on 127.0.0.1.

The server plays the Usage & Cost Analytics API (and the legacy Admin reports) with recorded
pages in the API's layout; the anthropic SDK is pointed at it with --base-url.  Expected
figures are worked by hand in the comments.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from switchcost.app.cli import app
from tests.sources_fakeapi import FakeAPI, Reply, error, fake_api

KEY = "sk-ant-admin01-SECRET-test-key-never-logged"
USAGE = "/v1/organizations/analytics/usage"
COST = "/v1/organizations/analytics/cost"
FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
REFRESHED = "2026-11-20T06:10:00Z"  # 11-18 bucket (ends 11-19 00:00) final; 11-19 bucket not


def _usage_item(
    day: str, group: dict[str, Any], uncached: int, w1h: int, read: int, out: int, requests: int
) -> dict[str, Any]:
    nxt = f"2026-11-{int(day[-2:]) + 1:02d}"
    return {
        "starting_at": f"{day}T00:00:00Z",
        "ending_at": f"{nxt}T00:00:00Z",
        "group": group,
        "usage": {
            "uncached_input_tokens": uncached,
            "cache_creation": {"ephemeral_1h_input_tokens": w1h, "ephemeral_5m_input_tokens": 0},
            "cache_read_input_tokens": read,
            "output_tokens": out,
            "server_tool_use": {"web_search_requests": 0},
            "requests": requests,
            "total_tokens": uncached + w1h + read + out,
        },
    }


def _cost_item(day: str, group: dict[str, Any], cents: str) -> dict[str, Any]:
    nxt = f"2026-11-{int(day[-2:]) + 1:02d}"
    return {
        "starting_at": f"{day}T00:00:00Z",
        "ending_at": f"{nxt}T00:00:00Z",
        "group": group,
        "cost": {"amount": cents, "currency": "USD", "list_amount": cents, "requests": None},
    }


def _page(data: list[dict[str, Any]], next_page: str | None) -> dict[str, Any]:
    return {
        "data": data,
        "has_more": next_page is not None,
        "next_page": next_page,
        "data_refreshed_at": REFRESHED,
    }


def analytics_routes(api: FakeAPI, *, fail_first: dict[str, int] | None = None) -> None:
    """Two pages per report; the first request of a path may fail with the given status."""
    failed: set[str] = set()

    def usage(query: dict[str, list[str]], headers: dict[str, str], body: Any) -> Reply:
        if fail_first and USAGE in fail_first and USAGE not in failed:
            failed.add(USAGE)
            return error(fail_first[USAGE], "rate_limit_error", "slow down")
        assert headers["anthropic-beta"].startswith("analytics-usage-cost-2026-08-24")
        dims = query["group_by[]"]
        by_key = "workspace_id" in dims
        opus = {"model": "claude-opus-5-5", "service_tier": "standard", "context_window": "0-200k"}
        haiku = {"model": "claude-haiku-4-5", "service_tier": "batch", "context_window": "0-200k"}
        if by_key:
            opus |= {"workspace_id": "wrkspc_A", "api_key_id": None}
            haiku |= {"workspace_id": "wrkspc_A", "api_key_id": "apikey_B"}
        else:
            opus |= {"speed": "standard", "inference_geo": "global"}
            haiku |= {"speed": "standard", "inference_geo": None}
        if "page" not in query:
            return Reply(
                body=_page(
                    [_usage_item("2026-11-18", opus, 120443, 1800320, 40211880, 612004, 1840)],
                    "cursor-2",
                )
            )
        assert query["page"] == ["cursor-2"]
        return Reply(body=_page([_usage_item("2026-11-19", haiku, 88110, 0, 0, 5230, 210)], None))

    def cost(query: dict[str, list[str]], headers: dict[str, str], body: Any) -> Reply:
        if fail_first and COST in fail_first and COST not in failed:
            failed.add(COST)
            return error(fail_first[COST], "api_error", "internal error")
        dims = query["group_by[]"]
        tokens_group = (
            {
                "model": "claude-sonnet-4-6",
                "workspace_id": "wrkspc_A",
                "api_key_id": "apikey_B",
                "service_tier": "standard",
                "cost_type": "tokens",
            }
            if "workspace_id" in dims
            else {
                "model": "claude-sonnet-4-6",
                "context_window": "0-200k",
                "speed": "standard",
                "inference_geo": "global",
                "token_type": "output_tokens",
            }
        )
        if "page" not in query:
            # 5.0000 cents = $0.05 for sonnet on 11-18
            return Reply(body=_page([_cost_item("2026-11-18", tokens_group, "5.0000")], "c2"))
        web = {k: None for k in tokens_group} | {
            ("cost_type" if "cost_type" in tokens_group else "token_type"): (
                "web_search" if "cost_type" in tokens_group else None
            )
        }
        # page 2: 804.2376 cents = $8.042376 for sonnet on 11-19, and (first grouping) a web
        # search row of 1.0000 cent
        rows = [_cost_item("2026-11-19", tokens_group, "804.2376")]
        if "cost_type" in tokens_group:
            rows.append(_cost_item("2026-11-18", web, "1.0000"))
        return Reply(body=_page(rows, None))

    api.routes[USAGE] = usage
    api.routes[COST] = cost


def _fetch(api: FakeAPI, db: Path, *extra: str, key: str | None = KEY) -> Any:
    env = {"ANTHROPIC_ADMIN_KEY": key} if key is not None else {}
    return CliRunner().invoke(
        app,
        [
            "fetch",
            "--since",
            "2026-11-18",
            "--until",
            "2026-11-19",
            "--db",
            str(db),
            "--base-url",
            api.url,
            *extra,
        ],
        env=env,
    )


def _q(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_fetch_reads_all_pages_retries_429_and_500_and_keeps_cents_exact(db_path: Path) -> None:
    with fake_api() as api:
        analytics_routes(api, fail_first={USAGE: 429, COST: 500})
        result = _fetch(api, db_path)
        assert result.exit_code == 0, result.output
        usage_calls, cost_calls = api.calls(USAGE), api.calls(COST)
    # 2 groupings x 2 pages = 4 good calls per endpoint, +1 failed first call that was retried.
    assert len(usage_calls) == 5
    assert len(cost_calls) == 5
    assert [c.query.get("page") for c in usage_calls].count(["cursor-2"]) == 2
    assert usage_calls[1].query["starting_at"] == usage_calls[0].query["starting_at"]  # retry
    sent = usage_calls[0].headers
    assert KEY in (sent.get("x-api-key"), sent.get("authorization", "").removeprefix("Bearer "))
    # Two groupings of the same traffic, each complete: per grouping 2 rows, tokens summed.
    rows = _q(
        db_path,
        "SELECT grouping, count(*), sum(uncached_input_tokens), sum(cache_read),"
        " sum(requests) FROM usage_buckets GROUP BY ALL ORDER BY grouping",
    )
    assert rows == [
        (
            "model,service_tier,context_window,speed,inference_geo",
            2,
            120443 + 88110,
            40211880,
            2050,
        ),
        ("model,workspace_id,api_key_id,service_tier,context_window", 2, 208553, 40211880, 2050),
    ]
    # Cents -> dollars exactly: 5.0000 + 804.2376 + 1.0000 cents = $0.05 + $8.042376 + $0.01.
    cost = _q(
        db_path, "SELECT grouping, sum(amount_usd) FROM cost_buckets GROUP BY ALL ORDER BY grouping"
    )
    assert cost == [
        ("model,context_window,speed,inference_geo,token_type", Decimal("8.092376")),
        ("model,workspace_id,api_key_id,service_tier,cost_type", Decimal("8.102376")),
    ]
    # 11-18 final (data refreshed 11-20 06:10 >= 11-19 + 1 day); 11-19 still open.
    finals = _q(
        db_path,
        "SELECT DISTINCT strftime(bucket_start, '%Y-%m-%d'), final FROM bucket_fetches ORDER BY 1",
    )
    assert finals == [("2026-11-18", True), ("2026-11-19", False)]
    assert KEY not in result.output
    assert KEY.encode() not in db_path.read_bytes()


def test_second_fetch_asks_only_for_buckets_not_yet_final(db_path: Path) -> None:
    with fake_api() as api:
        analytics_routes(api)
        assert _fetch(api, db_path).exit_code == 0
        first = len(api.seen)
        assert _fetch(api, db_path).exit_code == 0
        again = api.seen[first:]
    assert again
    assert {c.query["starting_at"][0] for c in again} == {"2026-11-19T00:00:00+00:00"}
    # The final 11-18 rows were kept (each page-1 row is an 11-18 row: one per grouping).
    assert _q(
        db_path,
        "SELECT count(*) FROM usage_buckets"
        " WHERE bucket_start = TIMESTAMPTZ '2026-11-18 00:00:00+00'",
    ) == [(2,)]


def test_bad_key_gets_one_clear_line_without_the_key(db_path: Path) -> None:
    with fake_api() as api:
        api.routes[USAGE] = lambda q, h, b: error(401, "authentication_error", "invalid x-api-key")
        result = _fetch(api, db_path)
        assert len(api.calls(USAGE)) == 1  # 401 is not retried
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "401" in lines[0]
    assert "ANTHROPIC_ADMIN_KEY" in lines[0]
    assert KEY not in result.output


def test_missing_scope_and_missing_key_are_one_line_each(db_path: Path) -> None:
    with fake_api() as api:
        api.routes[USAGE] = lambda q, h, b: error(403, "permission_error", "missing scope")
        denied = _fetch(api, db_path)
        missing = _fetch(api, db_path, key=None)
        assert len(api.calls(USAGE)) == 1  # no key: no call at all
    assert denied.exit_code == 1
    assert "403" in denied.output
    assert "read:analytics" in denied.output
    assert missing.exit_code == 1
    assert "set ANTHROPIC_ADMIN_KEY" in missing.output


def test_legacy_reports_when_analytics_is_not_available(db_path: Path) -> None:
    usage_doc = json.loads((FORMATS / "admin_usage_report.json").read_text())
    cost_doc = json.loads((FORMATS / "admin_cost_report.json").read_text())
    page2 = {"data": [], "has_more": False, "next_page": None}
    with fake_api() as api:
        api.routes["/v1/organizations/usage_report/messages"] = lambda q, h, b: Reply(
            body=usage_doc if "page" not in q else page2
        )
        api.routes["/v1/organizations/cost_report"] = lambda q, h, b: Reply(body=cost_doc)
        result = _fetch(api, db_path)  # analytics paths are unknown to the server: 404
        legacy_pages = [
            c.query.get("page") for c in api.calls("/v1/organizations/usage_report/messages")
        ]
    assert result.exit_code == 0, result.output
    assert "legacy" in result.output
    assert legacy_pages == [None, ["page_fx_2"]]
    # Fixture: 300,000 (Sonnet 4.5) + 70,000 (Haiku 4.5) uncached input tokens on 11-10.
    assert _q(
        db_path, "SELECT source, sum(uncached_input_tokens) FROM usage_buckets GROUP BY 1"
    ) == [("usage-report", 370000)]
    # Amounts are cents: 300,000 x $3/MTok = $0.90 = "90.0000"; 40,000 x $15/MTok = $0.60 =
    # "60.0000"; 3 searches x $10/1,000 = $0.03 = "3.0000".  90 + 60 + 3 = 153 cents = $1.53.
    assert _q(db_path, "SELECT source, sum(amount_usd) FROM cost_buckets GROUP BY 1") == [
        ("cost-report", Decimal("1.53"))
    ]


def _log_call(
    path: Path, ts: str, msg_id: str, model: str, inp: int, out: int, web: int = 0
) -> None:
    record = {
        "ts": ts,
        "request_id": f"req_{msg_id}",
        "response": {
            "id": msg_id,
            "type": "message",
            "model": model,
            "usage": {
                "input_tokens": inp,
                "output_tokens": out,
                "server_tool_use": {"web_search_requests": web},
            },
        },
    }
    with path.open("a") as fh:
        fh.write(json.dumps(record) + "\n")


def test_reconcile_sets_logged_cost_beside_reported_cost(db_path: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    # Sonnet 4.6 ($3 in / $15 out per MTok) on 11-18: 1,000 in + 2,000 out
    #   = 0.003 + 0.030 = $0.033.  One web search: $10 / 1000 = $0.01.
    _log_call(log, "2026-11-18T10:00:00Z", "msg_a", "claude-sonnet-4-6", 1000, 2000, web=1)
    # Bedrock traffic is not in Anthropic's report: it must not enter the comparison.
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(log), "--db", str(db_path)]).exit_code == 0
    with fake_api() as api:
        analytics_routes(api)
        assert _fetch(api, db_path).exit_code == 0
    result = runner.invoke(app, ["reconcile", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {(r["day"], r["model"]): r for r in json.loads(result.stdout)["rows"]}
    # 11-18 sonnet: reported 5 cents = $0.05, computed $0.033, gap $0.017.
    sonnet = rows[("2026-11-18", "claude-sonnet-4-6")]
    assert Decimal(str(sonnet["computed_usd"])) == Decimal("0.033")
    assert Decimal(str(sonnet["reported_usd"])) == Decimal("0.05")
    assert Decimal(str(sonnet["gap_usd"])) == Decimal("0.017")
    # Web search: reported 1 cent, computed $0.01: no gap.
    web = rows[("2026-11-18", "(web search)")]
    assert Decimal(str(web["gap_usd"])) == 0
    assert Decimal(str(web["reported_usd"])) == Decimal("0.01")
    # 11-19: nothing logged, $8.042376 reported - all of it is the gap.
    late = rows[("2026-11-19", "claude-sonnet-4-6")]
    assert late["logged_requests"] == 0
    assert Decimal(str(late["gap_usd"])) == Decimal("8.042376")


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        # usage: the by-key grouping; haiku's key apikey_B, opus's key null
        ("api_key", {"apikey_B": 88110, "(none)": 120443}),
        # usage: the by-region grouping; haiku's inference_geo is null
        ("inference_geo", {"global": 120443, "(none)": 88110}),
        ("day", {"2026-11-18": 120443, "2026-11-19": 88110}),
    ],
)
def test_report_api_reads_one_grouping_per_dimension(
    db_path: Path, by: str, expected: dict[str, int]
) -> None:
    with fake_api() as api:
        analytics_routes(api)
        assert _fetch(api, db_path).exit_code == 0
    result = CliRunner().invoke(
        app, ["report-api", "--by", by, "--db", str(db_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    got = {r[by]: r["input_tokens"] for r in json.loads(result.stdout)["rows"]}
    assert got == expected  # never the two groupings summed (that would double every figure)
