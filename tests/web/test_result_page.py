"""The result page shows what the grader recorded, escaped, for every kind of exchange."""

from __future__ import annotations

from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import GradedTest, Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def finished_submission(app, settings, user, transcript: list[dict]) -> int:
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "print(1)"})
    submission_id = await create_submission(settings, user.id, exercise, "p.zip", data)
    await Submission.update(
        {Submission.state: "finished", Submission.verdict: "failed", Submission.message: "1 of 1 tests failed."}
    ).where(Submission.id == submission_id)
    await GradedTest.insert(
        GradedTest(
            submission=submission_id,
            position=0,
            test_id="broadcast",
            title="Messages reach every client",
            status="failed",
            score=0,
            max_score=2,
            message="client 2 got nothing",
            expected='"hello"',
            hint="Send to every open connection.",
            transcript=transcript,
        )
    )
    return submission_id


async def test_websocket_exchanges_show_both_sides_escaped(app, settings, users, browser):
    transcript = [
        {
            "kind": "websocket",
            "curl": "websocat ws://127.0.0.1:8000/chat",
            "request": {"method": "WS", "url": "/chat", "body": "hello"},
            "response": {"status": 0, "body": "<script>alert('pwned')</script>"},
        }
    ]
    submission_id = await finished_submission(app, settings, users["alice"], transcript)
    await browser.become("alice")
    page = (await browser.get(f"/submissions/{submission_id}")).text
    assert "The grader sent:" in page and "Your app sent:" in page
    assert "<script>alert('pwned')</script>" not in page
    assert "&lt;script&gt;alert(" in page
    assert "HTTP 0" not in page
    assert "websocat ws://127.0.0.1:8000/chat" in page


async def test_http_exchanges_show_status_headers_and_body(app, settings, users, browser):
    transcript = [
        {
            "kind": "http",
            "curl": "curl -i http://127.0.0.1:8000/nope",
            "request": {"method": "GET", "url": "http://127.0.0.1:8000/nope"},
            "response": {
                "status": 200,
                "headers": {"content-type": "text/html"},
                "body": "<b>hi</b>",
                "truncated": True,
            },
        }
    ]
    submission_id = await finished_submission(app, settings, users["alice"], transcript)
    await browser.become("mia")  # a mentor sees it too
    page = (await browser.get(f"/submissions/{submission_id}")).text
    assert "HTTP 200" in page and "content-type: text/html" in page
    assert "&lt;b&gt;hi&lt;/b&gt;" in page and "(cut)" in page
    assert "Send to every open connection." in page


async def graded_submission(app, settings, user, *, verdict: str, polished: bool, tests: list[dict]) -> int:
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "print(1)"})
    submission_id = await create_submission(settings, user.id, exercise, "p.zip", data)
    await Submission.update(
        {Submission.state: "finished", Submission.verdict: verdict, Submission.polished: polished}
    ).where(Submission.id == submission_id)
    for position, test in enumerate(tests):
        await GradedTest.insert(GradedTest(submission=submission_id, position=position, **test))
    return submission_id


SPEC_PASSED = {
    "test_id": "create",
    "title": "POST /todos creates a todo",
    "status": "passed",
    "score": 2,
    "max_score": 2,
}
SPEC_FAILED = {
    "test_id": "delete",
    "title": "DELETE /todos/:id answers 204",
    "status": "failed",
    "max_score": 1,
    "message": "expected status 204, got 200",
    "rule": "Delete a todo: respond with status code 204.",
}
CRAFT_FAILED = {
    "test_id": "duplicate",
    "title": "A duplicate email answers 409",
    "status": "failed",
    "max_score": 1,
    "message": "expected status 409, got 500",
    "tier": "craft",
    "rule": "A 409 tells the client <b>the email is taken</b>, where a 500 says the server broke.",
}
CRAFT_PASSED = {
    "test_id": "health",
    "title": "GET /health answers 200",
    "status": "passed",
    "score": 1,
    "max_score": 1,
    "tier": "craft",
}


def section_of(page: str, test_id: str) -> str:
    """The tier of the section holding a test's row."""
    row = page.index(f'data-test="{test_id}"')
    return page[:row].rsplit('<section class="test-section ', 1)[1].split('"', 1)[0]


