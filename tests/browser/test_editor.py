"""The editor in a real Chromium: from the starter to a passed attempt, under the app's strict CSP."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_learner_journey import page, server  # noqa: F401 - the fixtures
from tests.conftest import EXERCISE, EXERCISE_DIR
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.docker]


def test_from_the_starter_to_a_passed_attempt_in_the_editor(server, page):  # noqa: F811
    page.goto(f"{server}/signup")
    page.fill("input[name=email]", "lena@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/exercises/{EXERCISE}")
    page.click("text=open the editor")
    page.wait_for_selector(".ace_content")
    assert "stagecraft.toml" in page.inner_text("#file-list")

    solution = (EXERCISE_DIR / "solutions" / "python" / "app.py").read_text()
    page.click("#file-list >> text=app.py")
    page.evaluate(f"ace.edit('code').setValue({json.dumps(solution)}, 1)")
    page.wait_for_selector("#save-state:has-text('Draft saved')", timeout=15_000)  # saved as one types
    page.reload()
    page.wait_for_selector(".ace_content")
    page.click("#file-list >> text=app.py")
    assert page.evaluate("ace.edit('code').getValue()") == solution  # the draft came back from the server

    page.click("#submit")
    page.wait_for_url(f"{server}/submissions/*")
    page.wait_for_selector("[data-verdict=passed]", timeout=120_000)
    assert page.console_errors == [], "Ace runs under the CSP: no inline style or script refused"
