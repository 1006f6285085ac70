"""The app control channel (contract v1) and the grader's read-only view of the app's data.

The suites here speak the raw protocol, not the SDK's helpers: a request line on the grader's
stdout, one answer line read from its stdin.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from stagecraft.sandbox import JobSpec, Limits, SandboxResult, run_job
from stagecraft.sandbox.control import MAX_REQUESTS, ControlRequest, MalformedRequest, parse_request
from tests.sandbox.conftest import HELLO_APP, leftovers, write_tree

# An app that counts its boots in /data, keeps a note there, and shuts down cleanly on SIGTERM
# (or ignores SIGTERM when IGNORE_TERM is in its start command's environment).
NOTE_APP = """\
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

DATA = os.environ["DATA_DIR"]
with open(os.path.join(DATA, "boots"), "a") as boots:
    boots.write("boot\\n")


def on_term(signum, frame):
    print("got SIGTERM, shutting down", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, signal.SIG_IGN if os.environ.get("IGNORE_TERM") else on_term)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/boots":
            with open(os.path.join(DATA, "boots")) as boots:
                self.reply(200, str(len(boots.readlines())).encode())
        elif self.path == "/note" and os.path.exists(os.path.join(DATA, "note.txt")):
            with open(os.path.join(DATA, "note.txt"), "rb") as note:
                self.reply(200, note.read())
        else:
            self.reply(404, b"no such thing")

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(os.path.join(DATA, "note.txt"), "wb") as note:
            note.write(body)
        self.reply(204, b"")

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


print("listening", flush=True)
HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

# The raw protocol from inside a suite. The SDK keeps the container's stdout for events (fd 1
# goes to stderr) and pytest points fd 0 at /dev/null while a test runs, so: write the request
# to the events fd, read the answer from stdin with pytest's capture suspended.
RAW_CONTROL_CONFTEST = """\
import json
import os
import socket
import sys
import time

import pytest


@pytest.fixture
def control(request):
    config = request.config
    grader = next(p for p in config.pluginmanager.get_plugins() if type(p).__name__ == "GraderPlugin")
    capture = config.pluginmanager.getplugin("capturemanager")

    def ask(line):
        capture.suspend_global_capture(in_=True)
        try:
            os.write(grader.events._fd, (line + "\\n").encode())
            return json.loads(sys.stdin.readline())
        finally:
            capture.resume_global_capture()

    return ask


def request_line(**fields):
    return json.dumps({"event": "control", **fields})


def wait_for_port(seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", int(os.environ["APP_PORT"])), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the app did not come back")
"""


def make_spec(code: Path, suite: Path, *, start: str = "python app.py", wall_seconds: float = 30) -> JobSpec:
    return JobSpec(
        job_id=f"test-{uuid.uuid4().hex[:10]}",
        runtime="python",
        code_dir=code,
        start_command=start,
        suite_dir=suite,
        limits=Limits(wall_seconds=wall_seconds),
    )


def run_suite(tmp_path: Path, tests: str, *, app: str = NOTE_APP, **options) -> tuple[SandboxResult, list[dict], str]:
    """Run ``tests`` (with the raw-control conftest) against ``app``; the result, the events, the job id."""
    code = write_tree(tmp_path / "code", {"app.py": app})
    suite = write_tree(tmp_path / "suite", {"conftest.py": RAW_CONTROL_CONFTEST, "test_control.py": tests})
    spec = make_spec(code, suite, **options)
    lines: list[str] = []
    result = run_job(spec, lines.append)
    return result, [json.loads(line) for line in lines], spec.job_id


def ends_by_name(events: list[dict]) -> dict[str, dict]:
    """The test_end events by test id (the function's name without "test_")."""
    return {e["id"]: e for e in events if e["event"] == "test_end"}


# --- parsing (no Docker) -----------------------------------------------------------------------


def test_ordinary_event_lines_are_not_requests():
    assert parse_request('{"event": "test_start", "id": "t", "title": "control"}') is None
    assert parse_request('not json, but mentions "control"') is None
    assert parse_request('["control"]') is None


def test_a_well_formed_request_is_parsed_with_defaults():
    request = parse_request('{"event": "control", "id": 4, "action": "stop"}')

    assert request == ControlRequest(id=4, action="stop", signal="SIGTERM", timeout=None)


