"""Progress: an exercise is passed once a submission passed, and polished once a passing one polished it."""

from __future__ import annotations

from stagecraft.progress.services import exercise_progress, stage_progress
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

OTHER = "unit-converter"  # stage 1's other exercise
MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def finished(app, settings, user, slug: str, verdict: str, *, polished: bool = False, score: float = 0) -> int:
    exercise = app.state.curriculum.exercise(slug)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": f"print({score})"})
    submission_id = await create_submission(settings, user.id, exercise, "p.zip", data)
    await Submission.update(
        {
            Submission.state: "finished",
            Submission.verdict: verdict,
            Submission.polished: polished,
            Submission.score: score,
            Submission.max_score: 10,
        }
    ).where(Submission.id == submission_id)
    return submission_id


async def test_polished_needs_a_polished_pass(app, settings, users):
    alice = users["alice"]
    await finished(app, settings, alice, EXERCISE, "failed", score=4)
    await finished(app, settings, alice, EXERCISE, "passed", score=8)  # every spec test, not every craft test
    await finished(app, settings, alice, OTHER, "passed", polished=True, score=10)
    await finished(app, settings, alice, OTHER, "failed", score=2)  # a later failure takes nothing away
    # A polished flag on anything but a pass counts for nothing.
    await finished(app, settings, users["bob"], EXERCISE, "crashed", polished=True, score=9)

    mine = await exercise_progress(alice.id)
    assert (mine[EXERCISE].passed, mine[EXERCISE].polished, mine[EXERCISE].attempts) == (True, False, 2)
    assert (mine[OTHER].passed, mine[OTHER].polished, mine[OTHER].best_score) == (True, True, 10)
    stage = app.state.curriculum.stage(1)
    assert (stage_progress(stage, mine).passed, stage_progress(stage, mine).polished) == (2, 1)
    bobs = await exercise_progress(users["bob"].id)
    assert (bobs[EXERCISE].passed, bobs[EXERCISE].polished) == (False, False)


async def test_pages_mark_polished_exercises(app, settings, users, browser):
    await finished(app, settings, users["alice"], EXERCISE, "passed", score=8)
    polished_id = await finished(app, settings, users["alice"], OTHER, "passed", polished=True, score=10)
    await browser.become("alice")

    home = (await browser.get("/")).text
    assert '<span class="badge polished">1 polished</span>' in home
    stage = (await browser.get("/stages/1")).text
    mark = 'class="badge polished" title="every extra practice test passed too">polished</span>'
    rows = {
        slug: next(li for li in stage.split("<li>") if f'href="/exercises/{slug}"' in li) for slug in (OTHER, EXERCISE)
    }
    assert mark in rows[OTHER] and '<span class="badge passed">passed</span>' in rows[OTHER]
    assert mark not in rows[EXERCISE] and '<span class="badge passed">passed</span>' in rows[EXERCISE]
    assert mark in (await browser.get(f"/exercises/{OTHER}")).text
    exercise_page = (await browser.get(f"/exercises/{EXERCISE}")).text
    assert '<span class="badge passed">passed</span>' in exercise_page and mark not in exercise_page
    assert f'href="/submissions/{polished_id}"' in (await browser.get(f"/exercises/{OTHER}")).text

    await browser.become("bob")  # another learner's progress is not his
    assert "polished" not in (await browser.get("/stages/1")).text
    assert "polished" not in (await browser.get("/")).text
