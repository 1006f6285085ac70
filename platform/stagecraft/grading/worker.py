"""The grading worker: small steps (claim, grade, record) and a pool that loops over them."""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from stagecraft.curriculum.models import Curriculum
from stagecraft.grading.events import GraderEvent, TestEnd
from stagecraft.grading.pipeline import GradeOutcome, dependency_settings, grade_project
from stagecraft.grading.queue import GradingQueue
from stagecraft.reviews.services import request_review_if_required
from stagecraft.settings import Settings
from stagecraft.submissions.archive import ArchiveError, extract_project, read_submission_manifest
from stagecraft.submissions.services import stored_archive
from stagecraft.submissions.tables import GradedTest, Submission

log = logging.getLogger(__name__)

Notify = Callable[[int], None]  # tells live viewers that submission N changed


async def _record_test(submission_id: int, position: int, test: TestEnd) -> None:
    await GradedTest.insert(
        GradedTest(
            submission=submission_id,
            position=position,
            test_id=test.id[:100],
            title=test.title[:300],
            status=test.status,
            score=test.score,
            max_score=test.max_score,
            message=test.message,
            expected=test.expected,
            hint=test.hint,
            duration=test.duration,
            transcript=msgspec.to_builtins(test.transcript),
            tier=test.tier,
            rule=test.rule,
        )
    )


async def _finish(submission_id: int, outcome: GradeOutcome) -> None:
    await Submission.update(
        {
            Submission.state: "finished",
            Submission.verdict: outcome.verdict,
            Submission.polished: outcome.polished,
            Submission.message: outcome.message,
            Submission.score: outcome.score,
            Submission.max_score: outcome.max_score,
            Submission.app_log: outcome.app_log,
            Submission.operator_detail: outcome.detail[:10_000],
            Submission.finished_at: datetime.now(UTC),
        }
    ).where(Submission.id == submission_id)


class Worker:
    def __init__(self, settings: Settings, curriculum: Curriculum, queue: GradingQueue, notify: Notify):
        self.settings = settings
        self.curriculum = curriculum
        self.queue = queue
        self.notify = notify

    async def run_once(self) -> bool:
        """Claim and grade one submission; False when the queue was empty."""
        submission_id = await self.queue.claim()
        if submission_id is None:
            return False
        await self.grade(submission_id)
        return True

    async def grade(self, submission_id: int) -> None:
        submission = await Submission.objects().where(Submission.id == submission_id).first()
        # Grading is idempotent: a resumed job starts from a clean slate.
        await GradedTest.delete().where(GradedTest.submission == submission_id)
        self.notify(submission_id)
        try:
            outcome = await self._grade(submission)
        except Exception as exc:  # a platform fault: the operator gets the trace, the learner a plain word
            log.exception("grading submission %s failed", submission_id)
            outcome = GradeOutcome(
                verdict="infra_error",
                message="The platform could not grade this submission.",
                score=0.0,
                max_score=0.0,
                tests=[],
                detail=repr(exc),
            )
        if outcome.verdict == "infra_error" and submission.attempts <= self.settings.grading_retries:
            log.warning(
                "submission %s: platform fault, retry %d: %s", submission_id, submission.attempts, outcome.detail
            )
            # Still "running" while we back off, so no other worker takes it early.
            await asyncio.sleep(min(30.0, 2.0**submission.attempts))
            await self.queue.enqueue(submission_id)
        else:
            await _finish(submission_id, outcome)
            # A review-required exercise (a capstone) goes to the mentors' queue once its spec tests pass.
            await request_review_if_required(submission_id, self.curriculum)
        self.notify(submission_id)

    async def _grade(self, submission: Submission) -> GradeOutcome:
        exercise = self.curriculum.exercise(submission.exercise)
        if exercise is None:
            raise LookupError(f"exercise {submission.exercise!r} is no longer in the curriculum")
        job_id = f"s{submission.id}-a{submission.attempts}-{random.randrange(16**6):06x}"
        job_dir = self.settings.jobs_dir / job_id
        try:
            data, kind = stored_archive(self.settings, submission)
            try:
                extract_project(data, kind, job_dir / "code")
                manifest = read_submission_manifest(job_dir / "code")
            except ArchiveError as exc:
                return GradeOutcome(verdict="did_not_start", message=str(exc), score=0.0, max_score=0.0, tests=[])
            return await self._run_sandbox(submission.id, exercise, job_dir / "code", manifest, job_id)
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)

    async def _run_sandbox(self, submission_id, exercise, code_dir, manifest, job_id) -> GradeOutcome:
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[GraderEvent | str | None] = asyncio.Queue()

        def on_event(event: GraderEvent | str) -> None:  # runs in the sandbox thread; a str is a step
            loop.call_soon_threadsafe(events.put_nowait, event)

        async def record() -> None:
            position = 0
            while (event := await events.get()) is not None:
                if isinstance(event, str):
                    await Submission.update({Submission.setup: event}).where(Submission.id == submission_id)
                elif isinstance(event, TestEnd):
                    await _record_test(submission_id, position, event)
                    position += 1
                self.notify(submission_id)

        recorder = asyncio.create_task(record())
        try:
            return await asyncio.to_thread(
                grade_project,
                exercise,
                code_dir,
                manifest,
                job_id=job_id,
                seed=random.randrange(2**31),
                deps=dependency_settings(self.settings),
                on_event=on_event,
                on_step=on_event,
            )
        finally:
            loop.call_soon_threadsafe(events.put_nowait, None)
            await recorder


class WorkerPool:
    """`size` workers in this process, each looping over `Worker.run_once`."""

    def __init__(self, worker: Worker, size: int):
        self.worker = worker
        self.size = size
        self._tasks: list[asyncio.Task] = []

    async def _loop(self) -> None:
        while True:
            try:
                if not await self.worker.run_once():
                    await self.worker.queue.wait(timeout=5.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("grading worker step failed; going on")
                await asyncio.sleep(1.0)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(), name=f"grader-{i}") for i in range(self.size)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
