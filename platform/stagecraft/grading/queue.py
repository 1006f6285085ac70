"""The grading queue seam. Embedded mode: the submissions table is the durable queue.

A later backend (SAQ) implements the same three calls; the worker does not care which it gets.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol

from stagecraft.db import write_transaction
from stagecraft.submissions.tables import Submission


class GradingQueue(Protocol):
    async def enqueue(self, submission_id: int) -> None: ...

    async def claim(self) -> int | None: ...

    async def wait(self, timeout: float) -> None: ...


class DatabaseQueue:
    """Queued rows are the queue; an in-process event wakes idle workers at once."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    async def enqueue(self, submission_id: int) -> None:
        await Submission.update({Submission.state: "queued"}).where(Submission.id == submission_id)
        self._wake.set()

    async def claim(self) -> int | None:
        """Take the oldest queued submission and mark it running; None when there is none."""
        async with write_transaction():
            row = (
                await Submission.select(Submission.id, Submission.attempts)
                .where(Submission.state == "queued")
                .order_by(Submission.id)
                .first()
            )
            if row is None:
                return None
            claimed = (
                await Submission.update(
                    {
                        Submission.state: "running",
                        Submission.attempts: row["attempts"] + 1,
                        Submission.started_at: datetime.now(UTC),
                    }
                )
                .where((Submission.id == row["id"]) & (Submission.state == "queued"))
                .returning(Submission.id)
            )
        # Nothing got updated: another worker got there first.
        return row["id"] if claimed else None

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass
        self._wake.clear()


async def requeue_interrupted() -> int:
    """At start-up: jobs left running by a stopped process go back to the queue (grading is idempotent)."""
    rows = (
        await Submission.update({Submission.state: "queued"})
        .where(Submission.state == "running")
        .returning(Submission.id)
    )
    return len(rows)
