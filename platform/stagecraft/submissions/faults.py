"""Platform faults for authors and operators: submissions that ended in infra_error, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from stagecraft.submissions.tables import GradedTest, Submission

_DETAIL_CHARS = 300


class Fault(msgspec.Struct, frozen=True, kw_only=True):
    submission_id: int
    exercise: str
    finished_at: datetime | None
    attempts: int
    errored_tests: list[tuple[str, str]]  # (test id, the SDK's message) of tests the suite broke on
    detail: str  # the first line of the operator detail, cut short


async def recent_faults(days: int, *, now: datetime | None = None) -> list[Fault]:
    """Submissions finished as infra_error in the last ``days`` days, newest first."""
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    rows = (
        await Submission.select(
            Submission.id, Submission.exercise, Submission.finished_at, Submission.attempts, Submission.operator_detail
        )
        .where((Submission.verdict == "infra_error") & (Submission.finished_at >= since))
        .order_by(Submission.finished_at, ascending=False)
    )
    ids = [row["id"] for row in rows]
    errored: dict[int, list[tuple[str, str]]] = {}
    if ids:
        tests = (
            await GradedTest.select(GradedTest.submission, GradedTest.test_id, GradedTest.message)
            .where(GradedTest.submission.is_in(ids) & (GradedTest.status == "error"))
            .order_by(GradedTest.position)
        )
        for test in tests:
            errored.setdefault(test["submission"], []).append((test["test_id"], test["message"]))
    return [
        Fault(
            submission_id=row["id"],
            exercise=row["exercise"],
            finished_at=row["finished_at"],
            attempts=row["attempts"],
            errored_tests=errored.get(row["id"], []),
            detail=(row["operator_detail"] or "").strip().splitlines()[0][:_DETAIL_CHARS]
            if (row["operator_detail"] or "").strip()
            else "",
        )
        for row in rows
    ]
