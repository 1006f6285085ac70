"""Fault drill: the Docker engine stops mid-grade and comes back. The try ends in a platform fault,
is retried once the engine answers, and the learner's verdict is the real one; the attempt that
failed on the platform's side is never counted, and nothing is left in the engine."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import time

import docker
import pytest

from stagecraft.settings import REPO_ROOT
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, EXERCISE_DIR, make_settings, stagecraft_containers
from tests.helpers import running, zip_directory

pytestmark = [
    pytest.mark.docker,
    # The engine vanishing mid-request leaves the Docker SDK's socket to the garbage collector.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def _engine_answers() -> bool:
    try:
        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except docker.errors.DockerException:
        return False


def _stop_engine() -> None:
    subprocess.run(["pkill", "-TERM", "-x", "dockerd"], check=False)
    deadline = time.monotonic() + 60
    while _engine_answers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _engine_answers(), "dockerd did not stop"


def _start_engine() -> None:
    subprocess.run([str(REPO_ROOT / "scripts" / "ensure-docker")], check=True, capture_output=True, timeout=300)


async def test_an_engine_restart_mid_grade_is_retried_and_not_counted(tmp_path, sandbox_images, users, client):
    from stagecraft.app import create_app
    from stagecraft.progress.services import exercise_progress

    settings = make_settings(tmp_path, STAGECRAFT_WORKERS="1", STAGECRAFT_GRADING_RETRIES="5")
    app = create_app(settings)
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_directory(next((EXERCISE_DIR / "solutions").iterdir()))
    try:
        async with running(app):
            submission_id = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
            await app.state.queue.enqueue(submission_id)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                row = await Submission.select(Submission.state).where(Submission.id == submission_id).first()
                if row["state"] == "running":
                    break
                await asyncio.sleep(0.02)
            assert row["state"] == "running"
            await asyncio.to_thread(_stop_engine)
            await asyncio.sleep(1.0)  # the try fails on the platform's side while the engine is away
            await asyncio.to_thread(_start_engine)
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                submission = await Submission.objects().where(Submission.id == submission_id).first()
                if submission.state == "finished":
                    break
                await asyncio.sleep(0.2)
        assert (submission.state, submission.verdict) == ("finished", "passed"), submission.operator_detail
        assert submission.attempts >= 2  # the platform fault, then the real grading
        assert (await exercise_progress(users["alice"].id))[EXERCISE].attempts == 1
        deadline = time.monotonic() + 30
        while stagecraft_containers() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        assert stagecraft_containers() == []
    finally:
        if not _engine_answers():
            _start_engine()
        # Sockets the SDK dropped when the engine vanished are finalised here, under this test's
        # warning filters, not in whichever test the garbage collector would run next.
        gc.collect()
