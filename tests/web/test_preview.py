"""`stagecraft curriculum preview`: the working folder served, reloaded on change, and graded from its page."""

from __future__ import annotations

import shutil
import time

import httpx
import pytest
from click.testing import CliRunner

from stagecraft.app import create_app
from stagecraft.authoring import preview
from stagecraft.cli import main
from stagecraft.settings import REPO_ROOT
from tests.conftest import EXERCISE, make_settings
from tests.helpers import running


@pytest.fixture
def working_copy(tmp_path):
    """The author's working folder: a copy of the curriculum they are editing."""
    folder = tmp_path / "curriculum"
    shutil.copytree(REPO_ROOT / "curriculum", folder, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    return folder


@pytest.fixture
async def preview_client(tmp_path, working_copy, monkeypatch):
    monkeypatch.setattr(preview, "CHECK_EVERY", 0.0)
    settings = make_settings(tmp_path, STAGECRAFT_CURRICULUM_DIR=str(working_copy))
    app = create_app(settings, run_workers=False, preview=True)
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client


def _brief(working_copy):
    return next(working_copy.glob(f"stages/*/exercises/{EXERCISE}/README.md"))


async def test_an_edit_shows_at_once_and_a_broken_manifest_keeps_the_last_good_curriculum(preview_client, working_copy):
    first = (await preview_client.get("/preview/version")).json()
    page = (await preview_client.get(f"/exercises/{EXERCISE}")).text
    assert 'src="/static/preview.js"' in page and "Grade the solutions and variants" in page
    # The page says which version it was made from, so an edit before the script's first poll still reloads it.
    assert f'<meta name="preview-version" content="{first["version"]}">' in page

    brief = _brief(working_copy)
    time.sleep(0.01)
    brief.write_text(brief.read_text() + "\nA sentence the author just wrote.\n")
    page = (await preview_client.get(f"/exercises/{EXERCISE}")).text
    assert "A sentence the author just wrote." in page
    assert (await preview_client.get("/preview/version")).json()["version"] > first["version"]

    manifest = brief.parent / "exercise.toml"
    manifest.write_text(manifest.read_text().replace('difficulty = "beginner"', 'difficulty = "easy"'))
    page = (await preview_client.get(f"/exercises/{EXERCISE}")).text
    assert "A sentence the author just wrote." in page  # the last good curriculum is still served
    assert "<strong>Problem:</strong>" in page and "difficulty" in page
    problems = (await preview_client.get("/preview/version")).json()["problems"]
    assert any("exercise.toml" in p and "difficulty" in p for p in problems)


async def test_preview_routes_exist_only_in_the_preview(app):
    assert not any(route.path.startswith("/preview") for route in app.routes)
    assert app.template_engine.engine.globals["preview"] is False


def test_a_target_that_does_not_exist_is_a_usage_error(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main, ["curriculum", "preview", "no-such-exercise"], env={"STAGECRAFT_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert "no stage or exercise 'no-such-exercise'" in result.output and "stages: 1, 2" in result.output


@pytest.mark.docker
async def test_the_grade_button_grades_every_project_as_learners_see_it(preview_client, sandbox_images):
    started = await preview_client.post(f"/preview/exercises/{EXERCISE}/grade", headers=await _csrf(preview_client))
    assert started.headers["location"] == f"/preview/exercises/{EXERCISE}/grade"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        page = (await preview_client.get(f"/preview/exercises/{EXERCISE}/grade")).text
        if 'data-grading="done"' in page:
            break
        await _pause()
    else:
        pytest.fail("the preview grading did not finish in 10 minutes")
    assert 'data-grading="running"' not in page
    assert "5 of 5 projects did what they promise." in page  # two solutions, three broken variants
    assert "broken/no-404" in page and "expected: fail: unknown_path_404" in page
    assert page.count("as promised") == 5 and "not as promised" not in page


async def _csrf(client) -> dict[str, str]:
    await client.get("/login")
    return {"x-csrftoken": client.cookies["csrftoken"]}


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(1)
