"""App control, client side: the real grader CLI with a fake worker on its stdout and stdin pipes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stagecraft.grading.events import parse_event
from tests.graders.helpers import GRADER, HERE, RunningApp, run_grader, start_project, stop

REALTIME = HERE / "apps" / "realtime"
# Control characters escape to six bytes each in JSON: this answer line is about 120 KB long.
FAKE_STDOUT = "listening on 8000\n" + "\x01" * 20_000 + "\nGET /healthz 200 ✓\n"


@dataclass
class FakeWorker:
    """Runs the app and answers control requests the way the Docker-side runner will."""

    app: RunningApp
    answer: bool = True
    requests: list[dict[str, Any]] = field(default_factory=list)

    def act(self, request: dict[str, Any]) -> dict[str, Any]:
        action, timeout = request["action"], request["timeout"]
        if action == "signal" and request["signal"] != "SIGTERM":
            return self._answer(ok=False, detail=f"signal {request['signal']} is not allowed")
        if action in ("stop", "restart"):
            self.app.process.terminate()
            self.app.process.wait(timeout)
        if action == "signal":
            self.app.process.send_signal(signal.SIGTERM)
            self.app.process.wait(timeout)
        if action in ("start", "restart"):
            self.app = start_project(REALTIME, port=self.app.port, wait=False)
        if action == "logs":
            return {**self._answer(ok=True), "stdout": FAKE_STDOUT, "stderr": "a warning\n"}
        return self._answer(ok=True)

    def _answer(self, *, ok: bool, detail: str = "") -> dict[str, Any]:
        code = self.app.process.poll()
        return {"ok": ok, "running": code is None, "exit_code": code, "detail": detail}

    def serve(self, suite: Path, **env: str) -> tuple[int, list[dict[str, Any]], str]:
        """Run the grader; relay its events, answer its control requests on its stdin."""
        with (
            tempfile.TemporaryFile() as stderr,
            subprocess.Popen(
                [str(GRADER), str(suite)],
                env={**os.environ, "APP_HOST": "127.0.0.1", "APP_PORT": str(self.app.port), **env},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            ) as grader,
        ):
            assert grader.stdin is not None and grader.stdout is not None
            events = []
            for line in grader.stdout:
                event = json.loads(line)
                if event["event"] != "control":
                    assert parse_event(line) is not None, line
                    events.append(event)
                    continue
                self.requests.append(event)
                if self.answer:
                    reply = {"id": event["id"], **self.act(event)}
                    # Noise first: a line that is not JSON and a late answer to another request.
                    grader.stdin.write(b"not json\n" + json.dumps({**reply, "id": 999}).encode() + b"\n")
                    grader.stdin.write(json.dumps(reply).encode() + b"\n")
                    grader.stdin.flush()
            returncode = grader.wait(timeout=60)
            stderr.seek(0)
            return returncode, events, stderr.read().decode("utf-8", "replace")


# What the control suite (suites/control) reports against a well-behaved app and worker.
CONTROL_SUITE_STATUSES = {
    "restart_gives_a_new_process": "passed",
    "stop_then_start": "passed",
    "graceful_sigterm": "passed",
    "refused_action": "failed",
    "app_still_serves": "passed",
}


def results(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {event["id"]: event for event in events if event["event"] == "test_end"}


def test_worker_stops_starts_restarts_and_signals_the_app() -> None:
    worker = FakeWorker(start_project(REALTIME))
    try:
        returncode, events, stderr = worker.serve(HERE / "suites" / "control")
    finally:
        stop(worker.app)

    ends = results(events)
    assert returncode == 0, stderr
    assert {test_id: end["status"] for test_id, end in ends.items()} == CONTROL_SUITE_STATUSES
    assert ends["refused_action"]["message"] == "could not send SIGHUP to the app: signal SIGHUP is not allowed"
    assert [(r["id"], r["action"], r.get("signal")) for r in worker.requests] == [
        (1, "restart", None),
        (2, "stop", None),
        (3, "start", None),
        (4, "signal", "SIGTERM"),
        (5, "start", None),
        (6, "signal", "SIGHUP"),
    ]
    assert worker.requests[0] == {"event": "control", "id": 1, "action": "restart", "timeout": 5}
    assert worker.requests[2]["timeout"] == 10  # start waits STARTUP_TIMEOUT by default
    [control] = [x for x in ends["graceful_sigterm"]["transcript"] if x["kind"] == "control"][:1]
    assert control["request"]["method"] == "SIGNAL SIGTERM"
    assert control["response"]["body"] == "not running, exit code 0"


def test_logs_bring_back_both_streams_even_in_a_long_answer() -> None:
    worker = FakeWorker(start_project(REALTIME))
    try:
        returncode, events, stderr = worker.serve(HERE / "suites" / "control-logs")
    finally:
        stop(worker.app)

    assert returncode == 0, stderr
    assert {test_id: end["status"] for test_id, end in results(events).items()} == {"logs": "passed"}
    assert [(r["action"], r["timeout"]) for r in worker.requests] == [("logs", 0.0)]


def test_unanswered_request_is_a_grader_error() -> None:
    worker = FakeWorker(start_project(REALTIME), answer=False)
    try:
        returncode, events, stderr = worker.serve(HERE / "suites" / "control-unanswered", CONTROL_TIMEOUT="0.5")
    finally:
        stop(worker.app)

    ends = results(events)
    assert returncode == 1
    assert ends["stop"]["status"] == "error"
    assert "not with your code" in ends["stop"]["message"]
    assert "the worker did not answer the app-control request within 1.5 s" in stderr
    assert ends["after"]["status"] == "passed"


def test_closed_stdin_means_no_app_control(realtime_app: RunningApp) -> None:
    run = run_grader(HERE / "suites" / "control-unanswered", realtime_app.port, stdin=subprocess.DEVNULL)

    assert run.results["stop"]["status"] == "error"
    assert "app control is not available: the grader's stdin is closed" in run.stderr
    assert run.of("control") == [{"event": "control", "id": 1, "action": "stop", "timeout": 1}]
