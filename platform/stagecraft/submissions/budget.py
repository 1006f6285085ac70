"""The submission budget: a token bucket per learner and exercise, computed from their attempts.

A learner starts with `attempts` tokens; each attempt spends one, and one comes back every
`refill_minutes`, up to `attempts`. Nothing is stored: the bucket is replayed from the attempts'
times, so an attempt that ended in a platform fault (`infra_error`) is simply not counted and
never costs the learner anything.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import msgspec

from stagecraft.grading.verdicts import counts_as_attempt
from stagecraft.submissions.tables import Submission


class BudgetRule(msgspec.Struct, frozen=True, kw_only=True):
    attempts: int  # the bucket's size
    refill_minutes: float  # one attempt comes back after this long


def rule_for(settings, exercise) -> BudgetRule:
    """The exercise's own budget where its manifest sets one, else the platform's."""
    own = exercise.manifest.budget
    return BudgetRule(
        attempts=own.attempts if own.attempts is not None else settings.budget_attempts,
        refill_minutes=own.refill_minutes if own.refill_minutes is not None else settings.budget_refill_minutes,
    )


class Budget(msgspec.Struct, frozen=True, kw_only=True):
    left: int
    of: int
    next_in_seconds: float | None  # when the next attempt comes back (None: the bucket is full)

    @property
    def words(self) -> str:
        """ "7 left", "7 left, next in 4 min", "none left: the next in 4 min"."""
        wait = f"{math.ceil(self.next_in_seconds / 60)} min" if self.next_in_seconds is not None else ""
        if self.left <= 0:
            return f"no attempts left: the next comes back in {wait}"
        return f"{self.left} of {self.of} attempts left" + (f", the next comes back in {wait}" if wait else "")


class BudgetSpent(Exception):
    def __init__(self, budget: Budget):
        super().__init__(f"You have used your attempts at this exercise for now: {budget.words}.")
        self.budget = budget


def replay(times: list[datetime], rule: BudgetRule, now: datetime) -> Budget:
    """The bucket after these attempts (in time order), at `now`."""
    refill = timedelta(minutes=rule.refill_minutes)
    tokens, last = float(rule.attempts), None
    for moment in times:
        if last is not None:
            tokens = min(float(rule.attempts), tokens + (moment - last) / refill)
        tokens -= 1
        last = moment
    if last is not None:
        tokens = min(float(rule.attempts), tokens + (now - last) / refill)
    full = tokens >= rule.attempts
    # The next whole attempt: the first one when none is left, else the one after those in hand.
    target = max(1, math.floor(tokens) + 1)
    next_in = None if full else (target - tokens) * refill
    return Budget(
        left=max(0, math.floor(tokens)),
        of=rule.attempts,
        next_in_seconds=None if next_in is None else next_in.total_seconds(),
    )


async def budget_of(user_id: int, exercise: str, rule: BudgetRule, *, now: datetime | None = None) -> Budget:
    rows = await Submission.select(Submission.created_at, Submission.verdict, Submission.state).where(
        (Submission.user == user_id) & (Submission.exercise == exercise)
    )
    return replay(counted_times(rows), rule, now or datetime.now(UTC))


def counted_times(rows: list[dict]) -> list[datetime]:
    """When the attempts that spend the budget were made, in order: waiting and running attempts
    count, platform faults do not."""
    return sorted(_aware(r["created_at"]) for r in rows if r["state"] != "finished" or counts_as_attempt(r["verdict"]))


async def spend(user_id: int, exercise: str, rule: BudgetRule) -> None:
    """Refuse an attempt past the budget (BudgetSpent says when the next one comes back)."""
    budget = await budget_of(user_id, exercise, rule)
    if budget.left < 1:
        raise BudgetSpent(budget)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
