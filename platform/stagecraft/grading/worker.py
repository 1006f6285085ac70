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
from stagecraft.db import write_transaction
from stagecraft.grading.events import GraderEvent, TestEnd
from stagecraft.grading.pipeline import GradeOutcome, dependency_settings, grade_project, job_kind
from stagecraft.grading.queue import (
    MAX_TAKEOVERS,
    GradingQueue,
    Lease,
    claim_submission,
    finish,
    job_folder_name,
    renew,
    retry_later,
)
from stagecraft.reviews.services import request_review_if_required
from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.engine import janitor
from stagecraft.sandbox.warm import WarmStart
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


def _verdict_values(outcome: GradeOutcome) -> dict:
    return {
        "verdict": outcome.verdict,
        "polished": outcome.polished,
        "message": outcome.message,
        "score": outcome.score,
        "max_score": outcome.max_score,
        "app_log": outcome.app_log,
        "operator_detail": outcome.detail[:10_000],
        "finished_at": datetime.now(UTC),
    }


def _platform_fault(message: str, detail: str) -> GradeOutcome:
    """An infra_error outcome: a plain word for the learner, the detail for the operator."""
    return GradeOutcome(verdict="infra_error", message=message, score=0.0, max_score=0.0, tests=[], detail=detail)


class LeaseLost(Exception):
    """Another worker took this job over (our lease ran out): nothing more is written for it."""


