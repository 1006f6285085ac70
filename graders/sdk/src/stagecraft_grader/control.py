"""App control (contract v1): ask the worker to stop, start, restart or signal the learner's app, or
for what it has printed so far.

The request is a `control` event on the events stream; the worker answers with one JSON line on
the grader's stdin carrying the same id.
"""

from __future__ import annotations

import json
import math
import os
import select
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .address import AppAddress
from .checks import CheckFailed, GraderError
from .events import EventStream
from .settings import GraderSettings
from .transcript import exchange, request_part, response_part

_ANSWER_LINE_LIMIT = 256 * 1024  # a logs answer carries up to 16 KB of each stream, escaped
MAX_TIMEOUT = 60.0  # seconds a request may ask the worker to wait
SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGKILL")
_ENDING_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL")  # worth waiting for the exit


@dataclass(frozen=True)
class ControlAnswer:
    ok: bool
    running: bool  # whether the app is running after the action
    exit_code: int | None  # the app's exit code, when it has exited
    detail: str = ""
    stdout: str = ""  # logs answers: the tail of what the app printed on stdout
    stderr: str = ""  # ... and on stderr


class ControlChannel:
    """Sends control requests and reads the worker's answers; one per grader run."""

    def __init__(self, events: EventStream, answers_fd: int | None, answer_timeout: float) -> None:
        self._events = events
        self._fd = answers_fd
        self._answer_timeout = answer_timeout
        self._buffer = b""
        self._last_id = 0

    def ask(self, action: str, *, timeout: float, signal: str = "") -> ControlAnswer:
        """Send one request and wait for its answer; a missing or malformed answer is a GraderError."""
        self._last_id += 1
        request_id = self._last_id
        fields: dict[str, Any] = {"id": request_id, "action": action, "timeout": timeout}
        if signal:
            fields["signal"] = signal
        self._events.emit("control", **fields)
        wait = timeout + self._answer_timeout
        deadline = time.monotonic() + wait
        while True:
            line = self._read_line(deadline, wait)
            try:
                answer = json.loads(line)
            except ValueError:
                answer = None
            if not isinstance(answer, dict) or answer.get("id") != request_id:
                print(f"stagecraft-grader: ignored control answer {line[:200]!r}", file=sys.stderr)
                continue  # a late answer to an earlier request, or noise
            return _parse_answer(answer, request_id)

    def _read_line(self, deadline: float, wait: float) -> str:
        if self._fd is None:
            raise GraderError("app control is not available: the grader has no stdin")
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GraderError(f"the worker did not answer the app-control request within {wait:g} s")
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise GraderError("app control is not available: the grader's stdin is closed")
            self._buffer += chunk
            if len(self._buffer) > _ANSWER_LINE_LIMIT and b"\n" not in self._buffer:
                raise GraderError("the worker's app-control answer is longer than 256 KB")
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8", "replace").strip()


def _parse_answer(answer: dict[str, Any], request_id: int) -> ControlAnswer:
    ok, running, exit_code, detail = (answer.get(k) for k in ("ok", "running", "exit_code", "detail"))
    exit_code_valid = exit_code is None or (isinstance(exit_code, int) and not isinstance(exit_code, bool))
    if not isinstance(ok, bool) or not isinstance(running, bool) or not exit_code_valid:
        raise GraderError(f"the worker's answer to app-control request {request_id} is malformed: {answer!r}")
    streams = [answer.get(name) for name in ("stdout", "stderr")]
    if not all(stream is None or isinstance(stream, str) for stream in streams):
        raise GraderError(f"the worker's answer to app-control request {request_id} is malformed: {answer!r}")
    stdout, stderr = (stream or "" for stream in streams)
    return ControlAnswer(ok, running, exit_code, detail if isinstance(detail, str) else "", stdout, stderr)


class AppControl:
    """The `app_control` fixture: stop, start, restart or signal the app, then carry on testing."""

    def __init__(
        self,
        channel: ControlChannel,
        settings: GraderSettings,
        address: AppAddress,
        record: Callable[[Any], None],
        on_move: Callable[[str], None] = lambda base_url: None,
    ) -> None:
        self._channel = channel
        self._settings = settings
        self._address = address
        self._record = record
        self._on_move = on_move  # told the new base URL when the app answers on another address

    def stop(self, timeout: float = 10.0) -> ControlAnswer:
        """Stop the app (SIGTERM, then SIGKILL after `timeout` seconds)."""
        return self._act("stop", timeout)

    def start(self, timeout: float | None = None) -> ControlAnswer:
        """Start the app again and wait until its port accepts connections."""
        return self._act("start", min(self._settings.startup_timeout, MAX_TIMEOUT) if timeout is None else timeout)

    def restart(self, timeout: float = 10.0) -> ControlAnswer:
        """Stop the app (waiting up to `timeout`), start it, and wait for its port."""
        return self._act("restart", timeout)

    def signal(self, name: str = "SIGTERM", timeout: float | None = None) -> ControlAnswer:
        """Send a signal and wait up to `timeout` for the app to exit.

        The default waits 10 s for the signals that end a process and not at all for the others.
        """
        if name not in SIGNALS:
            raise GraderError(f"app_control.signal() takes one of {', '.join(SIGNALS)}, got {name!r}")
        if timeout is None:
            timeout = 10.0 if name in _ENDING_SIGNALS else 0.0
        return self._act("signal", timeout, signal=name)

    def logs(self) -> ControlAnswer:
        """What the app has printed so far: `.stdout` and `.stderr`, the last 16 KB of each, all runs included."""
        return self._act("logs", 0.0)

    def _act(self, action: str, timeout: float, signal: str = "") -> ControlAnswer:
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not (math.isfinite(timeout) and 0 <= timeout <= MAX_TIMEOUT)
        ):
            raise GraderError(f"app_control timeouts are 0 to {MAX_TIMEOUT:g} seconds, got {timeout!r}")
        answer = self._channel.ask(action, timeout=timeout, signal=signal)
        what = f"{action} {signal}".strip()
        self._record(
            exchange(
                "control",
                request=request_part(what.upper(), "app"),
                response=response_part(0, _describe(answer)),
                error="" if answer.ok else answer.detail,
            )
        )
        if not answer.ok:
            verb = f"send {signal} to" if signal else action
            raise CheckFailed(f"could not {verb} the app: {answer.detail or 'no detail given'}")
        if action in ("start", "restart"):
            self._find_app(action)
        return answer

    def _find_app(self, action: str) -> None:
        """Wait for the app's port again, on every address it may now answer on."""
        before, port, wait = self._address.host, self._address.port, self._settings.startup_timeout
        if not self._address.find(wait):
            raise CheckFailed(
                f"after the {action}, your app did not accept connections on port {port} within {wait:g} s"
            )
        if self._address.host != before:
            self._on_move(self._address.base_url)


def _describe(answer: ControlAnswer) -> str:
    state = "running" if answer.running else "not running"
    code = "" if answer.exit_code is None else f", exit code {answer.exit_code}"
    if answer.stdout or answer.stderr:
        code += f"; {len(answer.stdout)} characters on stdout, {len(answer.stderr)} on stderr"
    detail = f" ({answer.detail})" if answer.detail else ""
    return f"{state}{code}{detail}"
