"""APP_HOST=localhost: the grader finds the app on 127.0.0.1 or ::1, as curl does, and every client
then uses that address; curl lines still say localhost, so that they work on the learner's machine."""

from __future__ import annotations

import shlex
import socket

import pytest

from stagecraft_grader.address import AppAddress
from tests.graders.helpers import HERE, has_ipv6_loopback, run_grader, start_realtime_on, stop
from tests.graders.test_app_control import CONTROL_SUITE_STATUSES, FakeWorker, results

LOCALHOST_SUITE = HERE / "suites" / "localhost"
LOCALHOST_TESTS = {"http", "base_url", "websocket", "events", "tcp", "concurrent"}
needs_ipv6 = pytest.mark.skipif(not has_ipv6_loopback(), reason="this host has no IPv6 loopback")


def test_localhost_means_both_loopback_addresses_and_starts_on_ipv4() -> None:
    address = AppAddress("localhost", 8000)

    assert address.candidates == ("127.0.0.1", "::1")
    assert (address.host, address.base_url) == ("127.0.0.1", "http://127.0.0.1:8000")
    assert AppAddress("LocalHost", 8000).candidates == ("127.0.0.1", "::1")


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "10.0.0.7"])
def test_a_numeric_app_host_is_used_as_it_is(host: str) -> None:
    address = AppAddress(host, 8000)

    assert address.candidates == (host,)
    assert address.base_url == (f"http://[{host}]:8000" if ":" in host else f"http://{host}:8000")


@needs_ipv6
def test_the_address_found_before_is_tried_first() -> None:
    with socket.create_server(("127.0.0.1", 0)) as ipv4:
        port = ipv4.getsockname()[1]
        with socket.create_server(("::1", port), family=socket.AF_INET6):  # an app that answers on both
            address = AppAddress("localhost", port)
            address.host = "::1"  # where it was found before a restart

            assert address.find(timeout=1) is True
            assert address.base_url == f"http://[::1]:{port}"


def test_an_app_that_never_answers_leaves_the_address_as_it_was() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: the port refuses connections
        address = AppAddress("localhost", unused.getsockname()[1])

        assert address.find(timeout=0.2) is False
        assert address.host == "127.0.0.1"


# End to end: the real grader CLI against the realtime app bound in each way learners bind it


@pytest.mark.parametrize(
    ("bind", "found"),
    [
        pytest.param("::1", "[::1]", marks=needs_ipv6, id="ipv6-localhost"),
        pytest.param("::", None, marks=needs_ipv6, id="all-ipv6-and-ipv4"),
        pytest.param("127.0.0.1", "127.0.0.1", id="ipv4-localhost"),
        pytest.param("0.0.0.0", "127.0.0.1", id="all-ipv4"),
    ],
)
def test_localhost_reaches_the_app_however_it_binds(bind: str, found: str | None) -> None:
    app = start_realtime_on(bind)
    try:
        run = run_grader(LOCALHOST_SUITE, app.port, env={"APP_HOST": "localhost"})
    finally:
        stop(app)

    assert run.returncode == 0, run.stderr
    assert {test_id: end["status"] for test_id, end in run.results.items()} == dict.fromkeys(LOCALHOST_TESTS, "passed")
    if found is not None:
        assert f"stagecraft-grader: the app answers on {found}:{app.port}" in run.stderr


@needs_ipv6
def test_transcripts_show_the_address_used_and_curl_lines_say_localhost() -> None:
    app = start_realtime_on("::1")
    try:
        run = run_grader(LOCALHOST_SUITE, app.port, env={"APP_HOST": "localhost"})
    finally:
        stop(app)

    [http] = run.results["http"]["transcript"]
    assert http["request"]["url"] == f"http://[::1]:{app.port}/hello"
    assert http["curl"] == f"curl -i http://localhost:{app.port}/hello"
    [sse] = run.results["events"]["transcript"]
    assert sse["request"]["url"] == f"http://[::1]:{app.port}/events"
    assert shlex.split(sse["curl"])[-1] == f"http://localhost:{app.port}/events"
    tcp = run.results["tcp"]["transcript"][0]
    assert tcp["request"]["url"] == f"tcp://[::1]:{app.port}"
    assert tcp["curl"].endswith(f"| nc localhost {app.port}")
    handshake = run.results["websocket"]["transcript"][0]
    assert handshake["request"]["url"] == f"ws://[::1]:{app.port}/ws/echo"


@needs_ipv6
def test_after_a_restart_the_app_is_found_again_even_on_the_other_address() -> None:
    # The app first binds ::1; the fake worker restarts it on 127.0.0.1 (only in theory does a
    # real app change, but the grader must follow it, and so must the test's `app` client).
    worker = FakeWorker(start_realtime_on("::1"))
    try:
        returncode, events, stderr = worker.serve(HERE / "suites" / "control", APP_HOST="localhost")
    finally:
        stop(worker.app)

    ends = results(events)
    assert returncode == 0, stderr
    assert {test_id: end["status"] for test_id, end in ends.items()} == CONTROL_SUITE_STATUSES
    urls = [x["request"]["url"] for x in ends["restart_gives_a_new_process"]["transcript"] if x["kind"] == "http"]
    assert urls == [f"http://[::1]:{worker.app.port}/pid", f"http://127.0.0.1:{worker.app.port}/pid"]
    assert ends["app_still_serves"]["transcript"][0]["request"]["url"].startswith("http://127.0.0.1:")
