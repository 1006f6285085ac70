"""A learner's journey in a real Chromium against a real server: sign up, submit, watch it graded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from stagecraft.curriculum.patches import project_folder
from tests.conftest import EXERCISE, EXERCISE_DIR, STAGE_1_EXERCISES
from tests.helpers import zip_directory

pytestmark = [pytest.mark.browser, pytest.mark.docker]
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path, sandbox_images, server_env):
    port = free_port()
    env = {**os.environ, "STAGECRAFT_DATA_DIR": str(tmp_path / "data"), "STAGECRAFT_WORKERS": "2", **server_env}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "stagecraft", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        log.close()
        pytest.fail("the server did not start:\n" + (tmp_path / "server.log").read_text())
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def page(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context()
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        yield page
        browser.close()


def test_sign_up_submit_and_watch_the_tests_arrive(server, page, tmp_path):
    page.goto(server)
    assert page.locator("li.stage").count() == 10
    page.click("text=Sign up")
    page.fill("input[name=email]", "lena@example.com")
    page.fill("input[name=password]", "a long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert "lena@example.com" in page.inner_text("header")

    page.click("#stage-1 a")
    page.click(f"a[href='/exercises/{EXERCISE}']")
    archive = tmp_path / "broken.zip"
    with project_folder(sorted((EXERCISE_DIR / "broken").iterdir())[0]) as variant:
        archive.write_bytes(zip_directory(variant))
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=Submit for grading")
    page.wait_for_url(f"{server}/submissions/*")
    # The verdict arrives over SSE without a reload.
    page.wait_for_selector("[data-verdict=failed]", timeout=120_000)
    assert page.locator("li.test[data-status=failed]").count() >= 1
    assert page.locator("li.test[data-status=passed]").count() >= 1
    assert "curl" in page.inner_text("li.test[data-status=failed] >> nth=0")
    page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)

    page.click("text=Submit again")
    archive.write_bytes(zip_directory(next((EXERCISE_DIR / "solutions").iterdir())))
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=Submit for grading")
    page.wait_for_selector("[data-verdict=passed]", timeout=120_000)
    page.goto(server)
    assert f"1 of {STAGE_1_EXERCISES} exercises passed" in page.inner_text("#stage-1")

    page.click("text=Log out")
    page.wait_for_url(f"{server}/")
    assert "Log in" in page.inner_text("header")
    assert page.console_errors == [], "no script error and nothing blocked by the Content-Security-Policy"