@pytest.mark.parametrize(
    ("fields", "request_id", "reason"),
    [
        ({"action": "stop"}, None, '"id" must be an integer'),
        ({"id": "1", "action": "stop"}, None, '"id" must be an integer'),
        ({"id": True, "action": "stop"}, None, '"id" must be an integer'),
        ({"id": 1, "action": "reboot"}, 1, '"action" must be one of'),
        ({"id": 2, "action": "signal", "signal": "SIGSTOP"}, 2, '"signal" must be one of'),
        ({"id": 3, "action": "stop", "timeout": -1}, 3, '"timeout" must be'),
        ({"id": 4, "action": "stop", "timeout": 61}, 4, '"timeout" must be'),
        ({"id": 5, "action": "stop", "timeout": "5"}, 5, '"timeout" must be'),
        ({"id": 6, "action": "stop", "command": "rm -rf /"}, 6, "unknown field[(]s[)]: command"),
    ],
)
def test_a_malformed_request_is_refused_with_its_reason(fields, request_id, reason):
    with pytest.raises(MalformedRequest, match=reason) as refused:
        parse_request(json.dumps({"event": "control", **fields}))

    assert refused.value.request_id == request_id


# --- against the real engine ---------------------------------------------------------------------


@pytest.mark.docker
def test_a_restart_keeps_the_data_and_the_grader_reads_it_read_only(built_images, engine, tmp_path):
    tests = """\
        import pytest
        from conftest import request_line, wait_for_port


        def test_the_note_survives_a_restart(app, control):
            assert app.put("/note", content=b"remember me").status_code == 204
            with open("/appdata/note.txt", "rb") as note:
                assert note.read() == b"remember me"
            with pytest.raises(OSError):
                open("/appdata/forged.txt", "w")

            answer = control(request_line(id=1, action="restart", signal="SIGTERM", timeout=5))

            assert answer["ok"] is True, answer
            assert (answer["id"], answer["running"], answer["exit_code"]) == (1, True, 0)
            wait_for_port()
            assert app.get("/note").text == "remember me"
            assert app.get("/boots").text == "2"
    """

    result, events, job_id = run_suite(tmp_path, tests)

    assert result.ending == "completed", result.detail
    assert ends_by_name(events)["the_note_survives_a_restart"]["status"] == "passed", events
    # The request is an event like the others: it reaches on_line too.
    assert [e["action"] for e in events if e["event"] == "control"] == ["restart"]
    assert result.app is not None and result.app.running
    assert result.app.log.count("listening") == 2
    assert "got SIGTERM, shutting down" in result.app.log
    assert leftovers(engine, job_id) == []


@pytest.mark.docker
def test_stop_signal_and_start_report_what_became_of_the_app(built_images, engine, tmp_path):
    tests = """\
        from conftest import request_line, wait_for_port


        def test_stop_then_start(control):
            stopped = control(request_line(id=1, action="stop", timeout=5))
            assert (stopped["ok"], stopped["running"], stopped["exit_code"]) == (True, False, 0), stopped
            again = control(request_line(id=2, action="stop"))
            assert (again["ok"], again["running"], again["exit_code"]) == (True, False, 0), again
            not_running = control(request_line(id=3, action="signal", signal="SIGHUP"))
            assert (not_running["ok"], not_running["running"]) == (False, False), not_running

            started = control(request_line(id=4, action="start"))
            assert (started["ok"], started["running"], started["exit_code"]) == (True, True, None), started
            wait_for_port()


        def test_sigterm_reaches_the_app(control):
            answer = control(request_line(id=5, action="signal", signal="SIGTERM", timeout=5))
            assert (answer["id"], answer["ok"], answer["running"], answer["exit_code"]) == (5, True, False, 0), answer
    """

    result, events, job_id = run_suite(tmp_path, tests)

    assert result.ending == "completed", result.detail
    assert {name: e["status"] for name, e in ends_by_name(events).items()} == {
        "stop_then_start": "passed",
        "sigterm_reaches_the_app": "passed",
    }, events
    assert result.app is not None
    assert (result.app.running, result.app.exit_code) == (False, 0)
    assert result.app.log.count("got SIGTERM, shutting down") == 2
    assert leftovers(engine, job_id) == []


@pytest.mark.docker
def test_logs_bring_back_what_the_app_printed_on_each_stream_across_restarts(built_images, tmp_path):
    tests = """\
        import urllib.request

        from conftest import request_line, wait_for_port


        def test_logs(control):
            restarted = control(request_line(id=1, action="restart", timeout=5))
            assert restarted["ok"], restarted
            wait_for_port()
            urllib.request.urlopen(f"http://127.0.0.1:8000/boots").read()
            answer = control(request_line(id=2, action="logs"))
            assert (answer["ok"], answer["running"]) == (True, True), answer
            assert answer["stdout"].splitlines() == ["listening", "got SIGTERM, shutting down", "listening"], answer
            assert '"GET /boots HTTP/1.1" 200' in answer["stderr"], answer
            assert "listening" not in answer["stderr"]
    """

    result, events, _ = run_suite(tmp_path, tests)

    assert result.ending == "completed", result.detail
    assert ends_by_name(events)["logs"]["status"] == "passed", events


