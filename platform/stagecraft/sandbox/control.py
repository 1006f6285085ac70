"""The app control channel (contract v1): the grader asks for the app to be stopped, started, restarted or
signalled, or for what it has printed so far.

The grader prints a request as one line on its stdout (among its events)::

    {"event": "control", "id": 3, "action": "restart", "signal": "SIGTERM", "timeout": 5}

and reads exactly one answer line per request on its stdin::

    {"id": 3, "ok": true, "running": true, "exit_code": 0, "detail": "..."}

A ``logs`` answer also carries ``stdout`` and ``stderr``: the tail (at most LOG_TAIL_BYTES each)
of what the app printed since the job began, decoded as UTF-8 with replacement.

Only the grader's stdout is read, so the learner's code cannot issue requests. A line that
is not a JSON object with ``"event": "control"`` is not a request and gets no answer.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import docker.errors
import msgspec
from docker.models.containers import Container

MAX_REQUESTS = 20  # per job; later requests are refused
MAX_TIMEOUT = 60.0  # seconds a request may ask to wait
ACTIONS = ("stop", "start", "restart", "signal", "logs")
LOG_TAIL_BYTES = 16_000  # of each stream, in a logs answer (the grader reads answer lines up to 256 KB)
SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGKILL")
_DEFAULT_TIMEOUT = {"stop": 10.0, "restart": 10.0, "start": 0.0, "signal": 0.0, "logs": 0.0}
_FIELDS = {"event", "id", "action", "signal", "timeout"}
_KILL_GRACE = 5.0  # seconds to wait for the exit after SIGKILL
_DEADLINE_MARGIN = 1.0  # seconds kept back so the grader can still read the answer
_POLL = 0.1


class ControlRequest(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    action: str  # one of ACTIONS
    signal: str = "SIGTERM"  # the first signal for stop/restart, the signal for "signal"
    timeout: float | None = None  # None: the action's default


class ControlAnswer(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: int | None  # None when the request had no usable id
    ok: bool
    running: bool
    exit_code: int | None
    detail: str
    stdout: str | None = None  # logs answers only
    stderr: str | None = None

    def encode(self) -> bytes:
        return msgspec.json.encode(self) + b"\n"


class MalformedRequest(Exception):
    def __init__(self, request_id: int | None, reason: str) -> None:
        super().__init__(reason)
        self.request_id = request_id


def parse_request(line: str) -> ControlRequest | None:
    """The control request on ``line``, None if the line is not one; MalformedRequest if it is a bad one."""
    if '"control"' not in line:  # cheap: most lines are ordinary events
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("event") != "control":
        return None
    request_id = data.get("id")
    if not _is_int(request_id):
        raise MalformedRequest(None, '"id" must be an integer')
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise MalformedRequest(request_id, f"unknown field(s): {', '.join(unknown)}")
    action = data.get("action")
    if action not in ACTIONS:
        raise MalformedRequest(request_id, f'"action" must be one of {", ".join(ACTIONS)}')
    signal = data.get("signal", "SIGTERM")
    if signal not in SIGNALS:
        raise MalformedRequest(request_id, f'"signal" must be one of {", ".join(SIGNALS)}')
    timeout = data.get("timeout")
    if timeout is not None and not _is_seconds(timeout):
        raise MalformedRequest(request_id, f'"timeout" must be a number of seconds from 0 to {MAX_TIMEOUT:g}')
    return ControlRequest(id=request_id, action=action, signal=signal, timeout=timeout)


class AppControl:
    """Answers the grader's control requests by acting on the app container, within the job's deadline."""

    def __init__(self, app: Container, deadline: float, send: Callable[[bytes], Any]) -> None:
        self.app = app
        self.deadline = deadline
        self.send = send
        self.requests = 0
        # Set once the grader has stopped, started or signalled the app: from then on an exit
        # of the app may be what the grader asked for, so only the grader judges it.
        self.touched = False
        self._last_state: tuple[bool, int | None] | None = None

    def on_line(self, line: str) -> None:
        """Handle ``line`` if it is a control request (one answer on the grader's stdin)."""
        try:
            request = parse_request(line)
        except MalformedRequest as exc:
            self.requests += 1
            answer = self._refuse(exc.request_id, f"malformed control request: {exc}")
        else:
            if request is None:
                return
            self.requests += 1
            if self.requests > MAX_REQUESTS:
                detail = f"too many control requests (at most {MAX_REQUESTS} per job)"
                answer = self._refuse(request.id, detail, fresh=False)
            else:
                answer = self.perform(request)
        self.send(answer.encode())

    def perform(self, request: ControlRequest) -> ControlAnswer:
        remaining = self.deadline - time.monotonic() - _DEADLINE_MARGIN
        if remaining <= 0:
            return self._refuse(request.id, "the job's time is up")
        wanted = _DEFAULT_TIMEOUT[request.action] if request.timeout is None else request.timeout
        self.touched = self.touched or request.action != "logs"
        timeout = min(wanted, remaining)
        act = {
            "stop": self._stop,
            "start": self._start,
            "restart": self._restart,
            "signal": self._signal,
            "logs": self._logs,
        }
        return act[request.action](request, timeout)

    def _stop(self, request: ControlRequest, timeout: float) -> ControlAnswer:
        running, exit_code = self._state()
        if not running:
            return self._answer(request, True, "the app was not running")
        self._kill(request.signal)
        exit_code = self._wait_for_exit(timeout)
        if exit_code is not None:
            return self._answer(request, True, f"stopped by {request.signal}", exit_code)
        self._kill("SIGKILL")
        exit_code = self._wait_for_exit(_KILL_GRACE)
        if exit_code is None:
            return self._answer(request, False, "the app did not stop, even after SIGKILL")
        return self._answer(request, True, f"still running {timeout:g} s after {request.signal}: killed", exit_code)

    def _start(self, request: ControlRequest, timeout: float) -> ControlAnswer:
        running, _ = self._state()
        if running:
            return self._answer(request, True, "the app was already running")
        self.app.start()
        return self._answer(request, True, "started")

    def _restart(self, request: ControlRequest, timeout: float) -> ControlAnswer:
        stopped = self._stop(request, timeout)
        if not stopped.ok:
            return stopped
        self.app.start()
        running, _ = self._state()
        # exit_code says how the previous run ended, so a suite can check the shutdown was graceful.
        return msgspec.structs.replace(stopped, running=running, detail=f"{stopped.detail}; started again")

    def _signal(self, request: ControlRequest, timeout: float) -> ControlAnswer:
        running, _ = self._state()
        if not running:
            return self._answer(request, False, "the app is not running")
        self._kill(request.signal)
        exit_code = self._wait_for_exit(timeout) if timeout > 0 else None
        if exit_code is not None:
            return self._answer(request, True, f"{request.signal} sent; the app exited", exit_code)
        return self._answer(request, True, f"{request.signal} sent")

    def _logs(self, request: ControlRequest, timeout: float) -> ControlAnswer:
        streams = {
            name: _tail(self.app.logs(stdout=name == "stdout", stderr=name == "stderr"))
            for name in ("stdout", "stderr")
        }
        answer = self._answer(request, True, "the app's output so far")
        return msgspec.structs.replace(answer, **streams)

    def _answer(self, request: ControlRequest, ok: bool, detail: str, exit_code: int | None = None) -> ControlAnswer:
        running, current = self._state()
        return ControlAnswer(
            id=request.id,
            ok=ok,
            running=running,
            exit_code=current if exit_code is None else exit_code,
            detail=detail,
        )

    def _refuse(self, request_id: int | None, detail: str, *, fresh: bool = True) -> ControlAnswer:
        # Past the cap, a flood of requests costs no Engine API call: the last known state will do.
        running, exit_code = self._state() if fresh or self._last_state is None else self._last_state
        return ControlAnswer(id=request_id, ok=False, running=running, exit_code=exit_code, detail=detail)

    def _state(self) -> tuple[bool, int | None]:
        """Whether the app runs and, if it does not, its exit code."""
        self.app.reload()
        state = self.app.attrs["State"]
        running = bool(state.get("Running"))
        self._last_state = running, None if running else int(state.get("ExitCode", 0))
        return self._last_state

    def _wait_for_exit(self, seconds: float) -> int | None:
        """The app's exit code once it has stopped, or None if it still runs after ``seconds``."""
        end = time.monotonic() + seconds
        while True:
            running, exit_code = self._state()
            if not running:
                return exit_code
            if time.monotonic() >= end:
                return None
            time.sleep(_POLL)

    def _kill(self, signal: str) -> None:
        try:
            self.app.kill(signal=signal)
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: it stopped in the meantime
                raise


def _tail(data: bytes) -> str:
    """The last LOG_TAIL_BYTES of ``data``, from a line start where one is near, decoded with replacement."""
    if len(data) > LOG_TAIL_BYTES:
        data = data[-LOG_TAIL_BYTES:]
        newline = data.find(b"\n", 0, 200)
        data = data[newline + 1 :] if newline >= 0 else data
    return data.decode("utf-8", "replace")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seconds(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and 0 <= value <= MAX_TIMEOUT
