"""A WebSocket client (RFC 6455) on the standard library, recording each message in the transcript."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from . import limits
from .checks import CheckFailed, ExchangeError, show
from .transcript import exchange, headers_dict, request_part, response_part
from .wire import PeerClosed, ReadTimeout, Wire, host_header, read_response_head, request_head

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_DATA_OPCODES = {TEXT: "text", BINARY: "binary"}
ABNORMAL_CLOSURE = 1006  # what RFC 6455 calls a close without a close frame


class WebSocketClosed(ExchangeError):
    """The app closed the WebSocket; `code` is its close code (1006 when it sent no close frame)."""

    def __init__(self, message: str, code: int, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class _NoMessage(ExchangeError):
    """Nothing arrived before the deadline."""


class WebSocket:
    """An open WebSocket to the app; use `app.websocket_connect(path)` to get one."""

    def __init__(self, wire: Wire, url: str, timeout: float, record: Callable[[Any], None]) -> None:
        self._wire = wire
        self.url = url
        self.timeout = timeout
        self._record = record
        self._pending: deque[str | bytes] = deque()  # data messages read while waiting for a pong
        self._close_sent = False
        self.close_code: int | None = None  # set once the closing handshake happened
        self.close_reason = ""

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        path: str,
        *,
        headers: dict[str, str] | None,
        subprotocols: list[str] | None,
        timeout: float,
        record: Callable[[Any], None],
    ) -> WebSocket:
        url = f"ws://{host_header(host, port)}/{path.lstrip('/')}"
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        sent = [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", key),
            ("Sec-WebSocket-Version", "13"),
            ("User-Agent", "stagecraft-grader"),
        ]
        if subprotocols:
            sent.append(("Sec-WebSocket-Protocol", ", ".join(subprotocols)))
        sent += list((headers or {}).items())
        handshake = request_part("GET", url, headers=headers_dict(sent))
        deadline = time.monotonic() + timeout
        try:
            wire = Wire.connect(host, port, timeout)
        except ExchangeError as exc:
            record(exchange("websocket", request=handshake, error=exc.message))
            raise
        try:
            wire.send(request_head("GET", "/" + path.lstrip("/"), host_header(host, port), sent), deadline)
            status, answered = read_response_head(wire, deadline, timeout)
        except (ExchangeError, ReadTimeout, PeerClosed) as exc:
            wire.close()
            message = exc.message if isinstance(exc, ExchangeError) else "the app closed the connection"
            record(exchange("websocket", request=handshake, error=message))
            raise ExchangeError(message) from None
        response = response_part(status, headers=headers_dict(answered.multi_items()))
        problem = _handshake_problem(status, answered, key)
        record(exchange("websocket", request=handshake, response=response, error=problem))
        if problem:
            wire.close()
            raise ExchangeError(problem)
        return cls(wire, url, timeout, record)

    # Sending

    def send_text(self, text: str) -> None:
        self._send_message(TEXT, text.encode("utf-8"), "text")

    def send_bytes(self, data: bytes) -> None:
        self._send_message(BINARY, bytes(data), "binary")

    def send_json(self, value: Any) -> None:
        self.send_text(json.dumps(value, ensure_ascii=False))

    # Receiving

    def receive(self, timeout: float | None = None) -> str | bytes:
        """The next text (as `str`) or binary (as `bytes`) message; pings are answered meanwhile."""
        if self._pending:
            return self._pending.popleft()
        if self.close_code is not None:
            raise WebSocketClosed("the WebSocket is closed", self.close_code, self.close_reason)
        timeout = self.timeout if timeout is None else timeout
        return self._next_message(time.monotonic() + timeout, timeout, wanted_pong=None)

    def receive_text(self, timeout: float | None = None) -> str:
        message = self.receive(timeout)
        if not isinstance(message, str):
            raise CheckFailed(f"expected a text message, got a binary message of {len(message)} bytes")
        return message

    def receive_bytes(self, timeout: float | None = None) -> bytes:
        message = self.receive(timeout)
        if not isinstance(message, bytes):
            raise CheckFailed(f"expected a binary message, got the text message {show(message)}")
        return message

    def receive_json(self, timeout: float | None = None) -> Any:
        text = self.receive_text(timeout)
        try:
            return json.loads(text)
        except ValueError:
            raise CheckFailed(f"expected a JSON message, got {show(limits.cap(text, 200))}") from None

    def ping(self, payload: bytes = b"", timeout: float | None = None) -> None:
        """Send a ping and wait for its pong; messages that arrive meanwhile stay queued."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        self._send_frame(PING, payload)
        try:
            self._next_message(deadline, timeout, wanted_pong=payload)
        except _NoMessage:
            raise ExchangeError(f"the app did not answer the ping within {timeout:g} s") from None

    def wait_for_close(self, timeout: float | None = None) -> int:
        """Wait until the app closes the WebSocket and return its close code."""
        timeout = self.timeout if timeout is None else timeout
        try:
            message = self.receive(timeout)
        except WebSocketClosed as closed:
            return closed.code
        except _NoMessage:
            raise ExchangeError(f"the app did not close the WebSocket within {timeout:g} s") from None
        raise CheckFailed(f"expected the app to close the WebSocket, got the message {_shown(message)}")

    def close(self, code: int = 1000, reason: str = "", timeout: float | None = None) -> None:
        """Start the closing handshake and wait (up to `timeout`) for the app's close frame."""
        if self.close_code is not None:
            self._wire.close()
            return
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        self._send_close(code, reason)
        try:
            while True:  # messages still in flight are recorded and dropped
                self._next_message(deadline, timeout, wanted_pong=None)
        except ExchangeError:
            pass  # the app's close frame (WebSocketClosed), or none in time: hang up either way
        finally:
            self._wire.close()

    def abort(self) -> None:
        """Drop the connection without a closing handshake (used when the test ends)."""
        self._wire.close()

    def __enter__(self) -> WebSocket:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.close()
        else:
            self.abort()

    # Frames

    def _send_message(self, opcode: int, payload: bytes, kind: str) -> None:
        self._record(exchange("websocket", request=request_part("SEND", self.url, payload, {"type": kind})))
        self._send_frame(opcode, payload)

    def _send_close(self, code: int, reason: str) -> None:
        self._close_sent = True
        body = f"{code} {reason}".strip()
        self._record(exchange("websocket", request=request_part("CLOSE", self.url, body, {"type": "close"})))
        try:
            self._send_frame(CLOSE, struct.pack("!H", code) + reason.encode("utf-8"))
        except ExchangeError:
            pass  # the app is already gone; the closing handshake cannot happen

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        key = os.urandom(4)
        try:
            self._wire.send(header + key + mask(payload, key), time.monotonic() + self.timeout)
        except ReadTimeout:
            raise ExchangeError(f"the app did not take the message within {self.timeout:g} s") from None
        except PeerClosed:
            raise ExchangeError("the app closed the connection") from None

    def _next_message(self, deadline: float, timeout: float, wanted_pong: bytes | None) -> str | bytes:
        """Read frames until a whole data message (or the wanted pong, then return b"")."""
        opcode, size = 0, 0
        parts: list[bytes] = []
        while True:
            fin, frame_opcode, payload = self._read_frame(deadline, timeout)
            if frame_opcode == PING:
                self._send_frame(PONG, payload)
            elif frame_opcode == PONG:
                if wanted_pong is not None and payload == wanted_pong and not parts:
                    return b""
            elif frame_opcode == CLOSE:
                self._on_close(payload)
            elif frame_opcode == CONTINUATION:
                if not opcode:
                    raise ExchangeError("the app sent a continuation frame with no message to continue")
                parts.append(payload)
                size += len(payload)
            elif frame_opcode in _DATA_OPCODES:
                if opcode:
                    raise ExchangeError("the app started a new message before finishing the previous one")
                opcode, parts, size = frame_opcode, [payload], len(payload)
            else:
                raise ExchangeError(f"the app sent a frame with the unknown opcode {frame_opcode:#x}")
            if size > limits.READ_LIMIT:
                raise ExchangeError(f"the app sent a WebSocket message larger than {limits.READ_LIMIT} bytes")
            if opcode and fin and frame_opcode in (CONTINUATION, TEXT, BINARY):
                message = self._finish_message(opcode, b"".join(parts))
                if wanted_pong is None:
                    return message
                self._pending.append(message)
                opcode, parts, size = 0, [], 0

    def _finish_message(self, opcode: int, data: bytes) -> str | bytes:
        kind = _DATA_OPCODES[opcode]
        self._record(exchange("websocket", response=response_part(0, data, {"type": kind})))
        if opcode == BINARY:
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ExchangeError("the app sent a text message that is not valid UTF-8") from None

    def _on_close(self, payload: bytes) -> None:
        code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
        reason = payload[2:].decode("utf-8", "replace")
        self.close_code, self.close_reason = code, reason
        self._record(exchange("websocket", response=response_part(0, f"{code} {reason}".strip(), {"type": "close"})))
        if not self._close_sent:
            self._send_close(code if code not in (1005, 1006) else 1000, "")
        self._wire.close()
        said = f" ({reason})" if reason else ""
        raise WebSocketClosed(f"the app closed the WebSocket with code {code}{said}", code, reason)

    def _read_frame(self, deadline: float, timeout: float) -> tuple[bool, int, bytes]:
        try:
            first, second = self._wire.read_exact(2, deadline)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._wire.read_exact(2, deadline))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._wire.read_exact(8, deadline))[0]
            _check_frame_header(first, second, length)
            payload = self._wire.read_exact(length, deadline)
        except ReadTimeout:
            raise _NoMessage(f"no WebSocket message within {timeout:g} s") from None
        except PeerClosed:
            if self.close_code is None:
                self.close_code = ABNORMAL_CLOSURE
            raise WebSocketClosed(
                "the app closed the connection without a WebSocket close frame", ABNORMAL_CLOSURE
            ) from None
        return bool(first & 0x80), first & 0x0F, payload


