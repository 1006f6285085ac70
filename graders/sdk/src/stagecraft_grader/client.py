"""The `app` client: talks HTTP to the learner's app, reads defensively and records every exchange."""

from __future__ import annotations

import json as json_module
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import limits
from .checks import CheckFailed, ExchangeError, show
from .sse import SseStream
from .tcp import TcpConnection
from .transcript import http_exchange
from .websocket import WebSocket

DEFAULT_TIMEOUT = 5.0

_UNSET: Any = object()
_DEFAULT_HEADERS = {
    "User-Agent": "stagecraft-grader",
    # Never ask for compression: a small gzip body can expand past any read limit.
    "Accept-Encoding": "identity",
}


@dataclass(frozen=True)
class Response:
    """What the app answered; the body is at most `limits.READ_LIMIT` bytes (see `truncated`)."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    truncated: bool = False
    _charset: str = field(default="utf-8", repr=False)

    @property
    def text(self) -> str:
        """The body decoded with its declared charset (UTF-8 if none); bad bytes become U+FFFD."""
        try:
            return self.content.decode(self._charset, "replace")
        except LookupError:
            return self.content.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased: "application/json", or "" if absent."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON; a body that is not JSON fails the test with a plain message."""
        if self.truncated:
            raise CheckFailed(f"the response body is larger than {limits.READ_LIMIT} bytes")
        try:
            return json_module.loads(self.content)
        except ValueError:
            shown = show(limits.cap(self.text, 200)) if self.content else "an empty body"
            raise CheckFailed(f"expected a JSON body, got {shown}") from None


Recorder = Callable[[Any], None]


class AppClient:
    """Client bound to the app's base URL: HTTP methods return a `Response`; WebSocket, SSE, raw TCP."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        record: Recorder | None = None,
        curl_host: str = "",
    ) -> None:
        self.timeout = timeout
        self._record = record or (lambda exchange: None)
        # The host that curl and nc lines name (e.g. "localhost" while requests go to ::1): a
        # learner runs them on their own machine, where their app may answer on the other address.
        self._curl_host = curl_host
        self._client = httpx.Client(
            timeout=timeout,
            headers=_DEFAULT_HEADERS,
            follow_redirects=False,
            trust_env=False,  # never route through a proxy from the environment
        )
        self.move_to(base_url)
        self._connections: list[WebSocket | SseStream | TcpConnection] = []

    def move_to(self, base_url: str) -> None:
        """Send what comes next to `base_url`; connections already open stay where they are.

        App control calls it when a restarted app answers on the other loopback address.
        """
        self.base_url = base_url.rstrip("/")
        url = httpx.URL(self.base_url)
        self._client.base_url = url
        self.host, self.port = url.host, url.port or 80

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        headers: Any = None,
        json: Any = _UNSET,
        content: bytes | str | None = None,
        data: Any = None,
        timeout: float | None = None,
    ) -> Response:
        """Send one request; raise `ExchangeError` with a plain message when no response comes."""
        extra: dict[str, Any] = {}
        if json is not _UNSET:
            extra["json"] = json
        request = self._client.build_request(
            method.upper(),
            path,
            params=params,
            headers=headers,
            content=content,
            data=data,
            timeout=timeout or self.timeout,
            **extra,
        )
        return self._send(request, timeout or self.timeout)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Response:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)

    def websocket_connect(
        self,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        subprotocols: list[str] | None = None,
        timeout: float | None = None,
    ) -> WebSocket:
        """Open a WebSocket to `path` (the handshake and every message land in the transcript)."""
        ws = WebSocket.connect(
            self.host,
            self.port,
            path,
            headers=headers,
            subprotocols=subprotocols,
            timeout=timeout or self.timeout,
            record=self._record,
        )
        self._connections.append(ws)
        return ws

    def stream_events(
        self, path: str, *, headers: dict[str, str] | None = None, timeout: float | None = None
    ) -> SseStream:
        """GET `path` as a Server-Sent Events stream; read it with `next_event()`/`read_events()`."""
        stream = SseStream.open(
            self.host,
            self.port,
            path,
            headers=headers,
            timeout=timeout or self.timeout,
            record=self._record,
            curl_host=self._curl_host,
        )
        self._connections.append(stream)
        return stream

    def tcp_connect(self, *, timeout: float | None = None) -> TcpConnection:
        """Open a raw TCP connection to the app's port."""
        connection = TcpConnection.connect(
            self.host, self.port, timeout=timeout or self.timeout, record=self._record, curl_host=self._curl_host
        )
        self._connections.append(connection)
        return connection

    def close(self) -> None:
        for connection in self._connections:
            if isinstance(connection, WebSocket):
                connection.abort()
            else:
                connection.close()
        self._client.close()

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, request: httpx.Request, timeout: float) -> Response:
        deadline = time.monotonic() + timeout
        sent = {
            "method": request.method,
            "url": str(request.url),
            "curl_url": self._curl_url(request.url),
            "request_headers": list(request.headers.multi_items()),
            "request_body": request.content,
        }
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            message = describe_http_error(exc, timeout)
            self._record(http_exchange(**sent, error=message))
            raise ExchangeError(message) from None
        try:
            body, truncated, error = _read_body(response, deadline, timeout)
        finally:
            response.close()
        self._record(
            http_exchange(
                **sent,
                status=response.status_code,
                response_headers=list(response.headers.multi_items()),
                response_body=body,
                response_cut=truncated or bool(error),
                error=error,
            )
        )
        if error:
            raise ExchangeError(error)
        return Response(
            status_code=response.status_code,
            headers=response.headers,
            content=body,
            url=str(request.url),
            truncated=truncated,
            _charset=response.charset_encoding or "utf-8",
        )

    def _curl_url(self, url: httpx.URL) -> str:
        """The URL as a curl line names it: the app's host as configured, not the address found."""
        if url.host != self.host or self._curl_host in ("", self.host):
            return str(url)
        return str(url.copy_with(host=self._curl_host))


