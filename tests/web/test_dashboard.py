"""A signed-in learner's home is a dashboard: next step, exercises tried, recent results, a chart."""

from __future__ import annotations

from datetime import UTC, datetime

from stagecraft.progress.chart import attempts_chart
from stagecraft.progress.dashboard import next_step
from stagecraft.progress.services import ExerciseProgress
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
