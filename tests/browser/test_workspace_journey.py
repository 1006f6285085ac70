"""A learner's workspace in a real Chromium: the dashboard after a pass, two attempts compared, the budget."""

from __future__ import annotations

import pytest

from stagecraft.curriculum.patches import project_folder
from tests.browser.test_learner_journey import page, server  # noqa: F401 - the fixtures
from tests.conftest import EXERCISE, EXERCISE_DIR
from tests.helpers import PASSWORD, zip_directory

pytestmark = [pytest.mark.browser, pytest.mark.docker]


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"STAGECRAFT_BUDGET_ATTEMPTS": "2", "STAGECRAFT_BUDGET_REFILL_MINUTES": "60"}


def _submit(page, base, archive) -> None:  # noqa: F811
    page.goto(f"{base}/exercises/{EXERCISE}")
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=Submit for grading")


def test_dashboard_history_and_budget(server, page, tmp_path):  # noqa: F811
    page.goto(f"{server}/signup")
    page.fill("input[name=email]", "lena@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert "start here" in page.inner_text("#dashboard")

    broken, solution = tmp_path / "broken.zip", tmp_path / "solution.zip"
    with project_folder(EXERCISE_DIR / "broken" / "no-404") as variant:
        broken.write_bytes(zip_directory(variant))
    solution.write_bytes(zip_directory(EXERCISE_DIR / "solutions" / "python"))
    _submit(page, server, broken)
    page.wait_for_selector("[data-verdict=failed]", timeout=120_000)
    _submit(page, server, solution)
    page.wait_for_selector("[data-verdict=passed]", timeout=120_000)

    page.goto(server)
    board = page.inner_text("#dashboard")
    state = page.inner_text("#my-exercises")
    assert ("polished" in state or "passed" in state) and "Recent results" in board
    assert page.locator("svg.chart circle").count() == 2

    page.goto(f"{server}/exercises/{EXERCISE}/history")
    page.click("text=Compare the two chosen attempts")
    assert "unknown_path_404" in page.inner_text("#changed-tests") or "path" in page.inner_text("#changed-tests")
    assert page.locator("table.diff").count() >= 1

    page.goto(f"{server}/exercises/{EXERCISE}")
    assert "No attempts left" in page.inner_text("#budget")
    _submit(page, server, solution)
    assert "You have used your attempts at this exercise for now" in page.inner_text("[role=alert]")
    assert page.console_errors == [] or all("429" in e for e in page.console_errors)
