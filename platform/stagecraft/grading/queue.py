"""Claims as leases: who grades a submission, until when; and the queues that hand out the work.

The submissions table is the truth wherever grading runs. A worker *claims* a submission with a
conditional update that names it the holder (`lease_owner`) until `lease_until`, and renews the
lease while tests arrive. Only an expired lease is taken back, so a slow but live worker keeps its
job, and every write a worker makes for a job (a test row, the verdict) is conditional on still
holding that lease for that try (`attempts`): a job swept from a worker can never store a second
verdict. Owners are processes ("<host>:<pid>:<start time>", as the sandbox labels its objects), so
a process that starts can release exactly the leases of its own host's dead processes.

Two queues hand out submission ids: `DatabaseQueue` (embedded: the table is the queue, an
in-process event wakes idle workers) and `stagecraft.grading.scaled.SaqQueue` (SAQ on PostgreSQL).
Either way the job is `Worker.grade_submission`, which claims by id and is safe to run twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from stagecraft.db import write_transaction
from stagecraft.sandbox.engine import owner_alive, owner_label
from stagecraft.submissions.tables import Submission

LEASE_SECONDS = 60.0  # a lease lasts this long unless renewed; a killed worker's job waits at most this
# Claims of one submission before it is given up as a platform fault: beyond the fault retries, this
# many takeovers (a worker killed, the machine lost) are allowed, so a submission that brings down
# every worker it lands on ends instead of going round for ever.
MAX_TAKEOVERS = 5


@dataclass(frozen=True)
class Lease:
    """One try at grading one submission, held by one process."""

    submission_id: int
    attempt: int  # the submission's `attempts` once claimed: this try's number
    owner: str

    def held(self):
        """The condition of every write made under this lease."""
        return (
            (Submission.id == self.submission_id)
            & (Submission.state == "running")
            & (Submission.lease_owner == self.owner)
            & (Submission.attempts == self.attempt)
        )


_clock_offset = timedelta(0)  # the database's clock minus this host's, see sync_clock


def _now() -> datetime:
    """The database's time, as this host reckons it: leases of workers on several hosts compare alike."""
    return datetime.now(UTC) + _clock_offset


async def sync_clock() -> timedelta:
    """Read the database server's clock once and keep the difference (PostgreSQL; SQLite is this host's).

    A lease is written by one host and judged expired by another: with each host's own clock, a host
    running a minute ahead would take live jobs away. The offset is re-read by the worker's reaper.
    """
    global _clock_offset
    from stagecraft.db import uses_postgres

    if uses_postgres():
        before = datetime.now(UTC)
        [row] = await Submission.raw("SELECT now() AS now")
        after = datetime.now(UTC)
        _clock_offset = row["now"] - (before + (after - before) / 2)
    return _clock_offset


def _available(now: datetime):
    """Rows a worker may take: queued and due, or running under a lease that ran out."""
    queued = (Submission.state == "queued") & ((Submission.available_at.is_null()) | (Submission.available_at <= now))
    expired = (Submission.state == "running") & (Submission.lease_until < now)
    return queued | expired


async def claim_submission(
    submission_id: int | None, *, owner: str | None = None, seconds: float = LEASE_SECONDS
) -> Lease | None:
    """Take `submission_id` (or the oldest available submission when None) under a new lease.

    None when it is not available: finished, already held under a live lease, or waiting for a retry.
    """
    owner = owner or owner_label()
    now = _now()
    async with write_transaction():
        query = Submission.select(Submission.id, Submission.attempts).where(_available(now))
        if submission_id is not None:
            query = query.where(Submission.id == submission_id)
        row = await query.order_by(Submission.id).first()
        if row is None:
            return None
        attempt = row["attempts"] + 1
        taken = (
            await Submission.update(
                {
                    Submission.state: "running",
                    Submission.attempts: attempt,
                    Submission.started_at: now,
                    Submission.lease_owner: owner,
                    Submission.lease_until: now + timedelta(seconds=seconds),
                    Submission.available_at: None,
                }
            )
            .where((Submission.id == row["id"]) & (Submission.attempts == row["attempts"]) & _available(now))
            .returning(Submission.id)
        )
    # Nothing updated: another worker got there first.
    return Lease(row["id"], attempt, owner) if taken else None