def _check_frame_header(first: int, second: int, length: int) -> None:
    if first & 0x70:
        raise ExchangeError("the app sent a frame with reserved bits set, but no extension was agreed")
    if second & 0x80:
        raise ExchangeError("the app sent a masked frame; a server must not mask its frames (RFC 6455, 5.1)")
    opcode = first & 0x0F
    if opcode >= 0x8 and (length > 125 or not first & 0x80):
        raise ExchangeError("the app sent a control frame that is fragmented or longer than 125 bytes")
    if length > limits.READ_LIMIT:
        raise ExchangeError(f"the app sent a WebSocket message larger than {limits.READ_LIMIT} bytes")


def _handshake_problem(status: int, headers: httpx.Headers, key: str) -> str:
    if status != 101:
        return f"expected status 101 Switching Protocols for the WebSocket handshake, got {status}"
    if headers.get("upgrade", "").lower() != "websocket":
        return 'the WebSocket handshake answer lacks the header "Upgrade: websocket"'
    if "upgrade" not in headers.get("connection", "").lower():
        return 'the WebSocket handshake answer lacks the header "Connection: Upgrade"'
    accept = base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")
    if headers.get("sec-websocket-accept", "") != accept:
        return "the WebSocket handshake answer has a wrong Sec-WebSocket-Accept header"
    return ""


def mask(payload: bytes, key: bytes) -> bytes:
    """XOR the payload with the 4-byte key repeated (RFC 6455, 5.3); the same call unmasks."""
    size = len(payload)
    repeated = (key * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(size, "big")


def _shown(message: str | bytes) -> str:
    if isinstance(message, bytes):
        return f"of {len(message)} bytes"
    return show(message)
