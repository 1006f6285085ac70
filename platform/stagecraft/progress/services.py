"""A learner's progress, derived from their submissions (nothing stored twice)."""

from __future__ import annotations

import msgspec

from stagecraft.curriculum.models import Curriculum, Stage
from stagecraft.grading.verdicts import counts_as_attempt
from stagecraft.reviews.tables import ReviewRequest
from stagecraft.submissions.tables import Submission


class ExerciseProgress(msgspec.Struct, kw_only=True):
    attempts: int = 0
    best_score: float = 0.0
    max_score: float = 0.0
    passed: bool = False  # done: the spec tests passed (and, for a review-required exercise, a mentor approved)
    polished: bool = False  # a passing submission passed every craft test too
    awaiting_review: bool = False  # review-required, spec tests passed, no approval yet
    changes_requested: bool = False  # review-required, the latest review asked for changes


class StageProgress(msgspec.Struct, kw_only=True):
    passed: int
    total: int
    polished: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0


async def exercise_progress(user_id: int, review_required: frozenset[str] = frozenset()) -> dict[str, ExerciseProgress]:
    """Per exercise slug; an exercise in `review_required` is done only once a mentor approved an attempt."""
    query = Submission.select(
        Submission.exercise, Submission.verdict, Submission.polished, Submission.score, Submission.max_score
    ).where((Submission.user == user_id) & (Submission.state == "finished"))
    return await progress_of_rows(user_id, await query, review_required)


def review_required(curriculum) -> frozenset[str]:
    """The exercises a mentor must approve (a capstone) before they count as passed."""
    return frozenset(e.slug for e in curriculum.exercises() if e.manifest.review)


async def progress_of_rows(
    user_id: int, rows: list[dict], review_required: frozenset[str] = frozenset()
) -> dict[str, ExerciseProgress]:
    """`exercise_progress` from submission rows already read (exercise, state, verdict, polished,
    score, max_score): a page that reads a learner's attempts anyway need not read them twice."""
    progress: dict[str, ExerciseProgress] = {}
    for row in rows:
        if row.get("state", "finished") != "finished" or not counts_as_attempt(row["verdict"]):
            continue
        entry = progress.setdefault(row["exercise"], ExerciseProgress())
        entry.attempts += 1
        if row["score"] >= entry.best_score:
            entry.best_score, entry.max_score = row["score"], row["max_score"]
        entry.passed = entry.passed or row["verdict"] == "passed"
        entry.polished = entry.polished or (row["verdict"] == "passed" and bool(row["polished"]))
    if review_required & set(progress):
        await _apply_reviews(user_id, {slug: progress[slug] for slug in review_required & set(progress)})
    return progress


async def _apply_reviews(user_id: int, entries: dict[str, ExerciseProgress]) -> None:
    """Review-required exercises: passed means approved; meanwhile awaiting review or changes requested."""
    reviews = (
        await ReviewRequest.select(ReviewRequest.exercise, ReviewRequest.state)
        .where((ReviewRequest.learner == user_id) & ReviewRequest.exercise.is_in(list(entries)))
        .order_by(ReviewRequest.id)
    )
    latest: dict[str, str] = {}
    approved: set[str] = set()
    for row in reviews:
        latest[row["exercise"]] = row["state"]
        if row["state"] == "approved":
            approved.add(row["exercise"])
    for slug, entry in entries.items():
        tests_passed = entry.passed
        entry.passed = slug in approved
        entry.polished = entry.polished and entry.passed
        entry.awaiting_review = tests_passed and not entry.passed and latest.get(slug) in ("open", "claimed")
        entry.changes_requested = not entry.passed and latest.get(slug) == "changes_requested"


def stage_progress(stage: Stage, progress: dict[str, ExerciseProgress]) -> StageProgress:
    mine = [progress[e.slug] for e in stage.exercises if e.slug in progress]
    passed = sum(1 for entry in mine if entry.passed)
    polished = sum(1 for entry in mine if entry.polished)
    return StageProgress(passed=passed, total=len(stage.exercises), polished=polished)


def curriculum_progress(curriculum: Curriculum, progress: dict[str, ExerciseProgress]) -> dict[int, StageProgress]:
    return {stage.number: stage_progress(stage, progress) for stage in curriculum.stages}
