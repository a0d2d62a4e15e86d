"""Keys never reach output: malformed-line reasons and `fetch` errors are redacted.

A key pasted into a token field is quoted by the reason for that line; a proxy that echoes the
request headers puts `x-api-key: <key>` / `Authorization: Bearer <key>` in the error body.  Both
run as real processes here (stdout and stderr captured apart), against a fake API on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from switchcost.ingest.redact import MASK, MAX_CHARS, redact, scrub
from switchcost.ingest.tasks import Malformed
from tests.sources_fakeapi import FakeAPI, Reply, fake_api

# Distinctive bodies, so a partial leak (a truncated quote of the value) is caught too.
API_KEY = "sk-ant-api03-" + "Zq9" * 30 + "-xY_AA"
ADMIN_KEY = "sk-ant-admin01-" + "Wv7" * 20 + "-QQ"
GATEWAY_KEY = "gw-Hh4Hh4Hh4Hh4Hh4Hh4"  # not key-shaped: only masked because it is the key in use
USAGE = "/v1/organizations/analytics/usage"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHCOST_", "ANTHROPIC_"))}
    return subprocess.run(
        [sys.executable, "-m", "switchcost", *args],
        capture_output=True,
        text=True,
        env={**base, "SWITCHCOST_REPORT_CACHE": "0", "COLUMNS": "200", **(env or {})},
        timeout=120,
    )


# ------------------------------------------------------------------------------- the function


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (f"usage.input_tokens is not an integer: '{API_KEY}'", "not an integer: 'sk-ant-" + MASK),
        (f'not a whole number: "{API_KEY[:40]}', '"sk-ant-' + MASK),  # a truncated quote
        ("Authorization: Bearer abc.DEF-123", "Authorization: Bearer " + MASK),
        ("x-api-key: secret123", "x-api-key: " + MASK),
        ('{"x-api-key": "s3cr3t", "authorization": "Basic dXNlcg=="}', '"x-api-key": "' + MASK),
        ("{'X-Api-Key': 'abc'}", "'X-Api-Key': '" + MASK),
        ("api_key=hunter22 rest", "api_key=" + MASK + " rest"),
    ],
)
def test_redact_masks_key_shapes(text: str, want: str) -> None:
    out = redact(text)
    assert want in out
    for secret in (API_KEY[13:30], "abc.DEF", "secret123", "s3cr3t", "dXNlcg", "hunter22"):
        assert secret not in out


def test_redact_leaves_ordinary_reasons_alone() -> None:
    for text in (
        "usage.input_tokens is not a non-negative integer: -5",
        "no api_key_id in this row",
        "authorization header missing",
    ):
        assert redact(text) == text


def test_reasons_are_capped() -> None:
    reason = Malformed("f.jsonl", 3, "bad value: " + "x" * 5000).reason
    assert len(reason) == MAX_CHARS
    assert reason.endswith("…")
    assert MASK in Malformed("f.jsonl", 3, f"bad: {API_KEY}").reason


def test_scrub_masks_the_key_in_use_whatever_its_shape() -> None:
    out = scrub(f"upstream said {GATEWAY_KEY}!", [GATEWAY_KEY])
    assert GATEWAY_KEY not in out
    assert out == f"upstream said {MASK}!"


# ------------------------------------------------------------------------------- ingest


def _app_line(value: Any) -> str:
    return json.dumps(
        {
            "ts": "2026-11-02T10:00:00Z",
            "request_id": "req_key_1",
            "tags": {"feature": "w"},
            "request": {"model": "claude-sonnet-4-5-20250929"},
            "response": {
                "id": "msg_key_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-5-20250929",
                "content": [],
                "usage": {"input_tokens": value, "output_tokens": 100},
            },
        }
    )


def _cc_line(value: Any) -> str:
    return json.dumps(
        {
            "type": "assistant",
            "sessionId": "s1",
            "uuid": "u1",
            "timestamp": "2026-11-02T10:00:00.000Z",
            "requestId": "r1",
            "message": {
                "id": "m1",
                "model": "claude-sonnet-4-5-20250929",
                "usage": {"input_tokens": value, "output_tokens": 5},
            },
        }
    )


def _leaks(text: str) -> bool:
    return API_KEY[13:25] in text or "Bearer tok-Zq9" in text


def test_key_in_a_token_field_reaches_no_output(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    (logs / "claude" / "projects" / "-w").mkdir(parents=True)
    (logs / "app.jsonl").write_text(
        "\n".join(
            [
                _app_line(API_KEY),
                _app_line("Bearer tok-Zq9Zq9Zq9"),
                _app_line(12),  # one good request, so the report has a row
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (logs / "claude" / "projects" / "-w" / "s.jsonl").write_text(
        _cc_line(API_KEY) + "\n", encoding="utf-8"
    )
    db = tmp_path / "sc.duckdb"
    home = {"HOME": str(tmp_path)}
    done = run("ingest", str(logs), "--db", str(db), env=home)
    assert done.returncode == 0, done.stderr
    assert "malformed" in done.stderr
    assert not _leaks(done.stdout + done.stderr), done.stderr
    assert "sk-ant-" + MASK in done.stderr  # the line is still explained
    with duckdb.connect(str(db), read_only=True) as conn:
        reasons = [r for (r,) in conn.execute("SELECT reason FROM malformed_lines").fetchall()]
    assert len(reasons) == 3
    assert not any(_leaks(r) for r in reasons)
    for fmt in ("json", "csv", "table"):
        rep = run("report", "--by", "model", "--db", str(db), "--format", fmt, env=home)
        assert rep.returncode == 0, rep.stderr
        assert not _leaks(rep.stdout + rep.stderr)


def test_data_page_masks_reasons_even_from_an_older_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "sc.duckdb"
    log = tmp_path / "a.jsonl"
    log.write_text(_app_line(12) + "\n", encoding="utf-8")
    assert run("ingest", str(log), "--db", str(db), env={"HOME": str(tmp_path)}).returncode == 0
    with duckdb.connect(str(db)) as conn:  # what a version without redaction stored
        conn.execute(
            "INSERT INTO malformed_lines VALUES ('old.jsonl', 7, $r, 1)",
            {"r": f"input_tokens is not an integer: '{API_KEY}'"},
        )
    from switchcost.app import data

    view = data.read_page("data", db)
    text = view.malformed.write_csv()
    assert "old.jsonl" in text
    assert not _leaks(text)


# ------------------------------------------------------------------------------- fetch


def _echo_headers(status: int, shape: str) -> Any:
    """A proxy-like answer that quotes the request headers back."""

    def handler(query: dict[str, list[str]], headers: dict[str, str], body: Any) -> Reply:
        # The SDK sends the key as `Authorization: Bearer` (older releases: `x-api-key`).
        key = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
        echoed = f"x-api-key: {key}; Authorization: Bearer {key}; raw: {key}"
        retry = {"retry-after-ms": "5"}
        if shape == "text":
            return Reply(status, echoed.encode(), headers=retry, content_type="text/plain")
        if shape == "json-headers":
            return Reply(status, {"headers": headers}, headers=retry)
        return Reply(  # the Anthropic error shape, its message quoting the headers
            status, {"type": "error", "error": {"type": "api_error", "message": echoed}}, retry
        )

    return handler


def _fetch(api: FakeAPI, tmp_path: Path, key: str) -> subprocess.CompletedProcess[str]:
    return run(
        "fetch",
        "--since",
        "2026-11-18",
        "--until",
        "2026-11-19",
        "--db",
        str(tmp_path / "f.duckdb"),
        "--base-url",
        api.url,
        env={"HOME": str(tmp_path), "ANTHROPIC_ADMIN_KEY": key},
    )


@pytest.mark.parametrize("status", [401, 500])
@pytest.mark.parametrize("shape", ["text", "json-headers", "error-message"])
@pytest.mark.parametrize("key", [ADMIN_KEY, GATEWAY_KEY])
def test_fetch_error_never_prints_the_key(
    tmp_path: Path, status: int, shape: str, key: str
) -> None:
    with fake_api() as api:
        api.routes[USAGE] = _echo_headers(status, shape)
        done = _fetch(api, tmp_path, key)
        sent = api.calls(USAGE)
    assert sent
    seen = sent[0].headers  # the server really had the key to echo
    assert key in (seen.get("x-api-key"), seen.get("authorization", "").removeprefix("Bearer "))
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert key not in out
    assert key[-8:] not in out
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, done.stderr
    assert str(status) in lines[0]
