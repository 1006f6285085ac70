"""Fixtures every suite gets: `app`, `base_url`, `seed`, `rng`, `app_env`, `app_control` and `app_data`."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from .appdata import AppData
from .checks import GraderError
from .client import AppClient
from .control import AppControl
from .plugin import ADDRESS, CONTROL, SETTINGS, TEST_ID, TRANSCRIPT
from .transcript import Transcript

_APP_CLIENT = pytest.StashKey[AppClient]()  # this test's `app`, which app control moves if the app does


@pytest.fixture
def base_url(request: pytest.FixtureRequest) -> str:
    """The app's base URL at the address it answered on, e.g. "http://127.0.0.1:8000" or "http://[::1]:8000"."""
    return request.config.stash[ADDRESS].base_url


@pytest.fixture
def app(request: pytest.FixtureRequest, base_url: str) -> Iterator[AppClient]:
    """A client bound to the app; every exchange lands in this test's transcript."""
    settings = request.config.stash[SETTINGS]
    with AppClient(
        base_url,
        timeout=settings.request_timeout,
        record=_transcript(request).record,
        curl_host=request.config.stash[ADDRESS].app_host,
    ) as client:
        request.node.stash[_APP_CLIENT] = client
        yield client


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """The run's seed (STAGECRAFT_SEED): the same seed gives the same random data."""
    return request.config.stash[SETTINGS].seed


@pytest.fixture
def rng(request: pytest.FixtureRequest, seed: int) -> random.Random:
    """A random generator seeded from the run's seed and this test's id."""
    test_id = request.node.stash.get(TEST_ID, request.node.name)
    return random.Random(f"{seed}:{test_id}")


@pytest.fixture
def app_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The extra environment the exercise gave the app (exercise.toml `app_env`, tokens resolved)."""
    return dict(request.config.stash[SETTINGS].app_env)


@pytest.fixture
def app_control(request: pytest.FixtureRequest) -> AppControl:
    """Stop, start, restart or signal the app through the worker (see "App control")."""
    config = request.config

    def follow(base_url: str) -> None:
        client = request.node.stash.get(_APP_CLIENT, None)
        if client is not None:
            client.move_to(base_url)

    return AppControl(
        config.stash[CONTROL], config.stash[SETTINGS], config.stash[ADDRESS], _transcript(request).record, follow
    )


@pytest.fixture
def app_data(request: pytest.FixtureRequest) -> AppData:
    """The app's /data volume and its project copy, read-only (APP_DATA_DIR and APP_CODE_DIR)."""
    settings = request.config.stash[SETTINGS]
    root = settings.app_data_dir
    if not root.is_dir():
        raise GraderError(f"the app's data volume is not mounted at {root} (APP_DATA_DIR)")
    # A missing project copy is no error: a platform older than the copy mounts none; it then lists no files.
    return AppData(root, settings.app_code_dir)


def _transcript(request: pytest.FixtureRequest) -> Transcript:
    return request.node.stash.setdefault(TRANSCRIPT, Transcript())
