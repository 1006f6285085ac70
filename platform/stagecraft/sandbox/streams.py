"""Talking to containers: the grader's stdout as lines (and its stdin), the app's log capped."""

from __future__ import annotations

import select
import struct
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import docker

from stagecraft.sandbox import Ending

_STDOUT = 1
_HEADER = struct.Struct(">BxxxL")  # the Engine API's multiplexed stream frame header
_POLL_SECONDS = 1.0
WATCH_SECONDS = 0.5  # how often a pump asks whether to stop early (one Engine API call each time)


class LineSplitter:
    """Turns stdout bytes into complete lines for ``on_line``, up to ``limit`` bytes in all."""

    def __init__(self, on_line: Callable[[str], None], limit: int) -> None:
        self.on_line = on_line
        self.limit = limit
        self.total = 0
        self._pending = b""

    def feed(self, data: bytes) -> bool:
        """Deliver the lines completed by ``data``; False once the output passed the limit."""
        room = self.limit - self.total
        over = len(data) > room
        if over:
            data = data[: max(room, 0)]
        self.total += len(data)
        *lines, self._pending = (self._pending + data).split(b"\n")
        for line in lines:
            self._deliver(line)
        return not over

    def finish(self) -> None:
        """The stream ended normally: a last line without a newline still counts."""
        if self._pending:
            self._deliver(self._pending)
            self._pending = b""

    def _deliver(self, line: bytes) -> None:
        self.on_line(line.removesuffix(b"\r").decode("utf-8", errors="replace"))


class AttachedGrader:
    """The grader's stdout (and, optionally, stdin) over one attach connection opened *before* it starts.

    Attaching first means no output can be missed; reading the raw socket with a poll
    timeout means a silent container cannot hold the reader past its deadline. With
    ``stdin=True`` the container must have been created with ``stdin_open=True``; `send`
    then writes to its stdin.
    """

    def __init__(self, client: docker.DockerClient, container_id: str, *, stdin: bool = False) -> None:
        params = {"stdin": int(stdin), "stdout": 1, "stderr": 0, "stream": 1, "logs": 0}
        self._io = client.api.attach_socket(container_id, params=params)
        self._socket: Any = getattr(self._io, "_sock", self._io)
        self._frames = FrameReader()

    def __enter__(self) -> AttachedGrader:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for closable in (self._io, self._socket):
            try:
                closable.close()
            except OSError:
                pass

    def send(self, data: bytes) -> bool:
        """Write ``data`` to the container's stdin; False if the connection is gone."""
        try:
            self._socket.sendall(data)
        except OSError:
            return False
        return True

    def pump(
        self,
        lines: LineSplitter,
        deadline: float,
        stop: Callable[[], bool] | None = None,
        until: Callable[[], bool] | None = None,
    ) -> Ending:
        """Feed ``lines`` until the stream ends ("completed"), the deadline or the output cap.

        ``stop``, asked at most every WATCH_SECONDS, ends the pump early ("app_exited") when true;
        ``until``, asked after each read, ends it as "completed" when true (the grader said it is done).
        """
        poller = select.poll()
        poller.register(self._socket.fileno(), select.POLLIN | select.POLLPRI)
        next_watch = time.monotonic() + WATCH_SECONDS
        while True:
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                return "timeout"
            if stop is not None and now >= next_watch:
                if stop():
                    return "app_exited"
                next_watch = now + WATCH_SECONDS
            if not poller.poll(min(remaining, _POLL_SECONDS if stop is None else WATCH_SECONDS) * 1000):
                continue
            data = self._socket.recv(65536)
            if not data:
                lines.finish()
                return "completed"
            for payload in self._frames.feed(data):
                if not lines.feed(payload):
                    return "output_limit"
            if until is not None and until():
                lines.finish()
                return "completed"


class FrameReader:
    """Splits the Engine API's multiplexed attach stream into stdout payloads."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[bytes]:
        """The stdout payloads of the frames that ``data`` completes."""
        self._buffer += data
        payloads = []
        position = 0
        while len(self._buffer) - position >= _HEADER.size:
            stream, size = _HEADER.unpack_from(self._buffer, position)
            start, end = position + _HEADER.size, position + _HEADER.size + size
            if len(self._buffer) < end:
                break
            if stream == _STDOUT:
                payloads.append(self._buffer[start:end])
            position = end
        self._buffer = self._buffer[position:]
        return payloads


def cap_log(raw: bytes, limit: int) -> tuple[str, bool]:
    """Decode a log, keeping its start and (mostly) its end when it is over ``limit`` bytes."""
    if len(raw) <= limit:
        return raw.decode("utf-8", errors="replace"), False
    # The end usually holds the crash; the start holds the startup messages.
    head = limit // 4
    tail = limit - head
    cut = len(raw) - head - tail
    text = (
        raw[:head].decode("utf-8", errors="replace")
        + f"\n[… {cut} bytes of log cut …]\n"
        + raw[-tail:].decode("utf-8", errors="replace")
    )
    return text, True
