"""Shared fixtures: settings in a temporary data folder, the app, and the personas.

Personas (as in healthchecks' tests): alice and bob are learners, mia is a mentor,
ann is an author; an anonymous visitor has no account.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from stagecraft.settings import REPO_ROOT, Settings, load_settings
from tests.helpers import PASSWORD, Browser

EXERCISE = "http-basics"
EXERCISE_DIR = next((REPO_ROOT / "curriculum" / "stages").glob(f"*/exercises/{EXERCISE}"), None)


def make_settings(tmp_path: Path, **env: str) -> Settings:
    base = {"STAGECRAFT_DATA_DIR": str(tmp_path / "data"), "STAGECRAFT_WORKERS": "0"}
    return load_settings({**base, **env})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def app(settings: Settings):
    from stagecraft.app import create_app

    return create_app(settings, run_workers=False)


@pytest.fixture
async def users(app) -> dict[str, object]:
    """Create the personas (the app's lifespan must have run: depend on `client` first)."""
    from stagecraft.accounts.services import create_user

    return {
        "alice": await create_user("alice@example.com", PASSWORD, "learner"),
        "bob": await create_user("bob@example.com", PASSWORD, "learner"),
        "mia": await create_user("mia@example.com", PASSWORD, "mentor"),
        "ann": await create_user("ann@example.com", PASSWORD, "author"),
    }


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
async def browser(client, users) -> Browser:
    return Browser(client)


@pytest.fixture(scope="session")
def sandbox_images(tmp_path_factory) -> None:
    """Build the sandbox images once per run (unchanged images are skipped in seconds)."""
    from stagecraft.sandbox.images import build_images

    cache = REPO_ROOT / "data" / "cache"
    build_images(REPO_ROOT, cache, log=lambda line: None)


def stagecraft_containers() -> list[str]:
    import docker

    client = docker.from_env()
    try:
        return [c.name for c in client.containers.list(all=True, filters={"label": "stagecraft.job"})]
    finally:
        client.close()
