"""Mentor reviews through the web app: asking, the queue, claiming, line comments, verdicts and progress."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from stagecraft.progress.services import exercise_progress
from stagecraft.reviews import services
from stagecraft.reviews.services import MoveRefused
from stagecraft.reviews.tables import ReviewRequest
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'
APP = "import http.server\n\nPORT = 8000\n\n\ndef main():\n    print('serving')\n\n\nmain()\n"
CAPSTONE = "capstone"


async def attempt(app, settings, user, files: dict[str, str], *, slug: str = EXERCISE, verdict: str = "passed") -> int:
    """A graded attempt of `user` with these files (the sandbox is not needed to review code)."""
    exercise = app.state.curriculum.exercise(slug)
    data = zip_files({"stagecraft.toml": MANIFEST, **files})
    submission_id = await create_submission(settings, user.id, exercise, "project.zip", data)
    await Submission.update(
        {Submission.state: "finished", Submission.verdict: verdict, Submission.score: 10, Submission.max_score: 10}
    ).where(Submission.id == submission_id)
    return submission_id


def request_id_in(page: str) -> int:
    return int(re.search(r'action="/review/(\d+)/claim"', page)[1])


async def test_a_review_from_request_to_approval(app, settings, users, browser):
    first = await attempt(app, settings, users["alice"], {"app.py": APP})

    await browser.become("alice")
    asked = await browser.post(f"/submissions/{first}/review", {"note": "Is my <main> function idiomatic?"})
    assert asked.status_code == 302
    page = (await browser.get(f"/submissions/{first}")).text
    assert "Awaiting a mentor&#39;s review" in page or "Awaiting a mentor's review" in page

    await browser.become("mia")
    queue = (await browser.get("/review")).text
    assert "alice@example.com" in queue and "Is my &lt;main&gt; function idiomatic?" in queue  # escaped
    assert "1 waiting · median wait 0 min" in queue
    rid = request_id_in(queue)
    claimed = await browser.post(f"/review/{rid}/claim")
    assert claimed.headers["location"] == f"/review/{rid}"
    review = (await browser.get(f"/review/{rid}")).text
    assert 'id="L-3"' in review  # line anchors in the highlighted file
    assert 'class="code"' in review and "app.py" in review
    comment = await browser.post(
        f"/submissions/{first}/comments",
        {
            "path": "app.py",
            "line_start": "3",
            "line_end": "3",
            "body": "Read the port from **$PORT**.",
            "back": f"/review/{rid}",
        },
    )
    assert comment.headers["location"] == f"/review/{rid}"
    verdict = await browser.post(
        f"/review/{rid}/verdict", {"verdict": "changes_requested", "summary": "Almost: see the comment on the port."}
    )
    assert verdict.status_code == 302

    await browser.become("alice")
    page = (await browser.get(f"/submissions/{first}")).text
    assert "Changes requested" in page and "Almost: see the comment on the port." in page
    assert "app.py:3" in page and "<strong>$PORT</strong>" in page
    reply = await browser.post(f"/submissions/{first}/comments", {"body": "Done, thanks!"})
    assert reply.status_code == 302
    assert "Done, thanks!" in (await browser.get(f"/submissions/{first}")).text

    # The next attempt changes line 5 only: the comment on line 3 is carried over, the diff shows the change.
    second = await attempt(app, settings, users["alice"], {"app.py": APP.replace("def main():", "def run():")})
    await browser.post(f"/submissions/{second}/review", {"note": "I changed what you asked."})
    await browser.become("mia")
    rid2 = request_id_in((await browser.get("/review")).text)
    await browser.post(f"/review/{rid2}/claim")
    review = (await browser.get(f"/review/{rid2}")).text
    assert f"Changes since attempt #{first}" in review
    assert "-def main():" in review and "+def run():" in review
    assert f"from attempt #{first}; the line is unchanged" in review
    approved = await browser.post(f"/review/{rid2}/verdict", {"verdict": "approved", "summary": "Well done."})
    assert approved.status_code == 302
    assert (await ReviewRequest.objects().where(ReviewRequest.id == rid2).first()).state == "approved"
    assert "Nobody is waiting for a review." in (await browser.get("/review")).text


async def test_a_page_opened_while_grading_fetches_its_review_section_when_grading_ends(app, settings, users, browser):
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": APP})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "project.zip", data)
    await browser.become("alice")
    waiting = (await browser.get(f"/submissions/{submission_id}")).text
    assert 'hx-trigger="sse:finished"' in waiting and "Ask a mentor" not in waiting
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == submission_id
    )
    section = (await browser.get(f"/submissions/{submission_id}/review-section")).text
    assert 'id="review"' in section and "Ask a mentor for a review" in section and "_csrf_token" in section
    assert "<html" not in section  # a fragment for the page, not a page


async def test_a_comment_is_not_carried_once_its_line_changed(app, settings, users):
    first = await attempt(app, settings, users["alice"], {"app.py": APP})
    submission = await Submission.objects().where(Submission.id == first).first()
    files = {"app.py": APP, "stagecraft.toml": MANIFEST}
    await services.add_comment(users["mia"], submission, services.Anchor(path="app.py", line_start=3), "Port?", files)
    changed = APP.replace("PORT = 8000", "PORT = int(os.environ['PORT'])")
    second_id = await attempt(app, settings, users["alice"], {"app.py": changed})
    second = await Submission.objects().where(Submission.id == second_id).first()
    assert await services.comments_for(second, {"app.py": changed}) == []
    carried = await services.comments_for(second, {"app.py": APP})
    assert [(c.path, c.line_start, c.carried_from) for c in carried] == [("app.py", 3, first)]


async def test_two_mentors_claiming_at_once_exactly_one_gets_it(app, settings, users):
    mentor2 = await _user("max@example.com", "mentor")
    submission_id = await attempt(app, settings, users["alice"], {"app.py": APP})
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    request = await services.ask_for_review(users["alice"], submission, "Please look", app.state.curriculum)

    outcomes = await asyncio.gather(
        services.claim(users["mia"], request.id), services.claim(mentor2, request.id), return_exceptions=True
    )
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, MoveRefused)]
    assert len(won) == 1 and len(lost) == 1
    assert "another mentor has just taken this review" in str(lost[0])
    assert (await ReviewRequest.objects().where(ReviewRequest.id == request.id).first()).mentor == won[0].mentor


async def test_an_expired_claim_goes_back_to_the_queue(app, settings, users):
    submission_id = await attempt(app, settings, users["alice"], {"app.py": APP})
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    request = await services.ask_for_review(users["alice"], submission, "Please look", app.state.curriculum)
    await services.claim(users["mia"], request.id)
    await ReviewRequest.update({ReviewRequest.claimed_until: datetime.now(UTC) - timedelta(minutes=1)}).where(
        ReviewRequest.id == request.id
    )
    with pytest.raises(MoveRefused, match="claim this review first"):
        await services.decide(users["mia"], request.id, "approved", "", [])
    [row] = await services.queue(services.QueueFilter())
    assert (row.state, row.mentor_email) == ("open", None)


async def test_a_learner_may_have_three_requests_waiting(app, settings, users, browser):
    ids = [await attempt(app, settings, users["alice"], {"app.py": f"print({n})"}) for n in range(4)]
    await browser.become("alice")
    for submission_id in ids[:3]:
        assert (await browser.post(f"/submissions/{submission_id}/review", {"note": "why?"})).status_code == 302
    refused = await browser.post(f"/submissions/{ids[3]}/review", {"note": "why?"})
    assert refused.status_code == 400
    assert "you have 3 review requests waiting; at most 3 may wait at once" in refused.text
    again = await browser.post(f"/submissions/{ids[0]}/review", {"note": "again"})
    assert again.status_code == 400 and "already waiting for a mentor" in again.text
    empty = await browser.post(f"/submissions/{ids[3]}/review", {"note": "  "})
    assert empty.status_code == 400


async def test_the_queue_filters_and_a_bad_comment_says_what_to_fix(app, settings, users, browser):
    mine = await attempt(app, settings, users["alice"], {"app.py": APP})
    bobs = await attempt(app, settings, users["bob"], {"app.py": APP})
    for user, submission_id in ((users["alice"], mine), (users["bob"], bobs)):
        submission = await Submission.objects().where(Submission.id == submission_id).first()
        await services.ask_for_review(user, submission, "look", app.state.curriculum)
    await browser.become("mia")
    only_bob = (await browser.get("/review?learner=bob")).text
    assert "bob@example.com" in only_bob and "alice@example.com" not in only_bob
    assert "Nobody is waiting" in (await browser.get("/review?stage=9")).text
    assert "2 waiting" in (await browser.get("/review?stage=abc")).text  # a bad filter is ignored

    rid = request_id_in(only_bob)
    await browser.post(f"/review/{rid}/claim")
    bad = await browser.post(
        f"/submissions/{bobs}/comments", {"path": "app.py", "line_start": "99", "body": "x", "back": f"/review/{rid}"}
    )
    assert bad.status_code == 400 and "app.py has lines 1 to 10; pick a line among them" in bad.text
    evil = await browser.post(
        f"/submissions/{bobs}/comments", {"body": "<script>alert(1)</script> [x](javascript:alert(1))"}
    )
    assert evil.headers["location"] == f"/submissions/{bobs}#review"  # an outside `back` is never followed
    page = (await browser.get(f"/review/{rid}")).text
    assert "<script>alert(1)</script>" not in page, page[page.find("<script>alert") :][:200]
    assert 'href="javascript:' not in page
    changes = await browser.post(f"/review/{rid}/verdict", {"verdict": "changes_requested", "summary": ""})
    assert changes.status_code == 409 and "say what to change" in changes.text


async def test_a_capstone_counts_only_once_a_mentor_approves(app, settings, users):
    from stagecraft.reviews.services import request_review_if_required

    alice = users["alice"]
    required = frozenset({CAPSTONE})
    submission_id = await attempt(app, settings, alice, {"app.py": APP}, slug=CAPSTONE)
    await request_review_if_required(submission_id, app.state.curriculum)  # what the worker does after grading
    progress = (await exercise_progress(alice.id, required))[CAPSTONE]
    assert (progress.passed, progress.awaiting_review) == (False, True)

    [row] = await services.queue(services.QueueFilter(exercise=CAPSTONE))
    assert row.note == "" and row.submission_id == submission_id
    await services.claim(users["mia"], row.request_id)
    await services.decide(users["mia"], row.request_id, "approved", "", ["Tests", "Code quality"])
    progress = (await exercise_progress(alice.id, required))[CAPSTONE]
    assert (progress.passed, progress.awaiting_review) == (True, False)
    assert (await exercise_progress(alice.id))[CAPSTONE].passed  # without the rule: the tests alone


async def test_the_capstone_review_page_offers_the_rubric(app, settings, users, browser):
    submission_id = await attempt(app, settings, users["alice"], {"app.py": APP}, slug=CAPSTONE)
    await services.request_review_if_required(submission_id, app.state.curriculum)
    [row] = await services.queue(services.QueueFilter())
    await browser.become("mia")
    await browser.post(f"/review/{row.request_id}/claim")
    page = (await browser.get(f"/review/{row.request_id}")).text
    assert 'name="rubric" value="Design and data model"' in page
    assert 'name="rubric" value="README and decision log"' in page
    await browser.post(
        f"/review/{row.request_id}/verdict", {"verdict": "approved", "summary": "Good.", "rubric": ["Tests"]}
    )
    assert (await ReviewRequest.objects().where(ReviewRequest.id == row.request_id).first()).rubric in (
        ["Tests"],
        '["Tests"]',
    )


async def _user(email: str, role: str):
    from stagecraft.accounts.services import create_user
    from tests.helpers import PASSWORD

    return await create_user(email, PASSWORD, role)


async def test_notifications_tell_each_side_and_link_to_the_place(app, settings, users, browser):
    submission_id = await attempt(app, settings, users["alice"], {"app.py": APP})
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    request = await services.ask_for_review(users["alice"], submission, "Please look", app.state.curriculum)
    await services.claim(users["mia"], request.id)
    await services.add_comment(users["mia"], submission, services.Anchor(), "Nice start.", {})
    await services.decide(users["mia"], request.id, "changes_requested", "Read the port from $PORT.", [])

    await browser.become("alice")
    home = (await browser.get("/")).text
    assert '<span class="count" aria-label="3 unread">3</span>' in home
    listing = (await browser.get("/notifications")).text
    assert "A mentor asked for changes to your attempt" in listing and "Review started" in listing
    opened = await browser.post(f"/notifications/{_first_id(listing)}/open")
    assert opened.headers["location"] == f"/submissions/{submission_id}#review"
    assert 'aria-label="2 unread"' in (await browser.get("/")).text
    await browser.post(f"/submissions/{submission_id}/comments", {"body": "Fixed, thanks."})

    await browser.become("mia")
    listing = (await browser.get("/notifications")).text
    assert "alice@example.com replied on attempt" in listing
    await browser.post("/notifications/read")
    assert 'class="count"' not in (await browser.get("/")).text


def _first_id(listing: str) -> int:
    return int(re.search(r'action="/notifications/(\d+)/open"', listing)[1])


async def test_snippets_are_personal_or_shared_per_exercise(app, settings, users, browser):
    from stagecraft.reviews.services import add_snippet, snippets_for

    max_ = await _user("max@example.com", "mentor")
    curriculum = app.state.curriculum
    await add_snippet(users["mia"], "Port", "Read the port from **$PORT**.", "", curriculum)
    await add_snippet(max_, "Shared", "Answer 404 with a JSON error.", EXERCISE, curriculum)
    await add_snippet(max_, "Max only", "Mine.", "", curriculum)
    assert [s.title for s in await snippets_for(users["mia"], EXERCISE)] == ["Port", "Shared"]
    assert [s.title for s in await snippets_for(users["mia"], "unit-converter")] == ["Port"]
    with pytest.raises(MoveRefused, match="no exercise 'nope'"):
        await add_snippet(users["mia"], "x", "y", "nope", curriculum)

    submission_id = await attempt(app, settings, users["alice"], {"app.py": APP})
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    request = await services.ask_for_review(users["alice"], submission, "look", curriculum)
    await browser.become("mia")
    await browser.post(f"/review/{request.id}/claim")
    page = (await browser.get(f"/review/{request.id}")).text
    assert "Shared" in page and "Max only" not in page
    shared_id = next(s.id for s in await snippets_for(users["mia"], EXERCISE) if s.title == "Shared")
    await browser.post(
        f"/submissions/{submission_id}/comments",
        {"body": "", "snippet": str(shared_id), "back": f"/review/{request.id}"},
    )
    [comment] = await services.comments_for(submission, {})
    assert comment.body == "Answer 404 with a JSON error."
    refused = await browser.post("/review/snippets", {"title": " ", "body": "x", "back": f"/review/{request.id}"})
    assert refused.status_code == 400 and "a snippet needs a title and a text" in refused.text
    theirs = await browser.post(f"/review/snippets/{shared_id}/delete", {"back": f"/review/{request.id}"})
    assert theirs.status_code == 404  # max's snippet: only he deletes it
