"""Helpers for the grader tests: free ports, real apps in subprocesses, the real grader CLI."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stagecraft.grading.events import parse_event
from stagecraft_grader.startup import listening_ports

HERE = Path(__file__).parent
REPO = HERE.parent.parent
GRADER = Path(sys.executable).parent / "stagecraft-grader"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the app never listened on port {port}")


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@dataclass
class RunningApp:
    port: int
    process: subprocess.Popen[bytes]


def start_project(
    project: Path, *, env: dict[str, str] | None = None, wait: bool = True, port: int | None = None
) -> RunningApp:
    """Start a project the way the sandbox does: its manifest's start command, PORT in the env."""
    manifest = tomllib.loads((project / "stagecraft.toml").read_text())
    command = shlex.split(manifest["start"])
    if command[0] == "python":
        command[0] = sys.executable
    port = port or free_port()
    process = subprocess.Popen(
        command,
        cwd=project,
        env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    running = RunningApp(port, process)
    if wait:
        try:
            wait_for_port(port)
        except AssertionError:
            stop(running)
            raise
    return running


def start_realtime_on(host: str, port: int | None = None) -> RunningApp:
    """apps/realtime bound to `host` ("::1", "::", "0.0.0.0", "127.0.0.2"...), once it accepts there."""
    running = start_project(HERE / "apps" / "realtime", env={"HOST": host}, wait=False, port=port)
    reachable = {"::": "::1", "0.0.0.0": "127.0.0.1"}.get(host, host)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((reachable, running.port), timeout=0.5):
                return running
        except OSError:
            time.sleep(0.05)
    stop(running)
    raise AssertionError(f"the app never listened on {host} port {running.port}")


def stop(running: RunningApp) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@dataclass
class GraderRun:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == kind]

    @property
    def results(self) -> dict[str, dict[str, Any]]:
        return {event["id"]: event for event in self.of("test_end")}

    def failed_ids(self) -> set[str]:
        return {test_id for test_id, end in self.results.items() if end["status"] != "passed"}


def run_grader(
    suite: Path,
    port: int,
    *,
    seed: int | str = 1,
    startup_timeout: float = 5,
    env: dict[str, str] | None = None,
    stdin: int | None = None,
    args: tuple[str, ...] = (),
) -> GraderRun:
    """Run the real `stagecraft-grader` CLI; every stdout line must be a contract event.

    `control` requests (app control) are kept too; nobody answers them here.
    """
    env = {
        **os.environ,
        "APP_HOST": "127.0.0.1",
        "APP_PORT": str(port),
        "STAGECRAFT_SEED": str(seed),
        "STARTUP_TIMEOUT": str(startup_timeout),
        **(env or {}),
    }
    done = subprocess.run(
        [str(GRADER), str(suite), *args], env=env, stdin=stdin, capture_output=True, timeout=120, check=False
    )
    events = []
    for line in done.stdout.decode("utf-8").splitlines():
        event = json.loads(line)
        if event.get("event") != "control":
            assert parse_event(line) is not None, f"not a contract event: {line[:300]!r}"
        events.append(event)
    return GraderRun(done.returncode, events, done.stderr.decode("utf-8", "replace"))


def ports_named(message: str) -> set[int]:
    """The ports a did_not_start message says the app listens on."""
    match = re.match(r"Your app is listening on ports? (.+?)(?: and \d+ more)?, but the grader expects", message)
    assert match is not None, message
    return {int(port) for port in re.findall(r"\d+", match[1])}


def ports_busy_now() -> set[int]:
    """The ports this host listens on already; a test passes them as STAGECRAFT_SERVICE_PORTS."""
    return {listener.port for listener in listening_ports()}


def as_service_ports(ports: set[int]) -> dict[str, str]:
    return {"STAGECRAFT_SERVICE_PORTS": ",".join(map(str, sorted(ports)))}
