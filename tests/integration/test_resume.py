"""A restart resumes queued and interrupted submissions; a platform fault is retried and never counts."""

from __future__ import annotations

import asyncio

import pytest

from stagecraft.grading.queue import DatabaseQueue
from stagecraft.grading.worker import Worker
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, EXERCISE_DIR, make_settings, stagecraft_containers
from tests.helpers import running, zip_directory

pytestmark = pytest.mark.docker


async def wait_finished(submission_id: int, timeout: float = 180) -> Submission:
    async def poll() -> Submission:
        while True:
            submission = await Submission.objects().where(Submission.id == submission_id).first()
            if submission.state == "finished":
                return submission
            await asyncio.sleep(0.2)

    return await asyncio.wait_for(poll(), timeout)


async def test_an_interrupted_submission_is_graded_after_a_restart(tmp_path, sandbox_images, users, app, client):
    from stagecraft.app import create_app

    settings = app.state.settings
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_directory(next((EXERCISE_DIR / "solutions").iterdir()))
    queued = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
    interrupted = await create_submission(settings, users["bob"].id, exercise, "p.zip", data)
    # The process died while grading this one, leaving its job folder behind.
    await Submission.update({Submission.state: "running", Submission.attempts: 1}).where(Submission.id == interrupted)
    leftover = settings.jobs_dir / f"s{interrupted}-a1-dead00"
    (leftover / "code").mkdir(parents=True)

    restarted = create_app(make_settings(tmp_path, STAGECRAFT_WORKERS="2"))
    async with running(restarted):
        first, second = await wait_finished(queued), await wait_finished(interrupted)
    assert (first.verdict, second.verdict) == ("passed", "passed")
    assert not leftover.exists()
    assert second.attempts == 2
    assert stagecraft_containers(ready_slots=True) == []  # stopped: its warm slots are gone too


async def test_a_platform_fault_is_retried_and_does_not_count(tmp_path, users, app, client, monkeypatch):
    """An image that does not exist is a platform fault: infra_error after the retries, no attempt counted."""
    from stagecraft.progress.services import exercise_progress

    settings = app.state.settings
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_directory(next((EXERCISE_DIR / "solutions").iterdir()))
    submission_id = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
    monkeypatch.setattr("stagecraft.sandbox.runner.image_tag", lambda name, repo_root=None: "stagecraft/missing:nope")
    queue = DatabaseQueue()
    worker = Worker(settings, app.state.curriculum, queue, notify=lambda submission_id: None)
    worker.backoff = lambda attempt: 0.0  # no back-off wait in the test
    while await worker.run_once():
        pass
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    assert submission.state == "finished" and submission.verdict == "infra_error"
    assert submission.attempts == settings.grading_retries + 1
    assert "could not grade" in submission.message
    assert (await exercise_progress(users["alice"].id)) == {}
    assert stagecraft_containers() == []
