"""Claims as leases on the embedded database (SQLite): one holder at a time, only expired leases
taken back, one verdict per try, and start-up clean-up scoped to this host's dead processes.
tests/integration/test_postgres.py runs the same claims on PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

from stagecraft.grading.pipeline import GradeOutcome
from stagecraft.grading.queue import (
    MAX_TAKEOVERS,
    DatabaseQueue,
    claim_submission,
    finish,
    job_folder_name,
    leftover_job_folders,
    release_dead_owners,
    renew,
    retry_later,
)
from stagecraft.grading.worker import Worker
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'
DEAD = f"{socket.gethostname()}:999999999:1"  # a pid no process has


async def _submission(app, users) -> int:
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    return await create_submission(app.state.settings, users["alice"].id, exercise, "p.zip", data)


async def _expire(submission_id: int) -> None:
    await Submission.update({Submission.lease_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Submission.id == submission_id
    )


async def _row(submission_id: int) -> Submission:
    return await Submission.objects().where(Submission.id == submission_id).first()


async def test_one_claim_wins_and_a_live_lease_is_never_taken(client, users, app):
    submission_id = await _submission(app, users)
    leases = await asyncio.gather(*[claim_submission(submission_id, owner=f"w{i}") for i in range(6)])
    held = [lease for lease in leases if lease is not None]
    assert len(held) == 1 and held[0].attempt == 1
    assert await claim_submission(submission_id, owner="another") is None  # live: left alone
    assert await claim_submission(None, owner="another") is None


async def test_a_swept_job_never_stores_a_second_verdict(client, users, app):
    submission_id = await _submission(app, users)
    slow = await claim_submission(submission_id, owner="slow")
    await _expire(submission_id)
    sweeper = await claim_submission(None, owner="sweeper")
    assert sweeper is not None and (sweeper.submission_id, sweeper.attempt) == (submission_id, 2)
    assert await renew(slow) is False  # the slow worker learns it lost the job at its next write
    assert await finish(slow, {"verdict": "failed"}) is False
    assert await finish(sweeper, {"verdict": "passed", "score": 3.0}) is True
    assert await finish(sweeper, {"verdict": "failed"}) is False  # once per try
    row = await _row(submission_id)
    assert (row.state, row.verdict, row.score, row.attempts, row.lease_owner) == ("finished", "passed", 3.0, 2, "")


async def test_a_retry_waits_for_its_back_off(client, users, app):
    submission_id = await _submission(app, users)
    lease = await claim_submission(submission_id, owner="w")
    assert await retry_later(lease, 60) is True
    assert (await _row(submission_id)).state == "queued"
    assert await claim_submission(submission_id) is None  # not due yet
    await Submission.update({Submission.available_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Submission.id == submission_id
    )
    again = await claim_submission(submission_id)
    assert again is not None and again.attempt == 2


async def test_start_up_releases_only_this_hosts_dead_owners(client, users, app):
    ids = [await _submission(app, users) for _ in range(3)]
    owners = [DEAD, "elsewhere.example:1234:99", None]  # a dead process here, another host's, this process
    for submission_id, owner in zip(ids, owners, strict=True):
        assert await claim_submission(submission_id, owner=owner) is not None
    assert await release_dead_owners() == [ids[0]]
    states = [(await _row(i)).state for i in ids]
    assert states == ["queued", "running", "running"]


def test_leftover_job_folders_are_this_hosts_dead_processes_only(tmp_path):
    host = socket.gethostname()
    mine = tmp_path / job_folder_name()
    dead = tmp_path / f"{host}_999999999_1"
    other_host = tmp_path / "elsewhere.example_1234_99"
    legacy = tmp_path / "s12-a1-0a0b0c"  # the layout before owners' folders
    for folder in (mine, dead, other_host, legacy):
        (folder / "code").mkdir(parents=True)
    assert sorted(leftover_job_folders(tmp_path)) == sorted([dead, legacy])


async def test_a_worker_that_lost_its_lease_drops_its_verdict(client, users, app, monkeypatch):
    """The grading itself is stubbed here (test_resume grades for real): while it runs, the lease
    expires and another worker takes the job; the first worker's verdict must not be stored."""
    submission_id = await _submission(app, users)
    worker = Worker(app.state.settings, app.state.curriculum, DatabaseQueue(), notify=lambda submission_id: None)
    taken_over = []

    async def slow_grade(submission, lease):
        await _expire(submission.id)
        taken_over.append(await claim_submission(submission.id, owner="sweeper"))
        return GradeOutcome(verdict="failed", message="", score=0.0, max_score=1.0, tests=[])

    monkeypatch.setattr(worker, "_grade", slow_grade)
    assert await worker.grade_submission(submission_id) is True
    row = await _row(submission_id)
    assert (row.state, row.verdict, row.lease_owner) == ("running", "", "sweeper")
    assert await worker.grade_submission(submission_id) is False  # the sweeper's lease is live


def _stub_worker(app, monkeypatch, verdict: str) -> Worker:
    """A worker whose grading ends at once with `verdict` (the grading itself is covered elsewhere)."""
    worker = Worker(app.state.settings, app.state.curriculum, DatabaseQueue(), notify=lambda submission_id: None)

    async def grade(submission, lease):
        return GradeOutcome(verdict=verdict, message="", score=0.0, max_score=1.0, tests=[], detail="stub")

    async def no_sweep():
        pass

    monkeypatch.setattr(worker, "_grade", grade)
    monkeypatch.setattr(worker, "_sweep_engine", no_sweep)
    return worker


async def _taken_over(submission_id: int, times: int) -> None:
    """`times` workers claim the submission and die holding it (their leases run out)."""
    for i in range(times):
        assert await claim_submission(submission_id, owner=f"killed-{i}") is not None
        await _expire(submission_id)


async def test_takeovers_do_not_use_up_the_fault_retries(client, users, app, monkeypatch):
    submission_id = await _submission(app, users)
    await _taken_over(submission_id, 3)  # more takeovers than STAGECRAFT_GRADING_RETRIES (2)
    worker = _stub_worker(app, monkeypatch, "infra_error")
    assert await worker.grade_submission(submission_id) is True
    row = await _row(submission_id)
    # The first platform fault is retried although this was the fourth try.
    assert (row.state, row.attempts, row.faults) == ("queued", 4, 1)
    # A worker that stops hands its job back without a fault.
    lease = await _claim_when_due(submission_id)
    assert await retry_later(lease, 0.0, fault=False) is True
    assert (await _row(submission_id)).faults == 1


async def _claim_when_due(submission_id: int):
    await Submission.update({Submission.available_at: None}).where(Submission.id == submission_id)
    return await claim_submission(submission_id, owner="stopping")


async def test_a_submission_that_stops_every_worker_ends_as_a_platform_fault(client, users, app, monkeypatch):
    settings = app.state.settings
    submission_id = await _submission(app, users)
    await _taken_over(submission_id, settings.grading_retries + 1 + MAX_TAKEOVERS)
    worker = _stub_worker(app, monkeypatch, "passed")
    assert await worker.grade_submission(submission_id) is True
    row = await _row(submission_id)
    assert (row.state, row.verdict, row.faults) == ("finished", "infra_error", 0)  # not graded again
    assert "not counted" in row.message and "every worker stopped" in row.operator_detail