class Worker:
    """Grades submissions, one job at a time per call, wherever it runs (web process or `stagecraft worker`)."""

    def __init__(self, settings: Settings, curriculum: Curriculum, queue: GradingQueue, notify: Notify):
        self.settings = settings
        self.curriculum = curriculum
        self.queue = queue
        self.notify = notify
        self.lease_seconds = float(settings.lease_seconds)
        self._engine_swept = True  # False after a fault whose leftovers could not be removed yet
        self.warm = WarmStart()  # slots made ahead, clean-ups after the verdict: see sandbox.warm

    def prepare(self) -> None:
        """Make the first slot ahead, for the curriculum's first exercise (where most learners are)."""
        first = next(iter(self.curriculum.exercises()), None)
        if first is not None:
            self.warm.fill(job_kind(first))

    async def close(self) -> None:
        """Wait for the clean-ups under way and remove the unused slots (the process stops)."""
        await asyncio.to_thread(self.warm.close)

    @staticmethod
    def backoff(attempt: int) -> float:
        """Seconds before a platform fault's retry: 2, 4, 8... at most 30."""
        return min(30.0, 2.0**attempt)

    async def run_once(self) -> bool:
        """Claim and grade the oldest available submission; False when there was none."""
        return await self.grade_submission(None)

    async def grade_submission(self, submission_id: int | None) -> bool:
        """The job: grade `submission_id` (None: the oldest available) if it is available. Safe to run
        twice, or for a finished submission (then nothing happens); False when there was nothing to do."""
        lease = await claim_submission(submission_id, seconds=self.lease_seconds)
        if lease is None:
            return False
        await self.grade(lease)
        return True

    async def grade(self, lease: Lease) -> None:
        submission_id = lease.submission_id
        submission = await Submission.objects().where(Submission.id == submission_id).first()
        if lease.attempt > self.settings.grading_retries + 1 + MAX_TAKEOVERS:
            await self._give_up(lease)
            return
        # Grading is idempotent: a resumed job starts from a clean slate, under its own lease.
        async with write_transaction():
            if not await renew(lease, self.lease_seconds):
                return
            await GradedTest.delete().where(GradedTest.submission == submission_id)
        self.notify(submission_id)
        if not self._engine_swept:
            await self._sweep_engine()
        heartbeat = asyncio.create_task(self._keep_lease(lease))
        try:
            outcome = await self._grade(submission, lease)
        except LeaseLost:
            log.warning("submission %s: lease lost to another worker; this try's results are dropped", submission_id)
            return
        except asyncio.CancelledError:  # the process stops: hand the job back at once, not after the lease
            await asyncio.shield(retry_later(lease, 0.0, fault=False))
            raise
        except Exception as exc:  # a platform fault: the operator gets the trace, the learner a plain word
            log.exception("grading submission %s failed", submission_id)
            outcome = _platform_fault("The platform could not grade this submission.", repr(exc))
        finally:
            heartbeat.cancel()
        if outcome.verdict == "infra_error":
            await self._sweep_engine()
        fault = submission.faults + 1  # this try's fault number, if it was one
        if outcome.verdict == "infra_error" and fault <= self.settings.grading_retries:
            log.warning("submission %s: platform fault, retry %d: %s", submission_id, fault, outcome.detail)
            # Back to the queue, due after a back-off; any worker may take it then.
            delay = self.backoff(fault)
            if await retry_later(lease, delay):
                await self.queue.enqueue_retry(submission_id, delay)
        elif await finish(lease, _verdict_values(outcome)):
            # A review-required exercise (a capstone) goes to the mentors' queue once its spec tests pass.
            await request_review_if_required(submission_id, self.curriculum)
        else:
            log.warning("submission %s: lease lost before the verdict; another worker's verdict stands", submission_id)
        self.notify(submission_id)

    async def _give_up(self, lease: Lease) -> None:
        """A submission claimed this often never reached a verdict: each worker that took it stopped
        (killed, its machine lost). It ends as a platform fault, which costs the learner nothing."""
        log.error("submission %s: given up after %d tries without a verdict", lease.submission_id, lease.attempt - 1)
        outcome = _platform_fault(
            "The platform could not grade this submission. It was not counted; please submit again later.",
            f"given up: claimed {lease.attempt - 1} times, every worker stopped before a verdict",
        )
        await finish(lease, _verdict_values(outcome))
        self.notify(lease.submission_id)

    async def _sweep_engine(self) -> None:
        """After a platform fault: remove what the failed try left in the engine (its clean-up may
        have failed because the engine was away). An engine still away is swept before the next job."""
        try:
            await asyncio.to_thread(janitor)
            self._engine_swept = True
        except SandboxError as exc:
            self._engine_swept = False
            log.warning("janitor after a platform fault: %s", exc)

    async def _keep_lease(self, lease: Lease) -> None:
        """Renew the lease while the job runs, also through long silent steps (installing dependencies)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                if not await renew(lease, self.lease_seconds):
                    return
            except Exception:  # noqa: BLE001 - the database is away for a moment: the next beat tries again
                log.warning("submission %s: could not renew the lease", lease.submission_id, exc_info=True)

    async def _grade(self, submission: Submission, lease: Lease) -> GradeOutcome:
        exercise = self.curriculum.exercise(submission.exercise)
        if exercise is None:
            raise LookupError(f"exercise {submission.exercise!r} is no longer in the curriculum")
        job_id = f"s{submission.id}-a{lease.attempt}-{random.randrange(16**6):06x}"
        job_dir = self.settings.jobs_dir / job_folder_name() / job_id
        try:
            data, kind = await stored_archive(self.settings, submission)
            try:
                extract_project(data, kind, job_dir / "code")
                manifest = read_submission_manifest(job_dir / "code")
            except ArchiveError as exc:
                return GradeOutcome(verdict="did_not_start", message=str(exc), score=0.0, max_score=0.0, tests=[])
            return await self._run_sandbox(lease, exercise, job_dir / "code", manifest, job_id)
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)

    async def _run_sandbox(self, lease: Lease, exercise, code_dir, manifest, job_id) -> GradeOutcome:
        submission_id = lease.submission_id
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[GraderEvent | str | None] = asyncio.Queue()

        def on_event(event: GraderEvent | str) -> None:  # runs in the sandbox thread; a str is a step
            loop.call_soon_threadsafe(events.put_nowait, event)

        lost = False

        async def record() -> None:
            nonlocal lost
            position = 0
            while (event := await events.get()) is not None:
                if lost:
                    continue  # drain: the sandbox thread still runs to its end
                async with write_transaction():  # each write under the lease, renewed as it goes
                    if isinstance(event, str):
                        held = await renew(lease, self.lease_seconds, setup=event)
                    else:
                        held = await renew(lease, self.lease_seconds)
                        if held and isinstance(event, TestEnd):
                            await _record_test(submission_id, position, event)
                            position += 1
                if not held:
                    lost = True
                    continue
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
                warm=self.warm,
            )
        finally:
            loop.call_soon_threadsafe(events.put_nowait, None)
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                recorder.cancel()  # stopping: the cancellation goes on, nothing replaces it
            else:
                await recorder
                if lost:
                    raise LeaseLost(submission_id)


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
        self.worker.warm.slots_per_kind = self.size
        self.worker.prepare()
        self._tasks = [asyncio.create_task(self._loop(), name=f"grader-{i}") for i in range(self.size)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.worker.close()
