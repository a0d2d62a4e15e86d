"""An OTLP/HTTP logs receiver (`POST /v1/logs`) that stores Claude Code's api_request events.

Protobuf (`application/x-protobuf`) and JSON (`application/json`) bodies, plain or gzip.  Answers
as OTLP/HTTP says: 200 with an ExportLogsServiceResponse (its partial_success counts the records
that could not be billed), 400 for a body that cannot be decoded, 413 for one over the limit
(compressed or not), 415 for another content type or encoding, 404 for another path, and 503
with Retry-After when the writer is behind or the database is busy, so the exporter retries.

Durability: requests hand their rows to one writer thread, which commits everything waiting as
one ingest run (ingest/collect_store.py) and only then releases the requests: a 200 means the
rows are committed; a crash before that loses nothing the exporter was told was stored.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from switchcost.ingest.otlp import convert
from switchcost.ingest.readers._common import Row
from switchcost.ingest.readers.jsonl import BadRecord
from switchcost.ingest.records import ReadOptions

MAX_BODY = 16 * 1024 * 1024  # bytes on the wire (the Collector's default limit is 20 MiB)
MAX_DECODED = 64 * 1024 * 1024  # bytes after gzip
MAX_PENDING_ROWS = 100_000  # rows waiting for the writer before new requests get 503
RETRY_AFTER_SECONDS = 2
WAIT_FOR_COMMIT = 120.0
PROTOBUF = "application/x-protobuf"
JSON = "application/json"

Store = Callable[[list[Row]], object]


class Busy(Exception):
    """The writer cannot take more now: answer 503 with Retry-After."""


@dataclass
class _Batch:
    rows: list[Row]
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None


@dataclass
class Stats:
    requests: int = 0
    events_stored: int = 0
    events_rejected: int = 0
    commits: int = 0
    failed_commits: int = 0


class Writer:
    """One thread that commits what the requests hand it, many requests per transaction."""

    def __init__(self, store: Store, max_pending: int = MAX_PENDING_ROWS) -> None:
        self._store = store
        self._max = max_pending
        self._cond = threading.Condition()
        self._queue: list[_Batch] = []
        self._pending = 0
        self._stopping = False
        self.stats = Stats()
        self._thread = threading.Thread(target=self._run, name="switchcost-writer", daemon=True)
        self._thread.start()

    def submit(self, rows: list[Row]) -> _Batch:
        with self._cond:
            if self._stopping or (self._queue and self._pending + len(rows) > self._max):
                raise Busy
            batch = _Batch(rows)
            self._queue.append(batch)
            self._pending += len(rows)
            self._cond.notify()
            return batch

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    return
                taken, self._queue = self._queue, []
            rows = [r for b in taken for r in b.rows]
            try:
                self._store(rows)
                self.stats.commits += 1
                self.stats.events_stored += len(rows)
            except Exception as err:  # the database is busy or failed: the client retries
                self.stats.failed_commits += 1
                for b in taken:
                    b.error = f"{type(err).__name__}: {err}"
            finally:
                with self._cond:
                    self._pending -= len(rows)
                for b in taken:
                    b.done.set()

    def stop(self) -> None:
        """Commit what is waiting, then end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join()


def _decompress(body: bytes, encoding: str) -> bytes:
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise ValueError(f"unsupported Content-Encoding {encoding!r}")
    decoder = zlib.decompressobj(wbits=31)
    try:
        out = decoder.decompress(body, MAX_DECODED + 1)
    except zlib.error as err:
        raise BadRecord(f"body is not valid gzip: {err}") from None
    if len(out) > MAX_DECODED:
        raise OverflowError
    if not decoder.eof:
        raise BadRecord("gzip body is truncated")
    return out


def decode(body: bytes, content_type: str) -> Any:
    """The export request in OTLP JSON shape (protobuf is converted), or BadRecord."""
    if content_type == JSON:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as err:
            raise BadRecord(f"body is not JSON: {err}") from None
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    try:
        message = ExportLogsServiceRequest.FromString(body)
    except Exception as err:  # protobuf's DecodeError (its module has no type stubs)
        raise BadRecord(f"body is not an ExportLogsServiceRequest: {err}") from None
    return _json_shape(message)


def _any_value(v: Any) -> dict[str, Any] | None:
    which = v.WhichOneof("value")
    if which == "string_value":
        return {"stringValue": v.string_value}
    if which == "int_value":
        return {"intValue": str(v.int_value)}
    if which == "double_value":
        return {"doubleValue": v.double_value}
    if which == "bool_value":
        return {"boolValue": v.bool_value}
    if which == "array_value":
        return {"arrayValue": {"values": [_any_value(x) for x in v.array_value.values]}}
    return None  # kvlist and bytes values carry nothing a request row uses


def _attrs(items: Any) -> list[dict[str, Any]]:
    return [{"key": a.key, "value": _any_value(a.value)} for a in items]


