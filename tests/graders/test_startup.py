"""Finding the app at start, and the did_not_start message that says what it listens on instead."""

# ruff: noqa: E501 - the /proc/net/tcp samples below are kept as the kernel prints them

from __future__ import annotations

import contextlib
import errno
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stagecraft_grader import startup
from stagecraft_grader.startup import (
    Listener,
    did_not_start_message,
    first_to_accept,
    listening_ports,
    parse_listeners,
)
from tests.graders.helpers import (
    HERE,
    as_service_ports,
    free_port,
    has_ipv6_loopback,
    ports_busy_now,
    ports_named,
    run_grader,
    start_project,
    start_realtime_on,
    stop,
)

SAMPLE = HERE / "suites" / "sample"
LOCALHOST = ("127.0.0.1", "::1")
needs_ipv6 = pytest.mark.skipif(not has_ipv6_loopback(), reason="this host has no IPv6 loopback")

# What an app's namespace shows on x86-64: Flask on 0.0.0.0:5000, an app on 127.0.0.1:8080, Redis
# on 6379, and rows that are not listening (an established connection, a TIME_WAIT).
PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 51234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 51240 1 0000000000000000 100 0 0 10 0
   2: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 50011 1 0000000000000000 100 0 0 10 0
   3: 0100007F:1388 0100007F:D4C2 01 00000000:00000000 00:00000000 00000000 10001        0 51300 1 0000000000000000 20 4 30 10 -1
   4: 0100007F:D4C6 0100007F:1388 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
"""
# Node's listen(3000, "localhost") on ::1, a server on :: port 80, one on ::ffff:127.0.0.1:8081,
# and an established connection to ::1:3000.
PROC_NET_TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 61234 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 61240 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 61250 1 0000000000000000 100 0 0 10 0
   3: 00000000000000000000000001000000:0BB8 00000000000000000000000001000000:E0A2 01 00000000:00000000 00:00000000 00000000 10001        0 61300 1 0000000000000000 20 4 30 10 -1
"""


# Reading /proc/net/tcp and tcp6


def test_listening_rows_are_parsed_and_the_others_left_out() -> None:
    assert parse_listeners(PROC_NET_TCP) == [
        Listener(5000, "0.0.0.0"),
        Listener(8080, "127.0.0.1"),
        Listener(6379, "127.0.0.1"),
    ]
    assert parse_listeners(PROC_NET_TCP6) == [
        Listener(3000, "::1"),
        Listener(80, "::"),
        Listener(8081, "127.0.0.1"),  # an IPv4-mapped address is shown as IPv4
    ]


def test_rows_that_cannot_be_read_are_skipped() -> None:
    text = PROC_NET_TCP.splitlines()[0] + "\n   0: 0100007F 00000000:0000 0A\n   1: 0100:1F90 00000000:0000 0A\n\n"

    assert parse_listeners(text) == []


def test_listening_ports_reads_both_files_and_ignores_the_service_ports(tmp_path: Path) -> None:
    tcp, tcp6 = tmp_path / "tcp", tmp_path / "tcp6"
    tcp.write_text(PROC_NET_TCP)
    tcp6.write_text(PROC_NET_TCP6)

    assert listening_ports(ignore={6379, 80}, files=(tcp, tcp6)) == [
        Listener(3000, "::1"),
        Listener(5000, "0.0.0.0"),
        Listener(8080, "127.0.0.1"),
        Listener(8081, "127.0.0.1"),
    ]


def test_a_missing_file_means_nothing_listens_there(tmp_path: Path) -> None:
    tcp = tmp_path / "tcp"
    tcp.write_text(PROC_NET_TCP)

    assert listening_ports(files=(tcp, tmp_path / "no-ipv6")) == sorted(parse_listeners(PROC_NET_TCP))


@pytest.fixture
def host_sockets() -> Iterator[tuple[list[Listener], int]]:
    """Sockets listening on this host's loopback (::1 too where there is IPv6), and the port of
    one that is bound but not listening."""
    binds = [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "0.0.0.0")]
    binds += [(socket.AF_INET6, "::1")] if has_ipv6_loopback() else []
    with contextlib.ExitStack() as stack:
        listeners = []
        for family, address in binds:
            sock = stack.enter_context(socket.socket(family))
            sock.bind((address, 0))
            sock.listen()
            listeners.append(Listener(sock.getsockname()[1], address))
        bound_only = stack.enter_context(socket.socket())
        bound_only.bind(("127.0.0.1", 0))
        yield listeners, bound_only.getsockname()[1]


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="no /proc/net/tcp on this host")
def test_the_real_proc_files_show_this_hosts_listeners(host_sockets: tuple[list[Listener], int]) -> None:
    listeners, bound_only = host_sockets

    found = listening_ports()

    assert [listener for listener in listeners if listener not in found] == []
    assert bound_only not in {listener.port for listener in found}
    ignored = listening_ports(ignore={listener.port for listener in listeners})
    assert [listener for listener in listeners if listener in ignored] == []


