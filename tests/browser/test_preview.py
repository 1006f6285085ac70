"""An author's preview in a real Chromium: the page reloads on an edit, and the grade button proves the grader."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from stagecraft.settings import REPO_ROOT
from tests.browser.test_learner_journey import free_port, page  # noqa: F401 - the fixture
from tests.conftest import EXERCISE

pytestmark = [pytest.mark.browser, pytest.mark.docker]


@pytest.fixture
def preview_server(tmp_path, sandbox_images):
    folder = tmp_path / "curriculum"
    shutil.copytree(REPO_ROOT / "curriculum", folder, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    port = free_port()
    env = {**os.environ, "STAGECRAFT_DATA_DIR": str(tmp_path / "data"), "STAGECRAFT_CURRICULUM_DIR": str(folder)}
    log = (tmp_path / "preview.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "stagecraft", "curriculum", "preview", EXERCISE, "--port", str(port)],
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/preview/version", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the preview did not start:\n" + (tmp_path / "preview.log").read_text())
    yield base, folder
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_an_edit_reloads_the_page_and_the_button_grades_every_project(preview_server, page):  # noqa: F811
    base, folder = preview_server
    page.goto(f"{base}/exercises/{EXERCISE}")
    brief = next(folder.glob(f"stages/*/exercises/{EXERCISE}/README.md"))
    brief.write_text(brief.read_text() + "\nThe author's newest sentence.\n")
    page.wait_for_selector("text=The author's newest sentence.", timeout=15_000)  # no reload by hand

    page.click("text=Grade the solutions and variants")
    page.wait_for_selector("[data-grading=done]", timeout=600_000)
    assert "5 of 5 projects did what they promise." in page.inner_text("main")
    assert page.locator(".preview-result").count() == 5
    assert page.console_errors == []
