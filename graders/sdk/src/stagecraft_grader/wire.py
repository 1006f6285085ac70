"""A TCP connection to the app whose every read and write respects a deadline.

The WebSocket, Server-Sent Events and raw TCP helpers are built on it; it speaks no protocol.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx

from .checks import ExchangeError

HEAD_LIMIT = 64 * 1024  # bytes of an HTTP status line plus headers
_RECV_SIZE = 65536


class ReadTimeout(Exception):
    """The deadline passed before the bytes asked for arrived."""


class PeerClosed(Exception):
    """The app closed (or reset) the connection."""


class Wire:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.buffer = bytearray()  # bytes received and not consumed yet
        self.at_eof = False
        self.on_receive: Callable[[bytes], None] | None = None  # sees every chunk as it arrives

    @classmethod
    def connect(cls, host: str, port: int, timeout: float) -> Wire:
        """Connect, or raise `ExchangeError` saying in plain words why not."""
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError:
            raise ExchangeError(f"the app did not accept the connection within {timeout:g} s") from None
        except OSError:
            raise ExchangeError("could not connect to the app (connection refused): did it stop or crash?") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock)

    def send(self, data: bytes, deadline: float) -> None:
        try:
            self._sock.settimeout(max(deadline - time.monotonic(), 0.001))
            self._sock.sendall(data)
        except TimeoutError:
            raise ReadTimeout from None
        except OSError:
            raise PeerClosed from None

    def fill(self, deadline: float) -> None:
        """Receive once into the buffer; raise `PeerClosed` at the end of the stream."""
        if self.at_eof:
            raise PeerClosed
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ReadTimeout
        try:
            self._sock.settimeout(remaining)
            chunk = self._sock.recv(_RECV_SIZE)
        except TimeoutError:
            raise ReadTimeout from None
        except OSError:
            self.at_eof = True
            raise PeerClosed from None
        if not chunk:
            self.at_eof = True
            raise PeerClosed
        self.buffer += chunk
        if self.on_receive is not None:
            self.on_receive(chunk)

    def take(self, count: int) -> bytes:
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def read_exact(self, count: int, deadline: float) -> bytes:
        while len(self.buffer) < count:
            self.fill(deadline)
        return self.take(count)

    def read_until(self, delimiter: bytes, deadline: float, limit: int) -> bytes:
        """Bytes up to and including `delimiter`; nothing is consumed if it does not come."""
        searched = 0
        while True:
            found = self.buffer.find(delimiter, searched)
            if found >= 0:
                return self.take(found + len(delimiter))
            if len(self.buffer) > limit:
                raise ExchangeError(f"the app sent more than {limit} bytes without {delimiter!r}")
            searched = max(0, len(self.buffer) - len(delimiter) + 1)
            self.fill(deadline)

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


def request_head(method: str, target: str, host_header: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host_header}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_response_head(wire: Wire, deadline: float, timeout: float) -> tuple[int, httpx.Headers]:
    """Read the status line and headers; raise `ExchangeError` in plain words when they are wrong."""
    try:
        head = wire.read_until(b"\r\n\r\n", deadline, HEAD_LIMIT)
    except ReadTimeout:
        raise ExchangeError(f"no response within {timeout:g} s") from None
    except PeerClosed:
        raise ExchangeError("the app closed the connection without sending a response") from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ExchangeError(
            'the app\'s answer is not valid HTTP: its first line is not a status line such as "HTTP/1.1 200 OK"'
        )
    fields = [line.split(":", 1) for line in lines[1:] if ":" in line]
    return int(parts[1]), httpx.Headers([(name.strip(), value.strip()) for name, value in fields])


def host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
