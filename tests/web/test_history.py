"""A learner's history: every attempt, two compared side by side with the tests that changed, download, re-run."""

from __future__ import annotations

import io
import zipfile

from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import GradedTest, Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def attempt(app, settings, user, app_py: str, results: dict[str, str]) -> int:
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": app_py})
    submission_id = await create_submission(settings, user.id, exercise, "project.zip", data)
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == submission_id
    )
    for position, (test_id, status) in enumerate(results.items()):
        await GradedTest.insert(GradedTest(submission=submission_id, position=position, test_id=test_id, status=status))
    return submission_id


async def test_two_attempts_compared_side_by_side_with_the_tests_that_changed(app, settings, users, browser):
    alice = users["alice"]
    first = await attempt(app, settings, alice, "print('<b>one</b>')\nkeep = 1\n", {"root": "failed", "echo": "passed"})
    second = await attempt(app, settings, alice, "print('two')\nkeep = 1\n", {"root": "passed", "echo": "passed"})
    await browser.become("alice")
    history = (await browser.get(f"/exercises/{EXERCISE}/history")).text
    assert f'href="/submissions/{first}"' in history and f'href="/submissions/{second}"' in history
    page = (await browser.get(f"/exercises/{EXERCISE}/compare?a={second}&b={first}")).text
    changed = page.split('id="changed-tests"')[1].split("</section>")[0]
    assert "root" in changed and "echo" not in changed
    files = page.split('id="changed-files"')[1]
    assert "before: app.py" in files and "stagecraft.toml" not in files
    assert "&lt;b&gt;one&lt;/b&gt;" in files and "<b>one</b>" not in files  # the code is escaped

    await browser.become("bob")
    assert (await browser.get(f"/exercises/{EXERCISE}/compare?a={first}&b={second}")).status_code == 404


async def test_an_attempt_downloads_and_grades_again_as_a_new_attempt(app, settings, users, browser):
    first = await attempt(app, settings, users["alice"], "print(1)\n", {})
    await browser.become("alice")
    download = await browser.get(f"/submissions/{first}/archive")
    assert download.headers["content-type"] == "application/zip"
    assert f'filename="{EXERCISE}-attempt-{first}.zip"' in download.headers["content-disposition"]
    assert zipfile.ZipFile(io.BytesIO(download.content)).read("app.py") == b"print(1)\n"
    again = await browser.post(f"/submissions/{first}/rerun")
    rerun_id = int(again.headers["location"].rsplit("/", 1)[1])
    rerun = await Submission.objects().where(Submission.id == rerun_id).first()
    original = await Submission.objects().where(Submission.id == first).first()
    assert rerun_id != first and rerun.state == "queued" and rerun.archive_sha256 == original.archive_sha256
