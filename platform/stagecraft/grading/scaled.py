"""The scaled mode's queue: SAQ on PostgreSQL hands submission ids to `stagecraft worker` processes.

SAQ dispatches; the submissions table decides. A SAQ job only says "grade submission N": the
worker claims N under a lease (grading.queue), so a job run twice, or for a submission another
worker already holds or finished, does nothing. Job keys are "submission-<id>-<try>", so SAQ
drops a second enqueue of the same try while the first waits or runs, and a retry is a new job.

Recovery is ours, not SAQ's sweep (its defaults never re-run the job of a killed worker, and its
lock-holding sweeper can be two workers at once after a connection drops): every worker's
reaper, every few seconds, enqueues the submissions whose lease ran out (their worker died) and
queued ones that lost their job (a web process that died between storing and enqueueing). SAQ's
own timeout is only a late clean-up of its bookkeeping for a killed worker's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import shutil
import time
from datetime import UTC, datetime, timedelta

from saq import Queue
from saq import Worker as SaqWorker

from stagecraft.grading.queue import expired_leases, make_due
from stagecraft.submissions.tables import Submission

log = logging.getLogger(__name__)

QUEUE_NAME = "stagecraft-grading"
JOB_NAME = "grade_submission"
SAQ_TIMEOUT = 3600  # SAQ's own clean-up of a killed worker's job entry; our leases recover it long before
GRACE_SECONDS = 90  # a stopping worker's jobs may finish within this; then they are handed back
REAP_SECONDS = 5.0  # how often each worker looks for expired leases and lost jobs
LOST_AFTER = timedelta(seconds=30)  # a queued, due submission this old with no job waiting gets one


def saq_url(database_url: str) -> str:
    """SAQ's psycopg URL for our database URL (the same server and database)."""
    return database_url.replace("postgresql://", "postgres://", 1)


def job_key(submission_id: int, attempts: int) -> str:
    return f"submission-{submission_id}-{attempts}"


class SaqQueue:
    """Enqueues grading jobs on SAQ; used by the web processes and by the workers' reapers."""

    def __init__(self, database_url: str, *, min_size: int = 1, max_size: int = 4):
        self.saq = Queue.from_url(saq_url(database_url), name=QUEUE_NAME, min_size=min_size, max_size=max_size)

    async def connect(self) -> None:
        await self.saq.connect()

    async def disconnect(self) -> None:
        await self.saq.disconnect()

    async def _enqueue(self, submission_id: int, *, delay: float = 0.0, key_suffix: str = "") -> None:
        row = await Submission.select(Submission.attempts).where(Submission.id == submission_id).first()
        if row is None:
            return
        # SAQ runs a job once its whole second has come: round up, never before the row is due.
        scheduled = math.ceil(datetime.now(UTC).timestamp() + delay) if delay else 0
        await self.saq.enqueue(
            JOB_NAME,
            key=job_key(submission_id, row["attempts"]) + key_suffix,
            submission_id=submission_id,
            timeout=SAQ_TIMEOUT,
            retries=1,
            scheduled=scheduled,
        )

    async def enqueue(self, submission_id: int) -> None:
        await make_due(submission_id)
        await self._enqueue(submission_id)

    async def enqueue_retry(self, submission_id: int, delay: float) -> None:
        await self._enqueue(submission_id, delay=delay)

    async def hand_back(self, submission_id: int) -> None:
        """A job this worker took while stopping, for another worker: under a key of its own, since
        SAQ keeps the taken job's key busy until it ends."""
        await self._enqueue(submission_id, key_suffix=f"-h{time.time_ns()}")

    async def reap(self) -> int:
        """Jobs for submissions that need one: expired leases (their worker died), and queued ones
        due for a while whose job is gone (never enqueued, or taken by a worker that died before
        claiming: an active job whose row is still queued after LOST_AFTER)."""
        now = datetime.now(UTC)
        expired = await expired_leases()
        for submission_id in expired:
            await self._enqueue(submission_id)  # a new try number: a new key
        stale = await Submission.select(Submission.id, Submission.attempts).where(
            (Submission.state == "queued")
            & (Submission.created_at < now - LOST_AFTER)
            & ((Submission.available_at.is_null()) | (Submission.available_at < now - LOST_AFTER))
        )
        if not stale:
            return len(expired)
        keys = {job_key(r["id"], r["attempts"]): r["id"] for r in stale}
        status = {
            row["key"]: row["status"]
            for row in await Submission.raw("SELECT key, status FROM saq_jobs WHERE key = ANY({})", [list(keys)])
        }
        lost = 0
        for key, submission_id in keys.items():
            if status.get(key) == "queued":
                continue  # waiting its turn in a backlog
            # Gone or finished: enqueued again in place. Active with the row still queued: its worker
            # died between taking it and claiming; SAQ keeps that key busy, so this job gets its own.
            await self._enqueue(
                submission_id, key_suffix=f"-r{int(now.timestamp())}" if status.get(key) == "active" else ""
            )
            lost += 1
        return len(expired) + lost