@pytest.mark.docker
def test_an_app_without_a_handler_dies_of_sigterm_as_it_would_outside_a_container(built_images, tmp_path):
    tests = """\
        from conftest import request_line


        def test_stop(control):
            answer = control(request_line(id=1, action="stop", timeout=5))
            assert (answer["ok"], answer["running"], answer["exit_code"]) == (True, False, 143), answer
            assert answer["detail"] == "stopped by SIGTERM"
    """

    result, events, _ = run_suite(tmp_path, tests, app=HELLO_APP)

    assert result.ending == "completed", result.detail
    assert ends_by_name(events)["stop"]["status"] == "passed", events


@pytest.mark.docker
def test_an_app_that_ignores_sigterm_is_killed_after_the_timeout(built_images, tmp_path):
    tests = """\
        from conftest import request_line


        def test_stop(control):
            answer = control(request_line(id=1, action="stop", timeout=1))
            assert (answer["ok"], answer["running"], answer["exit_code"]) == (True, False, 137), answer
            assert "killed" in answer["detail"]
    """

    result, events, _ = run_suite(tmp_path, tests, start="IGNORE_TERM=1 exec python app.py")

    assert result.ending == "completed", result.detail
    assert ends_by_name(events)["stop"]["status"] == "passed", events


@pytest.mark.docker
def test_a_long_stop_timeout_does_not_outlive_the_job(built_images, engine, tmp_path):
    tests = """\
        from conftest import request_line


        def test_stop(control):
            control(request_line(id=1, action="stop", timeout=60))
    """

    result, _, job_id = run_suite(tmp_path, tests, start="IGNORE_TERM=1 exec python app.py", wall_seconds=8)

    assert result.duration < 10
    assert result.app is not None
    assert (result.app.running, result.app.exit_code) == (False, 137)  # killed before the deadline
    assert leftovers(engine, job_id) == []


@pytest.mark.docker
def test_malformed_and_excess_requests_get_ok_false_and_do_nothing(built_images, tmp_path):
    tests = f"""\
        import json

        from conftest import request_line

        MALFORMED = [
            request_line(action="stop"),
            request_line(id="7", action="stop"),
            request_line(id=8, action="reboot"),
            request_line(id=9, action="signal", signal="SIGSTOP"),
            request_line(id=10, action="stop", timeout=-1),
            request_line(id=11, action="stop", extra=1),
        ]


        def test_malformed_requests_are_refused(app, control):
            answers = [control(line) for line in MALFORMED]
            assert [a["id"] for a in answers] == [None, None, 8, 9, 10, 11], answers
            assert all(a["ok"] is False and a["running"] is True for a in answers), answers
            assert all("malformed" in a["detail"] for a in answers), answers
            assert app.get("/boots").text == "1"


        def test_requests_past_the_cap_are_refused(control):
            answers = [control(request_line(id=n, action="start")) for n in range(100, 100 + {MAX_REQUESTS})]
            assert [a["ok"] for a in answers] == [True] * {MAX_REQUESTS - 6} + [False] * 6, answers
            assert "too many" in answers[-1]["detail"]
    """

    result, events, _ = run_suite(tmp_path, tests)

    assert result.ending == "completed", result.detail
    assert {name: e["status"] for name, e in ends_by_name(events).items()} == {
        "malformed_requests_are_refused": "passed",
        "requests_past_the_cap_are_refused": "passed",
    }, events
    assert result.app is not None and result.app.running


@pytest.mark.docker
def test_the_app_cannot_issue_control_requests(built_images, hello_suite, tmp_path):
    forged = json.dumps({"event": "control", "id": 1, "action": "stop", "timeout": 0})
    code = write_tree(tmp_path / "code", {"app.py": HELLO_APP})
    start = f"echo '{forged}'; echo '{forged}' >&2; exec python app.py"

    result = run_job(make_spec(code, hello_suite, start=start), lambda line: None)

    assert result.ending == "completed", result.detail
    assert result.app is not None
    assert forged in result.app.log
    assert result.app.running  # nobody acted on the app's "request"