def _read_body(response: httpx.Response, deadline: float, timeout: float) -> tuple[bytes, bool, str]:
    """Read at most READ_LIMIT bytes before the deadline.

    Returns the bytes, whether more remained, and what went wrong ("" if nothing did).
    """
    chunks: list[bytes] = []
    size = 0
    error = ""
    try:
        for chunk in response.iter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size > limits.READ_LIMIT:
                return b"".join(chunks)[: limits.READ_LIMIT], True, ""
            if time.monotonic() > deadline:
                error = f"the response body did not finish within {timeout:g} s"
                break
    except httpx.HTTPError as exc:
        error = describe_http_error(exc, timeout, body_started=True)
    return b"".join(chunks), False, error


def describe_http_error(exc: httpx.HTTPError, timeout: float, *, body_started: bool = False) -> str:
    """Say in plain language what went wrong on the wire."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"the app did not accept the connection within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect to the app (connection refused): did it stop or crash?"
    if isinstance(exc, httpx.TimeoutException):
        if body_started:
            return f"the response body did not finish within {timeout:g} s"
        return f"no response within {timeout:g} s"
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc).lower()
        if body_started or "incomplete" in text or "peer closed" in text:
            return "the app closed the connection before the response was complete"
        if "disconnected" in text:
            return "the app closed the connection without sending a response"
        if "status line" in text:
            return 'the app\'s answer is not valid HTTP: its first line is not a status line such as "HTTP/1.1 200 OK"'
        return f"the app's answer is not valid HTTP ({limits.cap(str(exc), 200)})"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        return "the app closed the connection"
    if isinstance(exc, httpx.TransportError):
        return f"the connection to the app failed ({type(exc).__name__})"
    return f"the request could not be made ({type(exc).__name__}: {limits.cap(str(exc), 200)})"