def _json_shape(message: Any) -> dict[str, Any]:
    """The fields of an ExportLogsServiceRequest a request row uses, in OTLP JSON shape (what
    the Collector's file exporter writes), so one converter reads both encodings."""
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": _attrs(group.resource.attributes)},
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": str(r.time_unix_nano),
                                "observedTimeUnixNano": str(r.observed_time_unix_nano),
                                "body": _any_value(r.body),
                                "attributes": _attrs(r.attributes),
                            }
                            for r in scope.log_records
                        ]
                    }
                    for scope in group.scope_logs
                ],
            }
            for group in message.resource_logs
        ]
    }


def response_body(content_type: str, rejected: list[str]) -> bytes:
    """An ExportLogsServiceResponse, with partial_success when records were rejected."""
    message = f"{len(rejected)} api_request records not billed: {rejected[0]}" if rejected else ""
    if content_type == JSON:
        partial = {"rejectedLogRecords": str(len(rejected)), "errorMessage": message}
        return orjson.dumps({"partialSuccess": partial} if rejected else {})
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
        ExportLogsPartialSuccess,
        ExportLogsServiceResponse,
    )

    response = ExportLogsServiceResponse()
    if rejected:
        response.partial_success.CopyFrom(
            ExportLogsPartialSuccess(rejected_log_records=len(rejected), error_message=message)
        )
    return bytes(response.SerializeToString())


def status_body(content_type: str, code: int, message: str) -> bytes:
    """A google.rpc.Status (code, message), as OTLP/HTTP error responses carry."""
    if content_type == JSON:
        return orjson.dumps({"code": code, "message": message})
    text = message.encode("utf-8")

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    return b"\x08" + varint(code) + b"\x12" + varint(len(text)) + text


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        store: Store,
        options: ReadOptions | None = None,
        max_body: int = MAX_BODY,
        max_pending: int = MAX_PENDING_ROWS,
    ) -> None:
        super().__init__(address, _Handler)
        self.writer = Writer(store, max_pending)
        self.options = options or ReadOptions()
        self.max_body = max_body
        self.origin = f"otlp-http://{address[0]}:{self.server_address[1]}/v1/logs"
        self._lines = 0
        self._lines_lock = threading.Lock()

    def number(self, n: int) -> int:
        """The first of `n` consecutive source-line numbers for received events."""
        with self._lines_lock:
            first = self._lines + 1
            self._lines += n
            return first

    def server_close(self) -> None:
        super().server_close()
        self.writer.stop()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per export request would drown the summary."""

    def _send(self, code: int, ctype: str, body: bytes, retry: bool = False) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if retry:
            self.send_header("Retry-After", str(RETRY_AFTER_SECONDS))
        self.end_headers()
        self.wfile.write(body)

    def _fail(self, code: int, ctype: str, message: str, retry: bool = False) -> None:
        rpc = {400: 3, 404: 5, 411: 3, 413: 8, 415: 3, 503: 14}.get(code, 2)
        self._send(code, ctype, status_body(ctype, rpc, message), retry)

    def do_POST(self) -> None:
        self.server.writer.stats.requests += 1
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        reply = JSON if ctype == JSON else PROTOBUF
        if self.path.split("?", 1)[0] != "/v1/logs":
            self.close_connection = True
            return self._fail(404, reply, f"no such path {self.path!r}: logs go to /v1/logs")
        if ctype not in (JSON, PROTOBUF):
            self.close_connection = True
            return self._fail(415, reply, f"unsupported Content-Type {ctype!r}")
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            self.close_connection = True
            return self._fail(411, reply, "Content-Length required")
        length = int(length_text)
        if length > self.server.max_body:
            self.close_connection = True  # the body is not read: the connection cannot be reused
            return self._fail(413, reply, f"body over {self.server.max_body} bytes")
        body = self.rfile.read(length)
        encoding = (self.headers.get("Content-Encoding") or "").strip().lower()
        try:
            obj = decode(_decompress(body, encoding), ctype)
            found = convert(obj, self.server.origin, 0, self.server.options, step=1)
        except OverflowError:
            return self._fail(413, reply, f"decompressed body over {MAX_DECODED} bytes")
        except ValueError as err:  # BadRecord is one
            code = 415 if "Content-Encoding" in str(err) else 400
            return self._fail(code, reply, str(err))
        if found.rows:
            self._renumber(found.rows)
            try:
                batch = self.server.writer.submit(found.rows)
            except Busy:
                return self._fail(503, reply, "busy: retry later", retry=True)
            if not batch.done.wait(WAIT_FOR_COMMIT) or batch.error is not None:
                why = batch.error or "the write is taking too long"
                return self._fail(503, reply, f"not stored ({why}): retry later", retry=True)
        self.server.writer.stats.events_rejected += len(found.rejected)
        self._send(200, reply, response_body(reply, found.rejected))

    def _renumber(self, rows: list[Row]) -> None:
        first = self.server.number(len(rows))
        for i, one in enumerate(rows):
            one["source_line"] = first + i


def serve(
    host: str,
    port: int,
    store: Store,
    options: ReadOptions | None = None,
    max_body: int = MAX_BODY,
) -> Receiver:
    """A receiver bound to (host, port), serving on a background thread (call `shutdown()`
    then `server_close()` to stop: the writer commits what is waiting first)."""
    receiver = Receiver((host, port), store, options, max_body)
    thread = threading.Thread(target=receiver.serve_forever, name="switchcost-otlp", daemon=True)
    thread.start()
    return receiver
