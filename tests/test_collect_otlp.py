"""`switchcost collect` (OTLP/HTTP logs receiver) and the otlp-logs reader, on Claude Code's
api_request events.

Hand-worked bills (USD per MTok, Anthropic's pricing page): Sonnet 4.5 $3 in / $3.75 5-minute
cache write / $0.30 cache read / $15 out; Haiku 4.5 $1 in / $5 out.  Claude Code sends cache
writes as one lump (`cache_creation_tokens`), priced at the 5-minute rate.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from switchcost.app.cli import app
from switchcost.app.cli_collect import exposure_warning, parse_listen
from switchcost.ingest.collect_store import store
from switchcost.ingest.otlp_receiver import Receiver
from switchcost.queries.errors import UserError

FIXTURE = Path(__file__).parent / "fixtures" / "otlp" / "claude_code_logs.jsonl"
SONNET = "claude-sonnet-4-5-20250929"
HAIKU = "claude-haiku-4-5-20251001"


def _attrs(**values: Any) -> dict[str, Any]:
    return {k.replace("__", "."): v for k, v in values.items()}


def api_request(**over: Any) -> dict[str, Any]:
    """Attributes of one Claude Code api_request event (numbers as Claude Code sends them)."""
    base = _attrs(
        event__name="api_request",
        event__timestamp="2026-11-02T10:00:00.000Z",
        session__id="s-1",
        prompt__id="p-1",
        user__account_uuid="u-alice",
        user__email="alice@example.com",
        organization__id="org-1",
        model=SONNET,
        input_tokens="1000",
        output_tokens="500",
        cache_read_tokens="10000",
        cache_creation_tokens="2000",
        cost_usd="0.0435",
        duration_ms="2300",
    )
    base.update(_attrs(**over))
    return base


@pytest.fixture
def receiver(db_path: Path) -> Iterator[Receiver]:
    server = Receiver(("127.0.0.1", 0), lambda rows: store(rows, db_path, None, 30.0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: Receiver) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/v1/logs"


def _sdk_send(url: str, events: list[dict[str, Any]], workload: str | None, **kw: Any) -> None:
    """Emit `events` through the real OpenTelemetry SDK and its OTLP/HTTP (protobuf) exporter."""
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    resource = {"service.name": "claude-code"}
    if workload is not None:
        resource["switchcost.workload"] = workload
    provider = LoggerProvider(resource=Resource.create(resource))
    exporter = OTLPLogExporter(endpoint=url, compression=kw.get("compression", Compression.Gzip))
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter, **kw.get("batch", {})))
    logger = provider.get_logger("com.anthropic.claude_code.events")
    for attrs in events:
        logger.emit(body="claude_code.api_request", attributes=attrs)
    assert provider.force_flush(60_000)
    provider.shutdown()


def _rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _report(db_path: Path, *args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, [*args, "--db", str(db_path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(result.output.splitlines()))


def test_sdk_protobuf_events_stored_priced_and_reported(receiver: Receiver, db_path: Path) -> None:
    url = _url(receiver)
    # Alice on the backend team: Sonnet 4.5, 1,000 in x 3 + 2,000 cache lump x 3.75 (5m) +
    # 10,000 read x 0.30 + 500 out x 15 = 3,000 + 7,500 + 3,000 + 7,500 = 21,000 -> $0.021.
    # Bob on the web team: Haiku 4.5, 4,000 x 1 + 600 x 5 = 7,000 -> $0.007, twice (two calls).
    _sdk_send(url, [api_request()], "backend")
    bob = {"user.account_uuid": "u-bob", "user.email": "bob@example.com", "model": HAIKU}
    bob.update(input_tokens=4000, output_tokens=600, cache_read_tokens=0, cache_creation_tokens=0)
    _sdk_send(
        url,
        [
            api_request(**bob, cost_usd=0.007, prompt__id="p-7"),
            api_request(**bob, cost_usd=0.007, prompt__id="p-8"),
        ],
        "web",
    )
    by_workload = {r["workload"]: r for r in _report(db_path, "report", "--by", "workload")}
    assert Decimal(by_workload["backend"]["cost_usd"]) == Decimal("0.021")
    assert Decimal(by_workload["web"]["cost_usd"]) == Decimal("0.014")
    assert by_workload["web"]["requests"] == "2"
    users = {r["user"]: r for r in _report(db_path, "users")}
    assert Decimal(users["u-alice"]["cost_usd"]) == Decimal("0.021")
    assert Decimal(users["u-alice"]["reported_cost_usd"]) == Decimal("0.0435")  # kept beside
    assert users["u-alice"]["email"] == "alice@example.com"
    assert Decimal(users["u-bob"]["cost_usd"]) == Decimal("0.014")
    assert users["u-bob"]["requests"] == "2"
    (row,) = _rows(
        db_path,
        "SELECT session_id, cache_write_5m, cache_write_1h, cache_split_unknown, latency_ms,"
        " source, tags FROM requests WHERE workload = 'backend'",
    )
    assert row[:6] == ("s-1", 2000, 0, True, 2300.0, "otlp-logs")
    assert json.loads(row[6])["reported_cost_usd"] == "0.0435"


def _post(url: str, body: bytes, ctype: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": ctype, **headers}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _json_request(records: list[dict[str, Any]], resource: dict[str, str]) -> dict[str, Any]:
    def kv(k: str, v: Any) -> dict[str, Any]:
        return {"key": k, "value": {"stringValue": str(v)}}

    return {
        "resourceLogs": [
            {
                "resource": {"attributes": [kv(k, v) for k, v in resource.items()]},
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": "1793707200000000000",
                                "body": {"stringValue": "claude_code.api_request"},
                                "attributes": [kv(k, v) for k, v in r.items()],
                            }
                            for r in records
                        ]
                    }
                ],
            }
        ]
    }


def test_json_gzip_and_partial_success(receiver: Receiver, db_path: Path) -> None:
    body = json.dumps(
        _json_request(
            [api_request(), api_request(input_tokens="lots", prompt__id="p-9")],
            {"service.name": "claude-code", "switchcost.workload": "backend"},
        )
    ).encode()
    status, headers, reply = _post(
        _url(receiver), gzip.compress(body), "application/json", **{"Content-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    partial = json.loads(reply)["partialSuccess"]
    assert int(partial["rejectedLogRecords"]) == 1
    assert "input_tokens" in partial["errorMessage"]
    # The same event again (an exporter retrying): stored once.
    assert _post(_url(receiver), body, "application/json")[0] == 200
    assert _rows(db_path, "SELECT count(*), sum(input_tokens) FROM requests") == [(1, 1000)]


def test_status_codes(db_path: Path) -> None:
    server = Receiver(
        ("127.0.0.1", 0), lambda rows: store(rows, db_path, None, 30.0), max_body=1000
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = _url(server)
    try:
        assert _post(url, b"{not json", "application/json")[0] == 400
        assert _post(url, b"\xff\xfe garbage", "application/x-protobuf")[0] == 400
        assert _post(url, b"x" * 1001, "application/json")[0] == 413
        bomb = gzip.compress(b" " * (65 * 1024 * 1024))  # 64 KiB on the wire, 65 MiB inside
        server.max_body = len(bomb) + 1
        assert _post(url, bomb, "application/json", **{"Content-Encoding": "gzip"})[0] == 413
        assert _post(url, b"{}", "text/plain")[0] == 415
        assert _post(url, b"{}", "application/json", **{"Content-Encoding": "br"})[0] == 415
        assert _post(url.replace("/v1/logs", "/v1/traces"), b"{}", "application/json")[0] == 404
        status, _, reply = _post(url, b"{}", "application/json")  # nothing in it: fine
        assert (status, json.loads(reply)) == (200, {})
    finally:
        server.shutdown()
        server.server_close()
    assert _rows(db_path, "SELECT count(*) FROM requests") == [(0,)] if db_path.exists() else True


HOLD = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_busy_database_answers_503_and_acknowledges_nothing(db_path: Path) -> None:
    # Another process holds the database for writing: the commit fails, the answer is 503 with
    # Retry-After, and nothing is stored; once it is free the retry stores the event.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    server = Receiver(("127.0.0.1", 0), lambda rows: store(rows, db_path, None, 0.5))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    body = json.dumps(_json_request([api_request()], {"service.name": "claude-code"})).encode()
    try:
        status, headers, _ = _post(_url(server), body, "application/json")
        assert status == 503
        assert headers["Retry-After"] == "2"
        holder.terminate()
        holder.wait(30)
        assert _post(_url(server), body, "application/json")[0] == 200
    finally:
        if holder.poll() is None:
            holder.terminate()
            holder.wait(30)
        holder.stdout.close()
        server.shutdown()
        server.server_close()
    assert _rows(db_path, "SELECT count(*) FROM requests") == [(1,)]


def test_writer_queue_full_answers_503() -> None:
    gate = threading.Event()
    server = Receiver(("127.0.0.1", 0), lambda rows: gate.wait(30), max_pending=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    body = json.dumps(_json_request([api_request()], {})).encode()
    results: list[int] = []
    try:
        first = threading.Thread(
            target=lambda: results.append(_post(_url(server), body, "application/json")[0])
        )
        first.start()  # taken by the writer, which now blocks
        time.sleep(0.5)
        second = threading.Thread(
            target=lambda: results.append(_post(_url(server), body, "application/json")[0])
        )
        second.start()  # queued: the writer is busy
        time.sleep(0.5)
        status, headers, _ = _post(_url(server), body, "application/json")  # over the limit
        assert status == 503
        assert "Retry-After" in headers
        gate.set()
        first.join()
        second.join()
        assert results == [200, 200]
    finally:
        gate.set()
        server.shutdown()
        server.server_close()


def test_file_exporter_layout_through_ingest(tmp_path: Path, db_path: Path) -> None:
    logs = tmp_path / "otel-logs.jsonl"
    shutil.copy(FIXTURE, logs)
    result = CliRunner().invoke(app, ["ingest", str(logs), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    # Line 2: one api_request with input_tokens "-5" (malformed, named) and one fine; line 3 is
    # not JSON.  The user_prompt event of line 1 is not a request.
    assert f"{logs}:2: 1 api_request record not billed: input_tokens" in result.output
    assert f"{logs}:3:" in result.output
    assert "2 new requests" in result.output
    # Sonnet $0.021 (as above) + Haiku 4,000 x 1 + 600 x 5 = $0.007 -> $0.028 for backend.
    by_workload = {r["workload"]: r for r in _report(db_path, "report", "--by", "workload")}
    assert Decimal(by_workload["backend"]["cost_usd"]) == Decimal("0.028")
    users = {r["user"]: r for r in _report(db_path, "users")}
    assert Decimal(users["u-alice"]["reported_cost_usd"]) == Decimal("0.0505")


def test_same_event_from_file_and_receiver_is_stored_once(
    tmp_path: Path, receiver: Receiver, db_path: Path
) -> None:
    first_line = FIXTURE.read_text().splitlines()[0].encode()
    assert _post(_url(receiver), first_line, "application/json")[0] == 200
    receiver.shutdown()
    receiver.server_close()
    logs = tmp_path / "otel-logs.jsonl"
    logs.write_bytes(first_line + b"\n")
    result = CliRunner().invoke(app, ["ingest", str(logs), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "0 new requests" in result.output, result.output
    assert _rows(db_path, "SELECT count(*), sum(cache_read) FROM requests") == [(1, 10000)]


def test_listen_parsing_and_warning() -> None:
    assert parse_listen("127.0.0.1:4318") == ("127.0.0.1", 4318)
    assert parse_listen("[::1]:4318") == ("::1", 4318)
    with pytest.raises(UserError):
        parse_listen("4318")
    assert exposure_warning("127.0.0.1") is None
    assert exposure_warning("::1") is None
    assert exposure_warning("localhost") is None
    warning = exposure_warning("0.0.0.0")
    assert warning is not None
    assert "no authentication" in warning


@pytest.mark.slow
def test_load_20000_events_nothing_lost(receiver: Receiver, db_path: Path) -> None:
    n = 20_000
    events = [
        api_request(prompt__id=f"p-{i}", input_tokens=str(100 + i), cache_creation_tokens="0")
        for i in range(n)
    ]
    start = time.perf_counter()
    _sdk_send(
        _url(receiver),
        events,
        "load",
        batch={"max_export_batch_size": 2000, "max_queue_size": n, "schedule_delay_millis": 50},
    )
    elapsed = time.perf_counter() - start
    # Every event stored exactly once: count and the sum of input tokens (100 + i for each i).
    expected_input = sum(100 + i for i in range(n))
    assert _rows(db_path, "SELECT count(*), sum(input_tokens) FROM requests") == [
        (n, expected_input)
    ]
    stats = receiver.writer.stats
    print(
        f"\nload: {n} api_request events via the OTel SDK (protobuf, gzip, 2,000 per export) in"
        f" {elapsed:.2f} s = {n / elapsed:,.0f} events/s sustained, {stats.commits} commits,"
        f" nothing lost"
    )
    assert elapsed < 120  # a bound on the test's run time, not a performance claim
