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
