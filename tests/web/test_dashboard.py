"""A signed-in learner's home is a dashboard: next step, exercises tried, recent results, a chart."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import msgspec

from stagecraft.curriculum import views
from stagecraft.progress.chart import attempts_chart
from stagecraft.progress.dashboard import next_step
from stagecraft.progress.memo import LearnerViews
from stagecraft.progress.services import ExerciseProgress
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE
from tests.web.test_progress import OTHER, finished


async def test_the_dashboard_says_what_to_do_next_and_where_the_learner_stands(app, settings, users, browser):
    await browser.become("alice")
    fresh = (await browser.get("/")).text
    assert "Your path" in fresh and "start here" in fresh and f'href="/exercises/{EXERCISE}"' in fresh

    await finished(app, settings, users["alice"], EXERCISE, "failed", score=4)
    await finished(app, settings, users["alice"], EXERCISE, "passed", score=10)
    await finished(app, settings, users["alice"], OTHER, "failed", score=6)
    home = (await browser.get("/")).text
    assert "keep going: best 6 / 10" in home  # the unit converter, begun and not passed
    table = home.split('id="my-exercises"')[1].split("</table>")[0]
    assert "passed" in table and "in progress" in table and "10.0 / 10.0" in table
    assert home.count("<circle cx=") == 3 and 'role="img"' in home
    assert 'id="recent"' in home and "Some tests failed" in home
    assert "1 of 2 exercises passed" in home

    await browser.become("anonymous")
    visitor = (await browser.get("/")).text
    assert "Your path" not in visitor and "0 of 2" not in visitor and "2 graded exercises" in visitor


async def test_a_learners_pages_are_reckoned_once_per_change_made_anywhere(app, settings, users, browser, monkeypatch):
    """The home and exercise pages keep what they reckoned from the learner's attempts until the
    database says those changed, whoever changed them: here a worker in another process, writing
    through its own connection."""
    reads = []

    async def counted(*args, **kwargs):
        reads.append(args)
        return await attempt_lines(*args, **kwargs)

    attempt_lines = views.attempt_lines
    monkeypatch.setattr(views, "attempt_lines", counted)
    await browser.become("alice")
    submission_id = await finished(app, settings, users["alice"], EXERCISE, "failed", score=4)
    exercise_page, stage_page = f"/exercises/{EXERCISE}", "/stages/1"
    assert "best 4 / 10" in (await browser.get("/")).text
    assert "4.0 / 10" in (await browser.get(exercise_page)).text
    assert "best 4.0 / 10.0" in (await browser.get(stage_page)).text
    assert len(reads) == 2
    for _ in range(3):
        assert "best 4 / 10" in (await browser.get("/")).text
        assert "4.0 / 10" in (await browser.get(exercise_page)).text
        assert "best 4.0 / 10.0" in (await browser.get(stage_page)).text
    await Submission.update({Submission.lease_until: datetime.now(UTC)}).where(Submission.id == submission_id)
    assert "best 4 / 10" in (await browser.get("/")).text
    assert len(reads) == 2  # kept: nothing the pages show changed

    other_process = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
    with other_process:
        other_process.execute("UPDATE submissions SET verdict = 'passed', score = 10 WHERE id = ?", (submission_id,))
    other_process.close()
    home = (await browser.get("/")).text
    assert "best 4 / 10" not in home and "1 of 2 exercises passed" in home
    assert "10.0 / 10" in (await browser.get(exercise_page)).text
    stage = (await browser.get(stage_page)).text
    assert "best 4.0 / 10.0" not in stage and '<span class="badge passed">passed</span>' in stage
    assert len(reads) == 4

    await browser.become("bob")  # another learner's pages are theirs
    assert "start here" in (await browser.get("/")).text


async def test_what_is_kept_goes_with_a_new_version_or_curriculum_and_stays_bounded(app):
    class Learner(msgspec.Struct):
        id: int
        progress_version: int

    kept, reckoned = LearnerViews(size=2), []

    async def reckon():
        reckoned.append(1)
        return len(reckoned)

    curriculum, alice = app.state.curriculum, Learner(1, 0)
    assert await kept.get(alice, "home", curriculum, reckon) == 1
    assert await kept.get(alice, "home", curriculum, reckon) == 1
    assert await kept.get(Learner(1, 1), "home", curriculum, reckon) == 2  # the version moved
    reloaded = msgspec.structs.replace(curriculum)  # an author's edit reloaded the curriculum
    assert await kept.get(Learner(1, 1), "home", reloaded, reckon) == 3
    assert await kept.get(Learner(2, 1), "home", reloaded, reckon) == 4  # another learner
    assert await kept.get(Learner(1, 1), "progress", reloaded, reckon) == 5  # another page
    assert await kept.get(Learner(2, 1), "home", reloaded, reckon) == 4
    assert await kept.get(Learner(1, 1), "home", reloaded, reckon) == 6  # pushed out: at most 2 kept
    assert kept.for_visitors("home", curriculum, lambda: "first") == "first"
    assert kept.for_visitors("home", curriculum, lambda: "again") == "first"
    assert kept.for_visitors("home", reloaded, lambda: "reloaded") == "reloaded"


def test_next_step_skips_what_is_done_or_waiting(app):
    curriculum = app.state.curriculum
    first, second, third = curriculum.exercises()[:3]
    assert next_step(curriculum, {}).why == "start here"
    done = ExerciseProgress(attempts=1, passed=True, best_score=10, max_score=10)
    waiting = ExerciseProgress(attempts=1, awaiting_review=True)
    step = next_step(curriculum, {first.slug: done, second.slug: waiting})
    assert (step.exercise.slug, step.why) == (third.slug, "next in the path")
    asked = ExerciseProgress(attempts=2, changes_requested=True)
    assert next_step(curriculum, {first.slug: asked}).why == "a mentor asked for changes"
    everything = {e.slug: done for e in curriculum.exercises()}
    assert next_step(curriculum, everything) is None


def test_the_chart_escapes_every_label():
    chart = attempts_chart([(datetime(2026, 12, 6, tzinfo=UTC), 50.0, False, "<script>x</script>")])
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert attempts_chart([]) == ""
