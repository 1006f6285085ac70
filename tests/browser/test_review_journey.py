"""A mentor's review in a real Chromium against a real server: asked for, claimed, commented, approved."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.browser.test_learner_journey import page, server  # noqa: F401 - the fixtures
from tests.conftest import EXERCISE, EXERCISE_DIR
from tests.helpers import PASSWORD, zip_directory

pytestmark = [pytest.mark.browser, pytest.mark.docker]


def _log_in(page, base: str, email: str, password: str = PASSWORD) -> None:  # noqa: F811
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _submit(page, base: str, archive) -> str:  # noqa: F811
    page.goto(f"{base}/exercises/{EXERCISE}")
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=Submit for grading")
    page.wait_for_url(f"{base}/submissions/*")
    page.wait_for_selector("[data-verdict=passed]", timeout=120_000)
    return page.url


def test_a_learner_asks_a_mentor_comments_and_approves(server, page, tmp_path):  # noqa: F811
    env_data = tmp_path / "data"
    subprocess.run(
        [sys.executable, "-m", "stagecraft", "user", "create", "mentor@example.com", "--role", "mentor",
         "--password", PASSWORD],
        check=True, capture_output=True, env={"STAGECRAFT_DATA_DIR": str(env_data), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    solution = EXERCISE_DIR / "solutions" / "python"
    first = tmp_path / "first.zip"
    first.write_bytes(zip_directory(solution))

    page.goto(f"{server}/signup")
    page.fill("input[name=email]", "lena@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    attempt = _submit(page, server, first)
    page.fill("textarea[name=note]", "Is my routing table idiomatic?")
    page.click("text=Ask a mentor for a review")
    assert "Awaiting a mentor" in page.inner_text("#review")

    mentor = page.context.browser.new_context().new_page()
    mentor_errors: list[str] = []
    mentor.on("console", lambda message: message.type == "error" and mentor_errors.append(message.text))
    _log_in(mentor, server, "mentor@example.com")
    mentor.click("text=Review queue")
    assert "Is my routing table idiomatic?" in mentor.inner_text("table.list")
    mentor.click("button:has-text('Claim')")
    mentor.wait_for_url(f"{server}/review/*")
    assert re.fullmatch(r"\d+ min left", mentor.inner_text("[data-countdown]"))  # the countdown script ran
    mentor.click("nav.filetree >> text=app.py")
    assert mentor.locator("#L-1").count() == 1
    mentor.select_option("select[name=path]", "app.py")
    mentor.fill("input[name=line_start]", "1")
    mentor.fill("textarea[name=body]", "Say **why** this module exists in a docstring.")
    mentor.click("#comments button[type=submit]")
    mentor.fill("textarea[name=summary]", "Nearly there: see the comment on line 1.")
    mentor.click("button[value=changes_requested]")
    mentor.wait_for_url(f"{server}/review/*")

    page.goto(attempt)
    assert page.locator(".notifications-link .count").inner_text() == "3"
    review = page.inner_text("#review")
    assert "Changes requested" in review and "Nearly there" in review and "app.py:1" in review
    page.fill("textarea[name=body]", "Added it, thanks!")
    page.click("text=Reply")

    changed = tmp_path / "second"
    changed.mkdir()
    for path in solution.iterdir():
        text = path.read_text()
        (changed / path.name).write_text(
            text + "\n# A docstring-like note, as the mentor asked.\n" if path.name == "app.py" else text
        )
    second = tmp_path / "second.zip"
    second.write_bytes(zip_directory(changed))
    _submit(page, server, second)
    page.fill("textarea[name=note]", "I added the docstring.")
    page.click("text=Ask a mentor for a review")

    mentor.goto(f"{server}/review")
    mentor.click("button:has-text('Claim')")
    mentor.wait_for_url(f"{server}/review/*")
    changes = mentor.inner_text("#changes")
    assert "+# A docstring-like note, as the mentor asked." in changes
    assert "the line is unchanged" in mentor.inner_text("#comments")  # the comment on line 1 carried over
    mentor.click("button[value=approved]")
    mentor.wait_for_url(f"{server}/review/*")
    assert "Approved by a mentor" in mentor.inner_text("#claim")

    page.goto(f"{server}/notifications")
    assert "A mentor approved your attempt" in page.inner_text("ul.notifications")
    assert page.console_errors == [] and mentor_errors == [], "no script error, nothing blocked by the CSP"


def test_an_author_reads_the_figures_of_the_learners_attempts(server, page, tmp_path):  # noqa: F811
    subprocess.run(
        [sys.executable, "-m", "stagecraft", "user", "create", "author@example.com", "--role", "author",
         "--password", PASSWORD],
        check=True, capture_output=True, env={"STAGECRAFT_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    page.goto(f"{server}/signup")
    page.fill("input[name=email]", "lena@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    archive = tmp_path / "solution.zip"
    archive.write_bytes(zip_directory(EXERCISE_DIR / "solutions" / "python"))
    _submit(page, server, archive)
    page.click("text=Log out")

    _log_in(page, server, "author@example.com")
    page.click("header >> text=Authors")
    assert "None: every manifest" in page.inner_text("#problems")
    page.click(f"a[href='/authors/exercises/{EXERCISE}']")
    summary = page.inner_text("main")
    assert "1 graded attempts by 1 learners; 1 passed, after 1 attempts (median)" in summary
    assert "100% of 1" in page.inner_text("table.list")
    assert page.console_errors == []


def test_the_capstone_counts_once_a_mentor_approves_it(server, page, tmp_path):  # noqa: F811
    subprocess.run(
        [sys.executable, "-m", "stagecraft", "user", "create", "mentor@example.com", "--role", "mentor",
         "--password", PASSWORD],
        check=True, capture_output=True, env={"STAGECRAFT_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    capstone = next(EXERCISE_DIR.parents[2].glob("*/exercises/capstone"))
    archive = tmp_path / "capstone.zip"
    archive.write_bytes(zip_directory(capstone / "solutions" / "python-fastapi"))
    page.goto(f"{server}/signup")
    page.fill("input[name=email]", "lena@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/exercises/capstone")
    page.set_input_files("input[name=archive]", str(archive))
    page.click("text=Submit for grading")
    page.wait_for_selector("[data-verdict=passed]", timeout=300_000)
    page.wait_for_selector("#review", timeout=30_000)  # fetched once grading ended
    assert "Awaiting a mentor" in page.inner_text("#review")  # the exercise asked for the review itself
    page.goto(f"{server}/stages/10")
    assert "awaiting review" in page.inner_text("section.exercises")

    mentor = page.context.browser.new_context().new_page()
    _log_in(mentor, server, "mentor@example.com")
    mentor.goto(f"{server}/review?exercise=capstone")
    assert "the exercise asks for a review" in mentor.inner_text("table.list")
    mentor.click("button:has-text('Claim')")
    mentor.wait_for_url(f"{server}/review/*")
    mentor.check("input[name=rubric][value='Tests']")
    mentor.fill("textarea[name=summary]", "A clear design; well tested.")
    mentor.click("button[value=approved]")
    mentor.wait_for_url(f"{server}/review/*")

    page.goto(f"{server}/stages/10")
    assert "passed" in page.inner_text("section.exercises")
    page.goto(server)
    assert "1 of" in page.inner_text("#stage-10")
