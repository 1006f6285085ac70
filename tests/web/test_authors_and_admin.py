"""Authors see where learners struggle; mentors see who is stuck; admins give and take roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stagecraft.accounts.tables import User
from stagecraft.progress import analytics
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import GradedTest, Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def graded(app, settings, user, verdict: str, results: list[tuple[str, str, str]], *, days_ago: float = 0) -> int:
    """An attempt with these (test id, status, message) results, in order."""
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": f"print({len(results)})"})
    submission_id = await create_submission(settings, user.id, exercise, "p.zip", data)
    when = datetime.now(UTC) - timedelta(days=days_ago)
    await Submission.update(
        {Submission.state: "finished", Submission.verdict: verdict, Submission.created_at: when}
    ).where(Submission.id == submission_id)
    for position, (test_id, status, message) in enumerate(results):
        await GradedTest.insert(
            GradedTest(
                submission=submission_id, position=position, test_id=test_id, title=test_id.replace("_", " "),
                status=status, message=message,
            )
        )  # fmt: skip
    return submission_id


async def test_an_author_sees_which_tests_learners_fail(app, settings, users, browser):
    alice, bob = users["alice"], users["bob"]
    await graded(app, settings, alice, "failed", [("root", "failed", "expected 200, got 500"), ("echo", "failed", "x")])
    await graded(app, settings, alice, "failed", [("root", "passed", ""), ("echo", "failed", "expected a JSON body")])
    await graded(app, settings, alice, "passed", [("root", "passed", ""), ("echo", "passed", "")])
    await graded(app, settings, bob, "failed", [("root", "passed", ""), ("echo", "failed", "expected a JSON body")])
    await graded(app, settings, bob, "infra_error", [])

    figures = await analytics.exercise_figures(EXERCISE)
    assert (figures.attempts, figures.learners, figures.passed_learners, figures.faults) == (4, 2, 1, 1)
    assert figures.median_attempts_to_pass == 3
    echo, root = figures.tests  # hardest first
    assert (echo.test_id, echo.runs, echo.passed, echo.fails_first, echo.last_standing) == ("echo", 4, 1, 2, 2)
    assert echo.messages[0] == ("expected a JSON body", 2)
    assert (root.fails_first, root.last_standing, root.pass_rate) == (1, 0, 0.75)

    await browser.become("ann")
    page = (await browser.get(f"/authors/exercises/{EXERCISE}")).text
    assert "4 graded attempts by 2 learners; 1 passed, after 3 attempts (median)" in page
    assert 'expected a JSON body <span class="muted">×2</span>' in page
    overview = (await browser.get("/authors")).text
    assert f'href="/authors/exercises/{EXERCISE}"' in overview and "None: every manifest" in overview


async def test_a_mentor_sees_who_is_stuck_and_reviews_per_mentor(app, settings, users, browser):
    for days in (5, 4, 3):
        await graded(app, settings, users["bob"], "failed", [("root", "failed", "no")], days_ago=days)
    await graded(app, settings, users["alice"], "failed", [("root", "failed", "no")], days_ago=5)  # one failure only
    stuck = await analytics.stuck_learners()
    assert [(s.email, s.exercise, s.failed_attempts) for s in stuck] == [("bob@example.com", EXERCISE, 3)]
    await browser.become("mia")
    page = (await browser.get("/review/overview")).text
    assert "bob@example.com" in page and "alice@example.com" not in page.split('id="pass-rates"')[0]
    assert "0 (0%)" in page  # nobody passed http-basics


async def test_an_admin_gives_and_takes_roles(app, users, browser):
    await browser.become("adam")
    bob = users["bob"]
    assert (await browser.post(f"/admin/users/{bob.id}/role", {"role": "mentor"})).status_code == 302
    assert (await User.objects().where(User.id == bob.id).first()).role == "mentor"
    await browser.become("bob")
    assert (await browser.get("/review")).status_code == 200  # the new mentor sees the queue at once
    await browser.become("adam")
    bad = await browser.post(f"/admin/users/{bob.id}/role", {"role": "superuser"})
    assert bad.status_code == 400 and "Choose one of the roles: learner, mentor, author, admin." in bad.text
    mine = await browser.post(f"/admin/users/{users['adam'].id}/role", {"role": "learner"})
    assert mine.status_code == 400 and "ask another admin" in mine.text
    assert (await browser.post("/admin/users/999999/role", {"role": "mentor"})).status_code == 404
    await browser.post(f"/admin/users/{bob.id}/role", {"role": "learner"})
    await browser.become("bob")
    assert (await browser.get("/review")).status_code == 403
