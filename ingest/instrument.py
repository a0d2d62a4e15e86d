"""Log every Messages API call of your own `anthropic` client to a file switchcost ingests.

    import anthropic
    from switchcost.ingest.instrument import instrument
    client = instrument(anthropic.Anthropic(), "claude_calls.jsonl", tags={"workload": "triage"})

Then use `client` exactly as before (`messages.create`, `create(stream=True)`, `messages.stream`,
the same under `client.beta.messages`, sync or `AsyncAnthropic`).  Each call appends one JSON
line in the wrapper layout the `messages` reader reads: `{"ts", "request_id", "latency_ms",
"ttft_ms", "stream", "tags", "request": {"model", "max_tokens"}, "response": <Message>}`, where
the Message keeps its id, model, usage (service tier, cache split, iterations, …) and stop
reason but its content blocks are reduced to their types:
no prompt or response text is written unless `include_text=True`.  A failed call writes an
`error` record (counted by switchcost, not billed).  Latency is the whole call; time to first
token is the first content delta of a stream.

This module imports only the standard library and the anthropic SDK, so an application can use
it without switchcost's other dependencies.  Streams are observed by wrapping the SDK stream's
event iterator (anthropic 2.x internals: `Stream._iterator`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anthropic

_LOCK = threading.Lock()


class _Log:
    """Where records go and what they carry; appends whole lines under a lock."""

    def __init__(
        self, path: Path, tags: dict[str, Any], include_text: bool, capture: bool = False
    ) -> None:
        self.path = path
        self.tags = tags
        self.include_text = include_text
        self.capture = capture

    def with_tags(self, tags: dict[str, Any]) -> _Log:
        return _Log(self.path, {**self.tags, **tags}, self.include_text, self.capture)

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        with _LOCK, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Call:
    """One Messages API call being timed: builds and writes its record exactly once."""

    def __init__(self, log: _Log, kwargs: dict[str, Any], stream: bool) -> None:
        self.log = log
        self.kwargs = kwargs
        self.stream = stream
        self.ts = _now_iso()
        self.t0 = time.perf_counter()
        self.ttft_ms: float | None = None
        self.message: dict[str, Any] | None = None
        self.request_id: str | None = None
        self.done = False

    def _request(self) -> dict[str, Any]:
        if self.log.capture:
            return _captured_request(self.kwargs)
        req = {"model": self.kwargs.get("model"), "max_tokens": self.kwargs.get("max_tokens")}
        if self.log.include_text:
            for key in ("system", "messages"):
                if key in self.kwargs:
                    req[key] = self.kwargs[key]
        return req

    def _strip(self, message: dict[str, Any]) -> dict[str, Any]:
        if self.log.include_text or self.log.capture:
            return message
        blocks = message.get("content") or []
        return {
            **message,
            "content": [{"type": b.get("type")} for b in blocks if isinstance(b, dict)],
        }

    def finish(self, error: BaseException | None = None) -> None:
        if self.done:
            return
        self.done = True
        record: dict[str, Any] = {
            "ts": self.ts,
            "request_id": self.request_id,
            "latency_ms": round((time.perf_counter() - self.t0) * 1000, 3),
            "ttft_ms": None if self.ttft_ms is None else round(self.ttft_ms, 3),
            "stream": self.stream,
            "tags": self.log.tags,
            "request": self._request(),
        }
        if self.message is not None:
            record["response"] = self._strip(self.message)
        else:
            status = getattr(error, "status_code", None)
            record["error"] = {
                "type": type(error).__name__ if error else "incomplete_stream",
                "status": status,
            }
        self.log.write(record)

    def got_message(self, message: Any) -> None:
        self.message = message.to_dict(mode="json")
        self.request_id = getattr(message, "_request_id", None) or self.request_id

    def see(self, event: Any) -> None:
        """Accumulate a stream event: message_start's Message, cumulative message_delta usage."""
        kind = getattr(event, "type", None)
        if kind == "message_start":
            self.message = event.message.to_dict(mode="json")
        elif kind == "content_block_delta" and self.ttft_ms is None:
            self.ttft_ms = (time.perf_counter() - self.t0) * 1000
        elif kind == "message_delta" and self.message is not None:
            usage = event.usage.to_dict(mode="json")
            self.message["usage"] = {
                **(self.message.get("usage") or {}),
                **{k: v for k, v in usage.items() if v is not None},
            }
            delta = event.delta.to_dict(mode="json")
            self.message.update({k: v for k, v in delta.items() if k.startswith("stop_")})

    def watch(self, stream: Any) -> None:
        """Observe a sync or async SDK stream's events as the caller consumes them."""
        self.request_id = stream.response.headers.get("request-id")
        inner = stream._iterator
        stream._iterator = (
            self._awatch(inner) if hasattr(inner, "__anext__") else self._swatch(inner)
        )

    def _swatch(self, inner: Iterator[Any]) -> Iterator[Any]:
        try:
            for event in inner:
                self.see(event)
                yield event
        finally:
            self.finish()

    async def _awatch(self, inner: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for event in inner:
                self.see(event)
                yield event
        finally:
            self.finish()


# Client-side arguments never written: headers may carry credentials.
_NOT_CAPTURED = frozenset({"extra_headers", "extra_query", "extra_body", "timeout", "stream"})


def _captured_request(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Every create() argument (with those passed through `extra_body`, such as temperature on
    SDK versions without that keyword), minus client-side ones, for `capture=True`."""
    extra = kwargs.get("extra_body")
    req = {k: v for k, v in kwargs.items() if k not in _NOT_CAPTURED}
    if isinstance(extra, dict):
        req.update({k: v for k, v in extra.items() if k not in req})
    return req


def _split(kwargs: dict[str, Any], log: _Log) -> tuple[dict[str, Any], _Log]:
    tags = kwargs.pop("switchcost_tags", None)
    return kwargs, log.with_tags(tags) if tags else log


def _settle(call: _Call, result: Any) -> Any:
    """After the call returned: a stream is logged as it is consumed, a Message at once."""
    if call.stream:
        call.watch(result)
    else:
        call.got_message(result)
        call.finish()
    return result


class _StreamManager:
    """Wraps `messages.stream(...)`: the call is timed from `with` to the last event."""

    def __init__(self, manager: Any, call: _Call) -> None:
        self._manager = manager
        self._call = call

    def __enter__(self) -> Any:
        try:
            stream = self._manager.__enter__()
        except BaseException as err:
            self._call.finish(err)
            raise
        self._call.watch(stream._raw_stream)
        return stream

    def __exit__(self, *exc: Any) -> Any:
        try:
            return self._manager.__exit__(*exc)
        finally:
            self._call.finish(exc[1])

    async def __aenter__(self) -> Any:
        try:
            stream = await self._manager.__aenter__()
        except BaseException as err:
            self._call.finish(err)
            raise
        self._call.watch(stream._raw_stream)
        return stream

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self._manager.__aexit__(*exc)
        finally:
            self._call.finish(exc[1])


class _Messages:
    """`client.messages` with `create` and `stream` logged; everything else passes through."""

    def __init__(self, messages: Any, log: _Log, is_async: bool) -> None:
        self._messages = messages
        self._log = log
        self._async = is_async

    def __getattr__(self, name: str) -> Any:
        return getattr(self._messages, name)

    def create(self, **kwargs: Any) -> Any:
        kwargs, log = _split(kwargs, self._log)
        if self._async:
            return self._acreate(kwargs, log)
        call = _Call(log, kwargs, bool(kwargs.get("stream")))
        try:
            result = self._messages.create(**kwargs)
        except BaseException as err:
            call.finish(err)
            raise
        return _settle(call, result)

    async def _acreate(self, kwargs: dict[str, Any], log: _Log) -> Any:
        call = _Call(log, kwargs, bool(kwargs.get("stream")))
        try:
            result = await self._messages.create(**kwargs)
        except BaseException as err:
            call.finish(err)
            raise
        return _settle(call, result)

    def stream(self, **kwargs: Any) -> _StreamManager:
        kwargs, log = _split(kwargs, self._log)
        return _StreamManager(self._messages.stream(**kwargs), _Call(log, kwargs, True))


class _Beta:
    """`client.beta` with `messages` logged; everything else (files, models...) passes through."""

    def __init__(self, beta: Any, log: _Log, is_async: bool) -> None:
        self._beta = beta
        self._log = log
        self._async = is_async

    def __getattr__(self, name: str) -> Any:
        return getattr(self._beta, name)

    @property
    def messages(self) -> _Messages:
        return _Messages(self._beta.messages, self._log, self._async)


class InstrumentedClient:
    """Your client, with `messages` logged; any other attribute is the client's own."""

    def __init__(self, client: Any, log: _Log) -> None:
        self._client = client
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    @property
    def messages(self) -> _Messages:
        is_async = isinstance(self._client, anthropic.AsyncAnthropic)
        return _Messages(self._client.messages, self._log, is_async)

    @property
    def beta(self) -> _Beta:
        """`client.beta`, its `messages` logged too: compaction, the advisor tool and
        server-side fallback answer there, with `usage.iterations`."""
        is_async = isinstance(self._client, anthropic.AsyncAnthropic)
        return _Beta(self._client.beta, self._log, is_async)

    def with_tags(self, **tags: Any) -> InstrumentedClient:
        """The same client logging extra tags (e.g. `workload="summaries"`) on its calls."""
        return InstrumentedClient(self._client, self._log.with_tags(tags))


def instrument(
    client: anthropic.Anthropic | anthropic.AsyncAnthropic,
    log_file: str | Path,
    *,
    tags: dict[str, Any] | None = None,
    include_text: bool = False,
    capture: bool = False,
) -> InstrumentedClient:
    """Wrap `client` so each Messages API call appends one record to `log_file`.

    `tags` (e.g. `{"workload": "triage"}`) go on every record; a call can add its own with
    `switchcost_tags={...}`.  Prompt and response text are written only with `include_text`, or
    with `capture=True`: then the record's `request` holds every create() argument (model,
    system, messages, tools, tool_choice, max_tokens, temperature, stop sequences, ...; never
    headers) and the response keeps its content, for `switchcost ingest --capture` and
    `switchcost replay`.
    """
    path = Path(log_file).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return InstrumentedClient(client, _Log(path, dict(tags or {}), include_text, capture))
