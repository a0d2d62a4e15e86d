"""A real HTTP server on 127.0.0.1 (free port) that plays Anthropic's API for the sources tests.

Each path gets a handler `(query, headers, body) -> Reply`; every request is recorded so a test
can check what the SDK sent (pages, group_by, retries).  Not a test module itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialised unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


Handler = Callable[[dict[str, list[str]], dict[str, str], Any], Reply]


class FakeAPI:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                query = parse_qs(parts.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with outer.lock:
                    outer.seen.append(Seen(method, parts.path, query, headers, body))
                handler = outer.routes.get(parts.path)
                reply = (
                    handler(query, headers, body)
                    if handler
                    else Reply(
                        404,
                        {
                            "type": "error",
                            "error": {"type": "not_found_error", "message": "no such path"},
                        },
                    )
                )
                data = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_fake_{len(outer.seen):04d}")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def calls(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


@contextmanager
def fake_api() -> Iterator[FakeAPI]:
    api = FakeAPI()
    thread = threading.Thread(target=api.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.server.shutdown()
        api.server.server_close()
        thread.join(5)


def error(status: int, kind: str, message: str) -> Reply:
    return Reply(
        status,
        {"type": "error", "error": {"type": kind, "message": message}},
        headers={"retry-after-ms": "5"} if status == 429 or status >= 500 else {},
    )
