"""At 375 px (a small phone) nothing runs off the page: the header, a brief's tables, a result page."""

from __future__ import annotations

import pytest

from stagecraft.curriculum.patches import project_folder
from tests.browser.test_learner_journey import page, server  # noqa: F401 - the fixtures
from tests.conftest import EXERCISE, EXERCISE_DIR
from tests.helpers import PASSWORD, zip_directory

pytestmark = [pytest.mark.browser, pytest.mark.docker]
WIDTH = 375


def _overflow(page) -> int:  # noqa: F811
    """How far the page is wider than the screen, in pixels (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth") - WIDTH


def test_the_header_briefs_and_a_result_page_fit_a_small_phone(server, page, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.goto(f"{server}/signup")
    page.fill("input[name=email]", "a.rather.long.address.for.a.phone@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    header = page.locator("header.topbar")
    assert header.evaluate("h => h.scrollWidth") <= WIDTH
    assert page.locator("text=Log out").is_visible()
    page.screenshot(path=str(tmp_path / "home-375.png"))
    assert _overflow(page) <= 0

    for path in ("/stages/2", "/exercises/capstone", f"/exercises/{EXERCISE}"):
        page.goto(f"{server}{path}")
        assert _overflow(page) <= 0, path

    archive = tmp_path / "broken.zip"
    with project_folder(sorted((EXERCISE_DIR / "broken").iterdir())[0]) as variant:
        archive.write_bytes(zip_directory(variant))
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=Submit for grading")
    page.wait_for_selector("[data-verdict=failed]", timeout=120_000)
    page.reload()
    page.screenshot(path=str(tmp_path / "result-375.png"), full_page=True)
    assert _overflow(page) <= 0
    assert page.console_errors == []