async def run_worker(queue: SaqQueue, grade, concurrency: int, stop: asyncio.Event, *, on_stop=None) -> None:
    """Run SAQ's worker with `grade(submission_id)` as the job, and the reaper, until `stop` is set.

    Then it awaits `on_stop()`, gives the running jobs GRACE_SECONDS to finish (a job SAQ hands it
    meanwhile goes straight back to the queue for another worker) and stops SAQ, cancelling what is
    left: a cancelled grading is handed back at once (see Worker.grade). SAQ's own grace period is
    not used: it would also wait out its idle dequeues and its upkeep timers.
    """
    running: set[asyncio.Task] = set()
    stopping = asyncio.Event()

    async def grade_submission(ctx, *, submission_id: int) -> bool:
        if stopping.is_set():
            await queue.hand_back(submission_id)
            return False
        task = asyncio.current_task()
        running.add(task)
        try:
            return await grade(submission_id)
        finally:
            running.discard(task)

    worker = SaqWorker(
        queue.saq,
        functions=[(JOB_NAME, grade_submission)],
        concurrency=concurrency,
        timers={"sweep": 60, "schedule": 1},
        shutdown_grace_period_s=0,  # see above: what still runs when SAQ stops is cancelled
    )
    worker.SIGNALS = []  # the command handles signals (and stops gracefully)

    async def reaper() -> None:
        from stagecraft.grading.queue import sync_clock
        from stagecraft.sandbox.engine import janitor

        while True:
            try:
                await sync_clock()  # a host's clock drifts; leases are judged by the database's
                if found := await queue.reap():
                    log.info("reaper: %d submission(s) needed a job", found)
                # A killed worker of this host leaves its containers: gone once its process is.
                await asyncio.to_thread(janitor)
            except Exception:  # noqa: BLE001 - the database or engine is away for a moment: the next round tries again
                log.warning("reaper round failed", exc_info=True)
            await asyncio.sleep(REAP_SECONDS)

    worker_task = asyncio.create_task(worker.start(), name="saq-worker")
    reaper_task = asyncio.create_task(reaper(), name="stagecraft-reaper")
    try:
        await stop.wait()
    finally:
        reaper_task.cancel()
        stopping.set()
        if on_stop is not None:
            await on_stop()
        if busy := set(running):
            log.info("stopping: up to %d s for %d running job(s) to finish", GRACE_SECONDS, len(busy))
            await asyncio.wait(busy, timeout=GRACE_SECONDS)
        # SAQ, with no grace of its own, warns that "some tasks did not finish" at every stop: its
        # idle dequeues and timers. Our grace came first; what it says of jobs is said above.
        saq_log = logging.getLogger("saq")
        saq_log.addFilter(_no_grace_warning)
        try:
            await worker.stop()
        finally:
            saq_log.removeFilter(_no_grace_warning)
        for task in (worker_task, reaper_task):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _no_grace_warning(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Some tasks did not finish within the shutdown grace period")


class WorkerRefused(Exception):
    """`stagecraft worker` cannot start here; the message says why and what to do."""


async def serve_worker(settings, concurrency: int, stop: asyncio.Event, *, on_ready=None) -> None:
    """`stagecraft worker`: grade from the SAQ queue on this machine until `stop` is set."""
    from stagecraft.curriculum.loader import load_curriculum
    from stagecraft.db import close_database, open_database, postgres_connect_kwargs
    from stagecraft.grading import checkout
    from stagecraft.grading.queue import leftover_job_folders, release_dead_owners, sync_clock
    from stagecraft.grading.relay import PostgresRelay
    from stagecraft.grading.worker import Worker
    from stagecraft.sandbox import SandboxError
    from stagecraft.sandbox.engine import janitor
    from stagecraft.sandbox.images import images_ready

    if settings.uses_sqlite:
        raise WorkerRefused(
            "a worker needs the scaled mode's PostgreSQL: set DATABASE_URL=postgresql://user@host:port/db "
            "(the same as the web's) and STAGECRAFT_QUEUE=saq on the web"
        )
    try:
        missing = await asyncio.to_thread(images_ready, settings.repo_root)
    except SandboxError as exc:
        raise WorkerRefused(f"no usable Docker engine on this machine: {exc}") from None
    if missing:
        raise WorkerRefused(f"sandbox images missing here: {', '.join(missing)}; run `stagecraft images build` first")
    await open_database(settings.database_url)
    await sync_clock()
    relay = PostgresRelay(postgres_connect_kwargs(settings.database_url), deliver=lambda submission_id: None)
    queue = SaqQueue(settings.database_url, max_size=max(4, concurrency + 2))
    worker = None
    try:
        if why := await checkout.mismatch(settings):
            raise WorkerRefused(why)
        removed = await asyncio.to_thread(janitor)
        if removed:
            log.info("janitor removed %d leftover sandbox objects", removed)
        for leftover in leftover_job_folders(settings.jobs_dir):
            await asyncio.to_thread(shutil.rmtree, leftover, True)
        released = await release_dead_owners()
        if released:
            log.info("released %d submission(s) of this host's stopped processes", len(released))
        curriculum = load_curriculum(settings.curriculum_dir, settings.graders_dir)
        await queue.connect()
        tasks: set[asyncio.Task] = set()

        def notify(submission_id: int) -> None:
            task = asyncio.get_running_loop().create_task(relay.publish(submission_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        worker = Worker(settings, curriculum, queue, notify)
        worker.warm.slots_per_kind = concurrency
        worker.prepare()
        for submission_id in released:
            await queue.enqueue(submission_id)
        if on_ready is not None:
            on_ready()
        # Its unused slots go first: a stop that outlasts its grace period ends in SIGKILL.
        await run_worker(queue, worker.grade_submission, concurrency, stop, on_stop=worker.close)
    finally:
        if worker is not None:
            await worker.close()
        await relay.stop()
        with contextlib.suppress(Exception):
            await queue.disconnect()
        await close_database()