async def test_spec_tests_come_first_then_extra_practice_each_with_its_score(app, settings, users, browser):
    # Stored in the order the grader ran them: craft and spec tests mixed.
    tests = [CRAFT_FAILED, SPEC_PASSED, CRAFT_PASSED, SPEC_FAILED]
    submission_id = await graded_submission(
        app, settings, users["alice"], verdict="failed", polished=False, tests=tests
    )
    await browser.become("alice")
    page = (await browser.get(f"/submissions/{submission_id}")).text

    spec_head, craft_head = page.index("Required by the spec"), page.index("Extra practice (not needed to pass)")
    rows = [page.index(f'data-test="{t["test_id"]}"') for t in (SPEC_PASSED, SPEC_FAILED, CRAFT_FAILED, CRAFT_PASSED)]
    assert spec_head < rows[0] < rows[1] < craft_head < rows[2] < rows[3]
    assert [section_of(page, t["test_id"]) for t in tests] == ["craft", "spec", "craft", "spec"]
    assert "2.0 / 3.0</span></h2>" in page[spec_head:craft_head]
    assert "1.0 / 2.0</span></h2>" in page[craft_head:]


async def test_a_failing_test_says_whose_rule_it_is(app, settings, users, browser):
    tests = [SPEC_FAILED, CRAFT_FAILED, CRAFT_PASSED]
    submission_id = await graded_submission(
        app, settings, users["alice"], verdict="failed", polished=False, tests=tests
    )
    await browser.become("alice")
    page = (await browser.get(f"/submissions/{submission_id}")).text

    assert "The spec says: Delete a todo: respond with status code 204." in page
    assert (
        "Extra practice from the brief, not required to pass: A 409 tells the client "
        "&lt;b&gt;the email is taken&lt;/b&gt;, where a 500 says the server broke." in page
    )
    assert "<b>the email is taken</b>" not in page
    assert page.count("Extra practice from the brief") == 1  # not for the craft test that passed


async def test_a_spec_test_quoting_nothing_shows_no_rule(app, settings, users, browser):
    unquoted = {**SPEC_FAILED, "rule": ""}
    submission_id = await graded_submission(
        app, settings, users["alice"], verdict="failed", polished=False, tests=[unquoted]
    )
    await browser.become("alice")
    page = (await browser.get(f"/submissions/{submission_id}")).text

    assert "The spec says" not in page and "expected status 204, got 200" in page
    assert "Required by the spec" not in page, "one tier needs no headings"


async def test_the_verdict_card_says_polished(app, settings, users, browser):
    polished = await graded_submission(
        app, settings, users["alice"], verdict="passed", polished=True, tests=[SPEC_PASSED, CRAFT_PASSED]
    )
    unpolished = await graded_submission(
        app, settings, users["alice"], verdict="passed", polished=False, tests=[SPEC_PASSED, CRAFT_FAILED]
    )
    no_craft = await graded_submission(
        app, settings, users["alice"], verdict="passed", polished=True, tests=[SPEC_PASSED]
    )
    await browser.become("alice")

    assert "Polished: every extra practice test passed too." in (await browser.get(f"/submissions/{polished}")).text
    assert "Polished" not in (await browser.get(f"/submissions/{unpolished}")).text
    # Polished too (nothing extra was asked), but there is no extra practice to speak of.
    assert "Polished" not in (await browser.get(f"/submissions/{no_craft}")).text


async def test_the_live_stream_sends_the_whole_list_in_sections(app, settings, users, browser, client):
    tests = [CRAFT_FAILED, SPEC_PASSED]
    submission_id = await graded_submission(
        app, settings, users["alice"], verdict="passed", polished=False, tests=tests
    )
    await browser.become("alice")
    async with client.stream("GET", f"/submissions/{submission_id}/events") as response:
        body = "".join([chunk async for chunk in response.aiter_text()])

    tests_event = body.split("event: tests", 1)[1].split("event: status", 1)[0]
    assert tests_event.index("Required by the spec") < tests_event.index('data-test="create"')
    assert tests_event.index("Extra practice (not needed to pass)") < tests_event.index('data-test="duplicate"')
    assert "event: done" in body
