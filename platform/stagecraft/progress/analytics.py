"""Where learners struggle: figures for authors (per exercise and test) and mentors (who is stuck, who reviewed)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import msgspec

from stagecraft.grading.verdicts import counts_as_attempt
from stagecraft.reviews.tables import ReviewRequest
from stagecraft.submissions.tables import GradedTest, Submission

COMMON_MESSAGES = 5
STUCK_ATTEMPTS = 3  # failed attempts of one exercise...
STUCK_DAYS = 2  # ...and no pass for this long: the learner may need a hand


class TestFigures(msgspec.Struct, kw_only=True):
    __test__ = False  # not a pytest test class, despite the name

    test_id: str
    title: str
    tier: str
    runs: int
    passed: int
    fails_first: int  # attempts where this was the first test to fail
    last_standing: int  # attempts where this was the only failing test
    messages: list[tuple[str, int]]  # the most common failure messages, with counts

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0


class ExerciseFigures(msgspec.Struct, kw_only=True):
    slug: str
    attempts: int  # graded attempts (platform faults left out)
    learners: int
    passed_learners: int
    median_attempts_to_pass: float | None
    faults: int  # attempts that ended in a platform fault
    tests: list[TestFigures]

    @property
    def pass_rate(self) -> float:
        return self.passed_learners / self.learners if self.learners else 0.0


async def exercise_figures(slug: str) -> ExerciseFigures:
    rows = (
        await Submission.select(Submission.id, Submission.user, Submission.verdict)
        .where((Submission.exercise == slug) & (Submission.state == "finished"))
        .order_by(Submission.id)
    )
    graded = [row for row in rows if counts_as_attempt(row["verdict"])]
    faults = len(rows) - len(graded)
    per_learner: dict[int, list[str]] = defaultdict(list)
    for row in graded:
        per_learner[row["user"]].append(row["verdict"])
    to_pass = [verdicts.index("passed") + 1 for verdicts in per_learner.values() if "passed" in verdicts]
    ids = [row["id"] for row in graded]
    tests = await _test_figures(ids) if ids else []
    return ExerciseFigures(
        slug=slug,
        attempts=len(graded),
        learners=len(per_learner),
        passed_learners=len(to_pass),
        median_attempts_to_pass=statistics.median(to_pass) if to_pass else None,
        faults=faults,
        tests=tests,
    )


async def _test_figures(submission_ids: list[int]) -> list[TestFigures]:
    results = (
        await GradedTest.select(
            GradedTest.submission,
            GradedTest.position,
            GradedTest.test_id,
            GradedTest.title,
            GradedTest.tier,
            GradedTest.status,
            GradedTest.message,
        )
        .where(GradedTest.submission.is_in(submission_ids))
        .order_by(GradedTest.submission)
        .order_by(GradedTest.position)
    )
    by_attempt: dict[int, list[dict]] = defaultdict(list)
    for result in results:
        by_attempt[result["submission"]].append(result)
    figures: dict[str, TestFigures] = {}
    messages: dict[str, Counter] = defaultdict(Counter)
    for attempt in by_attempt.values():
        failing = [r for r in attempt if r["status"] == "failed"]
        for result in attempt:
            if result["status"] == "skipped":
                continue
            entry = figures.setdefault(
                result["test_id"],
                TestFigures(
                    test_id=result["test_id"], title=result["title"], tier=result["tier"], runs=0, passed=0,
                    fails_first=0, last_standing=0, messages=[],
                ),
            )  # fmt: skip
            entry.runs += 1
            entry.passed += result["status"] == "passed"
            if result["status"] == "failed" and result["message"]:
                messages[result["test_id"]][result["message"].strip()[:200]] += 1
        if failing:
            figures[failing[0]["test_id"]].fails_first += 1
        if len(failing) == 1:
            figures[failing[0]["test_id"]].last_standing += 1
    for test_id, entry in figures.items():
        entry.messages = messages[test_id].most_common(COMMON_MESSAGES)
    return sorted(figures.values(), key=lambda f: (f.pass_rate, f.test_id))


class StuckLearner(msgspec.Struct, kw_only=True):
    email: str
    exercise: str
    failed_attempts: int
    last_attempt: datetime


class MentorFigures(msgspec.Struct, kw_only=True):
    email: str
    reviews: int
    approved: int


async def stuck_learners(*, now: datetime | None = None) -> list[StuckLearner]:
    """Learners with several failed attempts of an exercise and no pass of it for days."""
    moment = now or datetime.now(UTC)
    rows = await Submission.select(
        Submission.user.email, Submission.exercise, Submission.verdict, Submission.created_at
    ).where(Submission.state == "finished")
    failed: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    passed: set[tuple[str, str]] = set()
    for row in rows:
        key = (row["user.email"], row["exercise"])
        if row["verdict"] == "passed":
            passed.add(key)
        elif counts_as_attempt(row["verdict"]):
            failed[key].append(_aware(row["created_at"]))
    stuck = []
    for key, moments in failed.items():
        first = min(moments)
        if key not in passed and len(moments) >= STUCK_ATTEMPTS and moment - first >= timedelta(days=STUCK_DAYS):
            stuck.append(
                StuckLearner(email=key[0], exercise=key[1], failed_attempts=len(moments), last_attempt=max(moments))
            )
    return sorted(stuck, key=lambda s: (-s.failed_attempts, s.email))


async def pass_rates() -> dict[str, tuple[int, int]]:
    """Per exercise: (learners who passed it, learners who tried it)."""
    rows = await Submission.select(Submission.user, Submission.exercise, Submission.verdict).where(
        Submission.state == "finished"
    )
    tried: dict[str, set[int]] = defaultdict(set)
    won: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if counts_as_attempt(row["verdict"]):
            tried[row["exercise"]].add(row["user"])
            if row["verdict"] == "passed":
                won[row["exercise"]].add(row["user"])
    return {slug: (len(won[slug]), len(users)) for slug, users in sorted(tried.items())}


async def mentor_figures() -> list[MentorFigures]:
    rows = await ReviewRequest.select(ReviewRequest.mentor.email, ReviewRequest.state).where(
        ReviewRequest.state.is_in(["approved", "changes_requested"])
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        email = row["mentor.email"] or "(a removed account)"
        counts[email][0] += 1
        counts[email][1] += row["state"] == "approved"
    return [MentorFigures(email=e, reviews=c[0], approved=c[1]) for e, c in sorted(counts.items())]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
