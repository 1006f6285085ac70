"""A learner's progress, derived from their submissions (nothing stored twice)."""

from __future__ import annotations

import msgspec

from stagecraft.curriculum.models import Curriculum, Stage
from stagecraft.grading.verdicts import counts_as_attempt
from stagecraft.submissions.tables import Submission


class ExerciseProgress(msgspec.Struct, kw_only=True):
    attempts: int = 0
    best_score: float = 0.0
    max_score: float = 0.0
    passed: bool = False
    polished: bool = False  # a passing submission passed every craft test too


class StageProgress(msgspec.Struct, kw_only=True):
    passed: int
    total: int
    polished: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0


async def exercise_progress(user_id: int) -> dict[str, ExerciseProgress]:
    rows = await Submission.select(
        Submission.exercise, Submission.verdict, Submission.polished, Submission.score, Submission.max_score
    ).where((Submission.user == user_id) & (Submission.state == "finished"))
    progress: dict[str, ExerciseProgress] = {}
    for row in rows:
        if not counts_as_attempt(row["verdict"]):
            continue
        entry = progress.setdefault(row["exercise"], ExerciseProgress())
        entry.attempts += 1
        if row["score"] >= entry.best_score:
            entry.best_score, entry.max_score = row["score"], row["max_score"]
        entry.passed = entry.passed or row["verdict"] == "passed"
        entry.polished = entry.polished or (row["verdict"] == "passed" and bool(row["polished"]))
    return progress


def stage_progress(stage: Stage, progress: dict[str, ExerciseProgress]) -> StageProgress:
    mine = [progress[e.slug] for e in stage.exercises if e.slug in progress]
    passed = sum(1 for entry in mine if entry.passed)
    polished = sum(1 for entry in mine if entry.polished)
    return StageProgress(passed=passed, total=len(stage.exercises), polished=polished)


def curriculum_progress(curriculum: Curriculum, progress: dict[str, ExerciseProgress]) -> dict[int, StageProgress]:
    return {stage.number: stage_progress(stage, progress) for stage in curriculum.stages}
