"""Fixtures for the grader tests; the helpers live in helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stagecraft_grader import AppClient
from stagecraft_grader.transcript import Transcript
from tests.graders.helpers import HERE, RunningApp, start_project, stop

# The folders below hold suites and apps that the tests hand to the grader, not host tests.
collect_ignore = ["suites", "apps"]


@pytest.fixture(scope="session")
def realtime_app() -> Iterator[RunningApp]:
    """apps/realtime: HTTP keep-alive, a WebSocket echo and event streams, on a free loopback port."""
    running = start_project(HERE / "apps" / "realtime")
    yield running
    stop(running)


@pytest.fixture
def sample_app() -> Iterator[RunningApp]:
    running = start_project(HERE / "apps")
    yield running
    stop(running)


@pytest.fixture
def transcript() -> Transcript:
    return Transcript()


@pytest.fixture
def app(realtime_app: RunningApp, transcript: Transcript) -> Iterator[AppClient]:
    """An SDK client bound to the realtime test app (the WebSocket, SSE and TCP tests use it)."""
    with AppClient(f"http://127.0.0.1:{realtime_app.port}", timeout=2, record=transcript.record) as client:
        yield client
