"""From the browser's point of view: upload, watch the live stream, see the verdict and progress."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from stagecraft.curriculum.patches import project_folder
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, EXERCISE_DIR, STAGE_1_EXERCISES, make_settings, stagecraft_containers
from tests.helpers import Browser, zip_directory

pytestmark = pytest.mark.docker


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, STAGECRAFT_WORKERS="2")


@pytest.fixture
async def app(settings, sandbox_images):
    from stagecraft.app import create_app

    return create_app(settings)


async def upload(browser: Browser, folder) -> int:
    files = {"archive": ("project.zip", zip_directory(folder), "application/zip")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code in (302, 303), response.text[:500]
    return int(re.fullmatch(r"/submissions/(\d+)", response.headers["location"])[1])


async def read_stream(client: httpx.AsyncClient, submission_id: int) -> list[tuple[str, str]]:
    """Every (event, data) of the live stream, until the server ends it."""
    events, event = [], None
    async with client.stream("GET", f"/submissions/{submission_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        data: list[str] = []
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line == "" and event:
                events.append((event, "\n".join(data)))
                event, data = None, []
    return events


async def test_reference_passes_live_and_progress_updates(browser, client):
    await browser.become("alice")
    submission_id = await upload(browser, next((EXERCISE_DIR / "solutions").iterdir()))
    events = await asyncio.wait_for(read_stream(client, submission_id), timeout=180)
    names = [name for name, _ in events]
    assert names[-1] == "done"
    final_tests = [data for name, data in events if name == "tests"][-1]
    assert final_tests.count('data-status="passed"') >= 3
    assert 'data-verdict="passed"' in [data for name, data in events if name == "status"][-1]
    page = await client.get(f"/submissions/{submission_id}")
    assert "Every test passed" in page.text
    home = await client.get("/")
    assert re.search(rf'data-stage="1">\s*<progress max="{STAGE_1_EXERCISES}" value="1">', home.text)
    assert stagecraft_containers() == []


async def test_broken_variant_shows_what_went_wrong(browser, client):
    await browser.become("alice")
    with project_folder(sorted((EXERCISE_DIR / "broken").iterdir())[0]) as variant:
        submission_id = await upload(browser, variant)
    await asyncio.wait_for(read_stream(client, submission_id), timeout=180)
    page = (await client.get(f"/submissions/{submission_id}")).text
    assert 'data-verdict="failed"' in page
    assert 'data-status="failed"' in page
    assert "curl " in page and "Hint:" in page
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    assert submission.attempts == 1 and submission.score < submission.max_score


async def test_a_bad_upload_is_refused_before_anything_runs(browser, client):
    await browser.become("alice")
    files = {"archive": ("notes.txt", b"just text", "text/plain")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code == 400
    assert "neither a .zip nor a .tar.gz" in response.text
    assert await Submission.count() == 0