async def renew(lease: Lease, seconds: float = LEASE_SECONDS, **values: Any) -> bool:
    """Extend the lease (and set `values`, e.g. the setup step) if it is still held; False when lost."""
    changes = {Submission.lease_until: _now() + timedelta(seconds=seconds)}
    changes.update({getattr(Submission, name): value for name, value in values.items()})
    rows = await Submission.update(changes).where(lease.held()).returning(Submission.id)
    return bool(rows)


async def finish(lease: Lease, values: dict) -> bool:
    """Store the verdict of this try, once: only while the lease is held. False when it was lost."""
    changes = {getattr(Submission, name): value for name, value in values.items()}
    changes.update({Submission.state: "finished", Submission.lease_owner: "", Submission.lease_until: None})
    rows = await Submission.update(changes).where(lease.held()).returning(Submission.id)
    return bool(rows)


async def retry_later(lease: Lease, delay: float, *, fault: bool = True) -> bool:
    """Give the submission back to the queue, due after `delay` seconds: a platform fault's back-off
    (counted in `faults`), or a hand-back when the worker stops (`fault=False`, not counted)."""
    changes = {
        Submission.state: "queued",
        Submission.lease_owner: "",
        Submission.lease_until: None,
        Submission.available_at: _now() + timedelta(seconds=delay),
    }
    if fault:
        changes[Submission.faults] = Submission.faults + 1
    rows = await Submission.update(changes).where(lease.held()).returning(Submission.id)
    return bool(rows)


async def release_dead_owners() -> list[int]:
    """Back to the queue: submissions held by processes of this host that no longer run (a restart).

    Leases of other hosts' processes are left alone; they expire by themselves if their owner died.
    """
    rows = await Submission.select(Submission.id, Submission.lease_owner, Submission.attempts).where(
        Submission.state == "running"
    )
    released = []
    for row in rows:
        if owner_alive(row["lease_owner"]) is not False:
            continue
        # Only if still held by that dead owner for that try: another host may have taken it since.
        lease = Lease(row["id"], row["attempts"], row["lease_owner"])
        taken = (
            await Submission.update(
                {Submission.state: "queued", Submission.lease_owner: "", Submission.lease_until: None}
            )
            .where(lease.held())
            .returning(Submission.id)
        )
        released += [r["id"] for r in taken]
    return released


def job_folder_name() -> str:
    """This process's folder under the jobs folder: its owner label as "<host>_<pid>_<start time>"."""
    return owner_label().replace(":", "_")


def leftover_job_folders(jobs_dir: Path) -> list[Path]:
    """Entries under `jobs_dir` left by this host's processes that no longer run, or by no process
    at all (an older layout); another host's folders (a shared data folder) are left alone."""
    leftovers = []
    for entry in jobs_dir.iterdir():
        parts = entry.name.rsplit("_", 2)
        owner = ":".join(parts) if len(parts) == 3 and entry.is_dir() and not entry.is_symlink() else ""
        if owner_alive(owner) is False:
            leftovers.append(entry)
    return leftovers


async def expired_leases() -> list[int]:
    """Submissions whose lease ran out (their worker died or hangs): for the scaled mode's sweeper."""
    rows = await Submission.select(Submission.id).where(
        (Submission.state == "running") & (Submission.lease_until < _now())
    )
    return [r["id"] for r in rows]


async def make_due(submission_id: int) -> None:
    """A queued submission is due now (a new one is stored queued); a running or finished one is
    left alone, so enqueueing twice, or after the verdict, grades nothing again."""
    await Submission.update({Submission.available_at: None}).where(
        (Submission.id == submission_id) & (Submission.state == "queued")
    )


class GradingQueue(Protocol):
    """Where submissions wait for a worker."""

    async def enqueue(self, submission_id: int) -> None: ...

    async def enqueue_retry(self, submission_id: int, delay: float) -> None: ...


class DatabaseQueue:
    """Embedded mode: queued rows are the queue; an in-process event wakes idle workers at once."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    async def enqueue(self, submission_id: int) -> None:
        await make_due(submission_id)
        self._wake.set()

    async def enqueue_retry(self, submission_id: int, delay: float) -> None:
        """The row is already queued and due after `delay`: wake a worker then."""
        asyncio.get_running_loop().call_later(delay, self._wake.set)

    async def claim(self) -> Lease | None:
        """The oldest available submission, under a lease held by this process."""
        return await claim_submission(None)

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass
        self._wake.clear()
