"""While an attempt waits: its place in the queue and a fair guess of the wait, from recent gradings."""

from __future__ import annotations

import statistics

import msgspec

from stagecraft.submissions.tables import Submission

RECENT = 20  # gradings the guess is made from


class QueuePlace(msgspec.Struct, frozen=True, kw_only=True):
    position: int  # 1: next to be graded
    wait_seconds: float | None  # None: no grading finished yet to guess from

    @property
    def words(self) -> str:
        place = "next in line" if self.position == 1 else f"number {self.position} in the queue"
        if self.wait_seconds is None:
            return place
        minutes = self.wait_seconds / 60
        return (
            f"{place}; expected wait about {max(1, round(minutes))} min"
            if minutes >= 1
            else f"{place}; expected wait under a minute"
        )


async def queue_position(submission: Submission) -> QueuePlace:
    ahead = await Submission.count().where((Submission.state == "queued") & (Submission.id < submission.id))
    recent = (
        await Submission.select(Submission.started_at, Submission.finished_at)
        .where(
            (Submission.state == "finished")
            & Submission.started_at.is_not_null()
            & Submission.finished_at.is_not_null()
        )
        .order_by(Submission.id, ascending=False)
        .limit(RECENT)
    )
    durations = [(r["finished_at"] - r["started_at"]).total_seconds() for r in recent]
    running = await Submission.count().where(Submission.state == "running")
    if not durations:
        return QueuePlace(position=ahead + 1, wait_seconds=None)
    # Those ahead, and those being graded now, each take about the median grading time.
    return QueuePlace(position=ahead + 1, wait_seconds=(ahead + min(running, 1)) * statistics.median(durations))
