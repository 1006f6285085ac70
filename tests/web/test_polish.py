"""The small things a learner meets: error pages, refused forms, messages, links, the result page's weight."""

from __future__ import annotations

import re

from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import GradedTest, Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def test_error_pages_know_who_is_signed_in_and_say_what_happened(browser):
    await browser.become("alice")
    missing = await browser.get("/no-such-page")
    assert missing.status_code == 404
    assert "alice@example.com" in missing.text and "Log out" in missing.text and "Sign up" not in missing.text
    assert "Not Found" not in missing.text and "There is no page at this address." in missing.text
    wrong = await browser.client.put("/stages/1")
    assert wrong.status_code == 405 and "alice@example.com" in wrong.text
    assert "does not take that kind of request" in wrong.text
    await browser.become("anonymous")
    assert "Sign up" in (await browser.get("/no-such-page")).text


async def test_a_refused_upload_can_be_reloaded_and_names_the_runtimes_on_offer(browser):
    await browser.become("alice")
    files = {
        "archive": (
            "p.zip",
            zip_files({"stagecraft.toml": 'runtime = "ruby"\nstart = "ruby app.rb"\n'}),
            "application/zip",
        )
    }
    refused = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert refused.status_code == 400
    assert '`runtime` must be "python" or "node", e.g. runtime = "python"' in refused.text.replace("&#34;", '"')
    again = await browser.get(f"/exercises/{EXERCISE}/submissions")  # the address bar, after the refusal
    assert again.status_code == 303 and again.headers["location"] == f"/exercises/{EXERCISE}#submit"


async def test_lessons_link_their_reading_their_exercises_and_the_next_stage(browser):
    await browser.become("anonymous")
    stage = (await browser.get("/stages/2")).text
    assert '<a href="https://learn.microsoft.com/en-us/azure/architecture/best-practices/api-design"' in stage
    assert '<a href="/exercises/blogging-api">Blogging Platform API</a>' in stage
    assert 'rel="prev" href="/stages/1"' in stage and 'rel="next" href="/stages/3"' in stage
    first, last = (await browser.get("/stages/1")).text, (await browser.get("/stages/10")).text
    assert 'rel="prev"' not in first and 'rel="next"' not in last
    assert '<a class="skip-link" href="#main">' in stage and '<main id="main"' in stage


async def test_a_result_page_opens_only_the_first_failing_exchange(app, settings, users, browser):
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "print(1)"})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == submission_id
    )
    exchange = [{"kind": "http", "request": {"method": "GET", "url": "/"}, "curl": "curl -i http://localhost:8000/"}]
    for position in range(3):
        await GradedTest.insert(
            GradedTest(submission=submission_id, position=position, test_id=f"t{position}", status="failed",
                       message="no", transcript=exchange)
        )  # fmt: skip
    await browser.become("alice")
    page = (await browser.get(f"/submissions/{submission_id}")).text
    assert len(re.findall(r'<details class="exchange" open>', page)) == 1
    assert page.count('data-copy="curl -i http://localhost:8000/"') == 3
    assert 'id="tests" aria-live="polite"' in page


async def test_the_identity_note_is_signed_grants_nothing_and_goes_at_logout(browser):
    import base64

    from stagecraft.web.auth import IDENTITY_COOKIE

    await browser.become("anonymous")
    forged = base64.urlsafe_b64encode(b"1|admin@example.com|admin|" + b"0" * 64).decode()
    browser.client.cookies.set(IDENTITY_COOKIE, forged)
    page = (await browser.get("/no-such-page")).text
    assert "admin@example.com" not in page and "Sign up" in page
    assert (await browser.get("/submissions")).status_code == 302  # the note never signs anyone in
    browser.client.cookies.delete(IDENTITY_COOKIE)

    await browser.become("alice")
    assert IDENTITY_COOKIE in browser.client.cookies
    await browser.post("/logout")
    assert IDENTITY_COOKIE not in browser.client.cookies
    assert "alice@example.com" not in (await browser.get("/no-such-page")).text