# Waiting for the app


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every connection fails, ::1 as on a host without IPv6; returns the hosts tried, in order."""
    tried: list[str] = []

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:
        tried.append(address[0])
        raise OSError(errno.EADDRNOTAVAIL if address[0] == "::1" else errno.ECONNREFUSED, "no")

    monkeypatch.setattr(startup.socket, "create_connection", connect)
    return tried


def test_the_hosts_are_tried_in_turn_one_per_poll(refusing: list[str]) -> None:
    assert first_to_accept(LOCALHOST, 9, timeout=0.3) is None

    assert len(refusing) >= 4
    assert refusing == [LOCALHOST[i % 2] for i in range(len(refusing))]


def test_every_host_is_tried_once_even_with_no_time_at_all(refusing: list[str]) -> None:
    assert first_to_accept(LOCALHOST, 9, timeout=0) is None

    assert refusing == ["127.0.0.1", "::1"]


def test_an_app_on_127_0_0_1_is_found_as_such() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        assert first_to_accept(LOCALHOST, server.getsockname()[1], timeout=2) == "127.0.0.1"


@needs_ipv6
def test_an_app_on_ipv6_localhost_only_is_found_on_the_next_poll() -> None:
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as server:
        started = time.monotonic()
        assert first_to_accept(LOCALHOST, server.getsockname()[1], timeout=2) == "::1"
        assert time.monotonic() - started < 1


def test_without_ipv6_an_app_on_127_0_0_1_is_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.create_connection

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:
        if address[0] == "::1":
            raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return real(address, timeout)

    monkeypatch.setattr(startup.socket, "create_connection", connect)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        server.close()  # nothing listens for the first polls...
        with socket.create_server(("127.0.0.1", port)):  # ...and then the app is up
            assert first_to_accept(("::1", "127.0.0.1"), port, timeout=2) == "127.0.0.1"


# What the learner reads


def test_nothing_listening_says_so_and_points_at_the_log() -> None:
    assert did_not_start_message(8000, 10, [], LOCALHOST) == (
        "Your app did not accept connections on port 8000 within 10 s. "
        "Check that it listens on the port given in $PORT. If your app crashed, its log is below."
    )


@pytest.mark.parametrize(
    "listener", [Listener(5000, "0.0.0.0"), Listener(3000, "::1"), Listener(8080, "127.0.0.1")], ids=str
)
def test_an_app_on_another_port_is_told_which(listener: Listener) -> None:
    n = listener.port

    assert did_not_start_message(8000, 10, [listener], LOCALHOST) == (
        f"Your app is listening on port {n}, but the grader expects port 8000 (the value of $PORT). "
        f"Either read the port from the PORT environment variable, or add `port = {n}` to your stagecraft.toml."
    )


def test_an_app_on_several_other_ports_is_told_them_all() -> None:
    listeners = [Listener(9229, "127.0.0.1"), Listener(3000, "::1"), Listener(3000, "0.0.0.0")]

    assert did_not_start_message(8000, 10, listeners, LOCALHOST) == (
        "Your app is listening on ports 3000 and 9229, but the grader expects port 8000 (the value of $PORT). "
        "Either read the port from the PORT environment variable, or set `port` in your stagecraft.toml "
        "to the one that serves HTTP."
    )


def test_a_long_list_of_ports_is_cut() -> None:
    listeners = [Listener(port, "0.0.0.0") for port in range(3001, 3008)]

    assert "ports 3001, 3002, 3003, 3004, 3005 and 2 more, but" in did_not_start_message(8000, 10, listeners, LOCALHOST)


def test_the_right_port_on_an_address_the_grader_cannot_reach_names_the_address() -> None:
    listeners = [Listener(8000, "127.0.1.1"), Listener(5000, "0.0.0.0")]

    assert did_not_start_message(8000, 10, listeners, LOCALHOST) == (
        "Your app is listening on port 8000, but only on 127.0.1.1, which the grader cannot reach. "
        "Listen on 0.0.0.0 or localhost instead."
    )
    assert "only on ::1, which" in did_not_start_message(8000, 10, [Listener(8000, "::1")], ("127.0.0.1",))


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "127.0.0.1", "::1"])
def test_the_right_port_on_a_reachable_address_is_an_app_that_did_not_accept(address: str) -> None:
    assert did_not_start_message(8000, 10, [Listener(8000, address)], LOCALHOST) == (
        "Your app is listening on port 8000 but did not accept connections within 10 s."
    )


# End to end: the real grader CLI, reading this host's real /proc/net/tcp


def test_an_app_on_another_port_is_named_and_service_ports_are_not() -> None:
    app = start_project(HERE / "apps")  # listens on a free port of its own, not on APP_PORT
    expected = free_port()
    with socket.create_server(("127.0.0.1", 0)) as service:  # stands for a sidecar, such as Redis
        service_port = service.getsockname()[1]
        busy = ports_busy_now() - {app.port}  # the service port included
        try:
            run = run_grader(SAMPLE, expected, startup_timeout=1, env=as_service_ports(busy))
        finally:
            stop(app)

    [run_end] = run.of("run_end")
    assert run_end["outcome"] == "did_not_start"
    message = run_end["message"]
    assert f"but the grader expects port {expected} (the value of $PORT). " in message
    named = ports_named(message)
    # Another process on this host may open a port during the run; the app's is named all the same.
    assert app.port in named
    assert service_port not in named and not named & busy


def test_an_app_on_the_right_port_but_an_unreachable_address_is_told_the_address() -> None:
    port = free_port()
    app = start_realtime_on("127.0.0.2", port=port)
    try:
        run = run_grader(SAMPLE, port, startup_timeout=1, env={"APP_HOST": "localhost"})
    finally:
        stop(app)

    assert run.of("run_end")[0]["message"] == (
        f"Your app is listening on port {port}, but only on 127.0.0.2, which the grader cannot reach. "
        "Listen on 0.0.0.0 or localhost instead."
    )


def test_an_unusable_service_ports_value_is_a_usage_error_naming_the_variable() -> None:
    run = run_grader(SAMPLE, free_port(), env={"STAGECRAFT_SERVICE_PORTS": "6379,redis"})

    assert run.returncode == 2
    assert run.events == []
    assert "STAGECRAFT_SERVICE_PORTS must be port numbers (1 to 65535) separated by commas, got '6379,redis'" in (
        run.stderr
    )
