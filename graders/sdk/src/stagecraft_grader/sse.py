"""A Server-Sent Events reader: a streaming GET parsed into events, each read with a deadline."""

from __future__ import annotations

import codecs
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from . import limits
from .checks import CheckFailed, ExchangeError
from .transcript import exchange, headers_dict, request_part, response_part
from .wire import PeerClosed, ReadTimeout, Wire, host_header, read_response_head, request_head


@dataclass(frozen=True)
class ServerSentEvent:
    event: str = "message"  # the `event:` field, "message" when absent
    data: str = ""  # the `data:` lines joined with "\n"
    id: str = ""  # the `id:` field of this event, "" when absent
    retry: int | None = None


class SseStream:
    """An open event stream; use `app.stream_events(path)` to get one."""

    def __init__(
        self,
        wire: Wire,
        url: str,
        status: int,
        headers: httpx.Headers,
        *,
        timeout: float,
        record: Callable[[Any], None],
        curl: str,
    ) -> None:
        self._wire = wire
        self.url = url
        self.status_code = status
        self.headers = headers
        self.timeout = timeout
        self.last_event_id = ""
        self._body = _BodyReader(wire, headers)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._text = ""  # decoded body not parsed into lines yet
        self._fields: dict[str, Any] = {}
        self._data: list[str] = []
        self._log = _StreamLog(url, status, headers, curl)
        record(self._log)

    @classmethod
    def open(
        cls,
        host: str,
        port: int,
        path: str,
        *,
        headers: dict[str, str] | None,
        timeout: float,
        record: Callable[[Any], None],
        curl_host: str = "",
    ) -> SseStream:
        url = f"http://{host_header(host, port)}/{path.lstrip('/')}"
        curl = _curl(f"http://{host_header(curl_host or host, port)}/{path.lstrip('/')}", headers)
        sent = [
            ("Accept", "text/event-stream"),
            ("Cache-Control", "no-cache"),
            ("Accept-Encoding", "identity"),
            ("User-Agent", "stagecraft-grader"),
            *(headers or {}).items(),
        ]
        request = request_part("GET", url, headers=headers_dict(sent))
        deadline = time.monotonic() + timeout
        try:
            wire = Wire.connect(host, port, timeout)
            try:
                wire.send(request_head("GET", "/" + path.lstrip("/"), host_header(host, port), sent), deadline)
                status, answered = read_response_head(wire, deadline, timeout)
            except (ReadTimeout, PeerClosed):
                wire.close()
                raise ExchangeError("the app closed the connection") from None
            except ExchangeError:
                wire.close()
                raise
        except ExchangeError as exc:
            record(exchange("sse", request=request, error=exc.message, curl=curl))
            raise
        return cls(wire, url, status, answered, timeout=timeout, record=record, curl=curl)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def next_event(self, timeout: float | None = None) -> ServerSentEvent:
        """The next event; fails the test if none comes within `timeout` (default: the client's)."""
        timeout = self.timeout if timeout is None else timeout
        return self._next(time.monotonic() + timeout, f"no event arrived within {timeout:g} s")

    def read_events(self, count: int, timeout: float | None = None) -> list[ServerSentEvent]:
        """The next `count` events, all within `timeout` seconds."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        events: list[ServerSentEvent] = []
        while len(events) < count:
            events.append(self._next(deadline, f"only {len(events)} of {count} events arrived within {timeout:g} s"))
        return events

    def close(self) -> None:
        self._wire.close()

    def __enter__(self) -> SseStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _next(self, deadline: float, late: str) -> ServerSentEvent:
        if self.status_code != 200 or self.content_type != "text/event-stream":
            shown = self.headers.get("content-type") or "no Content-Type"
            raise CheckFailed(
                "expected an event stream (status 200, Content-Type: text/event-stream), "
                f"got status {self.status_code} with {shown}"
            )
        while True:
            event = self._parse_buffered()
            if event is not None:
                return event
            try:
                chunk = self._body.read(deadline)
            except ReadTimeout:
                self._log.error = late
                raise ExchangeError(late) from None
            except ExchangeError as exc:
                if self._text.endswith("\r"):
                    self._text += "\n"  # at the end of the stream a final CR can only end a line
                    continue
                self._log.error = exc.message
                raise
            self._log.add(chunk)
            self._text += self._decoder.decode(chunk)

    def _parse_buffered(self) -> ServerSentEvent | None:
        """Consume whole lines from the buffer; return an event when a blank line ends one."""
        while True:
            line, ended = _split_line(self._text)
            if line is None:
                return None
            self._text = ended
            if line == "":
                event = self._dispatch()
                if event is not None:
                    return event
                continue
            if line.startswith(":"):
                continue  # a comment, e.g. a keep-alive
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                self._data.append(value)
            elif name in ("event", "id") and "\0" not in value:
                self._fields[name] = value
            elif name == "retry" and value.isdigit():
                self._fields["retry"] = int(value)

    def _dispatch(self) -> ServerSentEvent | None:
        fields, data = self._fields, self._data
        self._fields, self._data = {}, []
        if "id" in fields:
            self.last_event_id = fields["id"]
        if not data:
            return None  # the spec drops events without data
        return ServerSentEvent(
            event=fields.get("event") or "message",
            data="\n".join(data),
            id=fields.get("id", ""),
            retry=fields.get("retry"),
        )


def _split_line(text: str) -> tuple[str | None, str]:
    """The first line (ended by CRLF, LF or CR) and the rest; (None, text) if no line is complete."""
    for index, char in enumerate(text):
        if char == "\n":
            return text[:index], text[index + 1 :]
        if char == "\r":
            if index + 1 == len(text):
                return None, text  # a CR at the very end may be half of a CRLF
            end = index + 2 if text[index + 1] == "\n" else index + 1
            return text[:index], text[end:]
    return None, text


class _BodyReader:
    """The body of the response, whatever its framing: chunked, Content-Length or until close."""

    def __init__(self, wire: Wire, headers: httpx.Headers) -> None:
        self._wire = wire
        self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length", "")
        self._left: int | None = int(length) if length.isdigit() and not self._chunked else None
        self._chunk_left = 0
        self._need_crlf = False
        self._total = 0
        self._ended = False

    def read(self, deadline: float) -> bytes:
        if self._ended:
            raise ExchangeError("the app ended the event stream")
        try:
            data = self._read_chunked(deadline) if self._chunked else self._read_plain(deadline)
        except PeerClosed:
            self._ended = True
            raise ExchangeError("the app ended the event stream") from None
        self._total += len(data)
        if self._total > limits.READ_LIMIT:
            raise ExchangeError(f"the event stream sent more than {limits.READ_LIMIT} bytes")
        return data

    def _read_plain(self, deadline: float) -> bytes:
        if self._left == 0:
            raise PeerClosed
        if not self._wire.buffer:
            self._wire.fill(deadline)
        size = len(self._wire.buffer) if self._left is None else min(self._left, len(self._wire.buffer))
        if self._left is not None:
            self._left -= size
        return self._wire.take(size)

    def _read_chunked(self, deadline: float) -> bytes:
        while True:
            if self._need_crlf:
                self._wire.read_exact(2, deadline)
                self._need_crlf = False
            if self._chunk_left == 0:
                line = self._wire.read_until(b"\r\n", deadline, 1024)
                try:
                    self._chunk_left = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise ExchangeError("the app sent a malformed chunk in its chunked event stream") from None
                if self._chunk_left == 0:
                    raise PeerClosed  # the last chunk: the stream is over
            if not self._wire.buffer:
                self._wire.fill(deadline)
            data = self._wire.take(min(self._chunk_left, len(self._wire.buffer)))
            self._chunk_left -= len(data)
            self._need_crlf = self._chunk_left == 0
            if data:
                return data


class _StreamLog:
    """The transcript entry of one stream: the raw event text read so far, rendered at test end."""

    def __init__(self, url: str, status: int, headers: httpx.Headers, curl: str) -> None:
        self.url = url
        self.curl = curl
        self.status = status
        self.headers = headers
        self.body = bytearray()
        self.cut = False
        self.error = ""

    def add(self, chunk: bytes) -> None:
        room = limits.BODY_LIMIT + 1 - len(self.body)
        self.body += chunk[: max(room, 0)]
        self.cut = self.cut or len(chunk) > room

    def to_exchange(self) -> dict[str, Any]:
        return exchange(
            "sse",
            request=request_part("GET", self.url, headers={"accept": "text/event-stream"}),
            response=response_part(self.status, bytes(self.body), headers_dict(self.headers.multi_items()), self.cut),
            error=self.error,
            curl=self.curl,
        )


def _curl(url: str, headers: dict[str, str] | None) -> str:
    parts = ["curl", "-N", "-H", "accept: text/event-stream"]
    for name, value in (headers or {}).items():
        parts += ["-H", f"{name}: {value}"]
    return " ".join(shlex.quote(part) for part in [*parts, url])
