"""Raw TCP to the app: send any bytes, read until a delimiter or a deadline (keep-alive, malformed requests)."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from typing import Any

from . import limits
from .checks import ExchangeError
from .transcript import exchange, request_part, response_part
from .wire import PeerClosed, ReadTimeout, Wire


class TcpConnection:
    """An open TCP connection to the app; use `app.tcp_connect()` to get one."""

    def __init__(
        self, wire: Wire, host: str, port: int, timeout: float, record: Callable[[Any], None], curl_host: str = ""
    ) -> None:
        self._wire = wire
        self.host = host
        self.port = port
        self.timeout = timeout
        self._record = record
        self._nc_host = curl_host or host  # the host nc lines name
        self._turn: _Turn | None = None
        # Record bytes as they arrive, so a failed read still shows what the app sent.
        wire.on_receive = self._on_receive

    @classmethod
    def connect(
        cls, host: str, port: int, *, timeout: float, record: Callable[[Any], None], curl_host: str = ""
    ) -> TcpConnection:
        try:
            wire = Wire.connect(host, port, timeout)
        except ExchangeError as exc:
            record(exchange("tcp", request=request_part("CONNECT", _url(host, port)), error=exc.message))
            raise
        return cls(wire, host, port, timeout, record, curl_host)

    def send(self, data: bytes | str) -> None:
        """Send bytes (text is sent as UTF-8)."""
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if self._turn is None or self._turn.received:
            self._turn = _Turn(self.host, self.port, self._nc_host)
            self._record(self._turn)
        self._turn.sent += data
        try:
            self._wire.send(data, time.monotonic() + self.timeout)
        except ReadTimeout:
            raise self._fail(f"the app did not take the bytes sent within {self.timeout:g} s") from None
        except PeerClosed:
            raise self._fail("the app closed the connection") from None

    def read_until(self, delimiter: bytes | str = b"\r\n\r\n", timeout: float | None = None) -> bytes:
        """Bytes up to and including `delimiter`; fails the test if it does not come in time."""
        delimiter = delimiter.encode("utf-8") if isinstance(delimiter, str) else delimiter
        timeout = self.timeout if timeout is None else timeout
        try:
            data = self._wire.read_until(delimiter, time.monotonic() + timeout, limits.READ_LIMIT)
        except ReadTimeout:
            raise self._fail(
                f"the app sent no {_show(delimiter)} within {timeout:g} s ({len(self._wire.buffer)} bytes received)"
            ) from None
        except PeerClosed:
            raise self._fail(f"the app closed the connection before sending {_show(delimiter)}") from None
        return data

    def read_exact(self, count: int, timeout: float | None = None) -> bytes:
        """Exactly `count` bytes; fails the test if they do not all come in time."""
        timeout = self.timeout if timeout is None else timeout
        if count > limits.READ_LIMIT:
            raise ValueError(f"read_exact reads at most {limits.READ_LIMIT} bytes")
        try:
            data = self._wire.read_exact(count, time.monotonic() + timeout)
        except ReadTimeout:
            raise self._fail(f"expected {count} bytes within {timeout:g} s, got {len(self._wire.buffer)}") from None
        except PeerClosed:
            raise self._fail(f"the app closed the connection after {len(self._wire.buffer)} of {count} bytes") from None
        return data

    def read(self, timeout: float | None = None) -> bytes:
        """Whatever arrives until the app closes the connection or `timeout` passes (maybe b"")."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        try:
            while len(self._wire.buffer) <= limits.READ_LIMIT:
                self._wire.fill(deadline)
        except (ReadTimeout, PeerClosed):
            pass
        return self._wire.take(limits.READ_LIMIT)

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Whether the app closes the connection within `timeout`; bytes arriving meanwhile are read."""
        self.read(timeout)
        return self._wire.at_eof

    @property
    def closed_by_app(self) -> bool:
        """True once a read has seen the app close (or reset) the connection."""
        return self._wire.at_eof

    def close(self) -> None:
        self._wire.close()

    def __enter__(self) -> TcpConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _current_turn(self) -> _Turn:
        if self._turn is None:
            self._turn = _Turn(self.host, self.port, self._nc_host)
            self._record(self._turn)
        return self._turn

    def _on_receive(self, chunk: bytes) -> None:
        self._current_turn().add(chunk)

    def _fail(self, message: str) -> ExchangeError:
        self._current_turn().error = message
        return ExchangeError(message)


class _Turn:
    """What the grader sent and what came back before it sent again; rendered at test end."""

    def __init__(self, host: str, port: int, nc_host: str) -> None:
        self.host = host
        self.port = port
        self.nc_host = nc_host
        self.sent = bytearray()
        self.received = bytearray()
        self.cut = False
        self.error = ""

    def add(self, data: bytes) -> None:
        room = max(limits.BODY_LIMIT + 1 - len(self.received), 0)
        self.received += data[:room]
        self.cut = self.cut or len(data) > room

    def to_exchange(self) -> dict[str, Any]:
        url = _url(self.host, self.port)
        return exchange(
            "tcp",
            request=request_part("SEND", url, bytes(self.sent[: limits.BODY_LIMIT + 1])),
            response=response_part(0, bytes(self.received), cut=self.cut),
            error=self.error,
            curl=nc_line(bytes(self.sent), self.nc_host, self.port),
        )


def nc_line(data: bytes, host: str, port: int) -> str:
    """A shell line that sends the same bytes: printf '...' | nc host port."""
    escaped = "".join(_printf_escape(byte) for byte in data[: limits.BODY_LIMIT])
    return limits.cap(f"printf {shlex.quote(escaped)} | nc {host} {port}", limits.CURL_LIMIT)


def _printf_escape(byte: int) -> str:
    special = {0x5C: "\\\\", 0x25: "%%", 0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"}
    if byte in special:
        return special[byte]
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}"


def _url(host: str, port: int) -> str:
    return f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"


def _show(delimiter: bytes) -> str:
    return repr(delimiter)[1:]  # b'\r\n\r\n' -> '\r\n\r\n'
