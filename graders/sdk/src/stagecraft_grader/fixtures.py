"""Fixtures every suite gets: `app`, `base_url`, `seed` and `rng`."""

from __future__ import annotations

import random
from typing import Iterator

import pytest

from .client import AppClient
from .plugin import EXCHANGES, SETTINGS, TEST_ID


@pytest.fixture
def base_url(request: pytest.FixtureRequest) -> str:
    """The app's base URL, e.g. "http://127.0.0.1:8000"."""
    return request.config.stash[SETTINGS].base_url


@pytest.fixture
def app(request: pytest.FixtureRequest, base_url: str) -> Iterator[AppClient]:
    """An HTTP client bound to the app; every exchange lands in this test's transcript."""
    settings = request.config.stash[SETTINGS]
    exchanges = request.node.stash.setdefault(EXCHANGES, [])
    with AppClient(base_url, timeout=settings.request_timeout, record=exchanges.append) as client:
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
