"""Shared fixtures: settings in a temporary data folder, the app, and the personas.

Personas (as in healthchecks' tests): alice and bob are learners, mia is a mentor,
ann is an author, adam is an admin; an anonymous visitor has no account.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from stagecraft.settings import REPO_ROOT, Settings, load_settings
from tests.helpers import PASSWORD, Browser, running

EXERCISE = "http-basics"
EXERCISE_DIR = next((REPO_ROOT / "curriculum" / "stages").glob(f"*/exercises/{EXERCISE}"), None)
STAGE_1_EXERCISES = len([p for p in (EXERCISE_DIR.parent).iterdir() if p.is_dir()]) if EXERCISE_DIR else 0


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
async def users(client) -> dict[str, object]:
    """Create the personas (after the app has started, so the database is ready)."""
    from stagecraft.accounts.services import create_user

    return {
        "alice": await create_user("alice@example.com", PASSWORD, "learner"),
        "bob": await create_user("bob@example.com", PASSWORD, "learner"),
        "mia": await create_user("mia@example.com", PASSWORD, "mentor"),
        "ann": await create_user("ann@example.com", PASSWORD, "author"),
        "adam": await create_user("adam@example.com", PASSWORD, "admin"),
    }


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the test's own event loop (lifespan, workers, channels and requests alike)."""
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
            yield test_client


@pytest.fixture
async def browser(client, users) -> Browser:
    return Browser(client)


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra settings for a test's own running server (a test module may override this fixture)."""
    return {}


@pytest.fixture(scope="session")
def sandbox_images(tmp_path_factory) -> None:
    """Build the sandbox images once per run (unchanged images are skipped in seconds)."""
    from stagecraft.sandbox.images import build_images

    cache = REPO_ROOT / "data" / "cache"
    build_images(REPO_ROOT, cache, log=lambda line: None)


def stagecraft_containers(*, ready_slots: bool = False, settle: float = 15.0) -> list[str]:
    """Every container and volume a grading job left behind (both carry the stagecraft.job label).

    A job is removed just after its verdict is stored, so this waits up to `settle` seconds for
    that. The slots a live worker keeps ready for its next job (sandbox.warm) are no leftovers,
    unless `ready_slots` asks for them too (once the workers have stopped, nothing may be left).
    """
    import docker

    from stagecraft.sandbox.engine import OWNER_LABEL, owner_alive

    def left(client) -> list[str]:
        found = []
        # The low-level lists: one call each, no inspection of objects a clean-up may be removing now.
        containers = client.api.containers(all=True, filters={"label": "stagecraft.job"})
        volumes = client.api.volumes(filters={"label": "stagecraft.job"}).get("Volumes") or []
        for name, labels in [(c["Names"][0].lstrip("/"), c.get("Labels") or {}) for c in containers] + [
            (v["Name"], v.get("Labels") or {}) for v in volumes
        ]:
            ready = labels["stagecraft.job"].startswith("warm-") and owner_alive(labels.get(OWNER_LABEL, ""))
            if ready_slots or not ready:
                found.append(name)
        return found

    client = docker.from_env()
    try:
        deadline = time.monotonic() + settle
        while (found := left(client)) and time.monotonic() < deadline:
            time.sleep(0.2)
        return found
    finally:
        client.close()
