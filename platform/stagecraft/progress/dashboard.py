"""A signed-in learner's home: where they stand, what to do next, recent results, attempts over time."""

from __future__ import annotations

from datetime import datetime

import msgspec
from markupsafe import Markup

from stagecraft.curriculum.models import Curriculum, Exercise
from stagecraft.grading.verdicts import counts_as_attempt
from stagecraft.progress.chart import attempts_chart
from stagecraft.progress.services import ExerciseProgress

RECENT = 5
CHARTED = 30


class NextStep(msgspec.Struct, kw_only=True):
    exercise: Exercise
    why: str  # "start here", "keep going: best 6 / 10", "a mentor is reviewing it"


class _Attempt(msgspec.Struct, kw_only=True):
    """An attempt as the dashboard shows it."""

    id: int
    exercise: str
    state: str
    verdict: str
    polished: bool
    score: float
    max_score: float
    created_at: datetime
    finished_at: datetime | None


class Dashboard(msgspec.Struct, kw_only=True):
    next_step: NextStep | None
    rows: list[tuple[Exercise, ExerciseProgress, str]]  # exercises tried, with their state in words
    recent: list[_Attempt]
    chart: Markup


def state_words(entry: ExerciseProgress) -> str:
    if entry.passed:
        return "polished" if entry.polished else "passed"
    if entry.awaiting_review:
        return "awaiting review"
    if entry.changes_requested:
        return "changes requested"
    return "in progress"


def next_step(curriculum: Curriculum, progress: dict[str, ExerciseProgress]) -> NextStep | None:
    """The first exercise in curriculum order that is not done: the one begun first, else the next new one."""
    for exercise in curriculum.exercises():
        entry = progress.get(exercise.slug)
        if entry is None:
            why = "start here" if not progress else "next in the path"
            return NextStep(exercise=exercise, why=why)
        if entry.passed:
            continue
        if entry.awaiting_review:
            continue  # nothing to do but wait: look further
        if entry.changes_requested:
            return NextStep(exercise=exercise, why="a mentor asked for changes")
        return NextStep(exercise=exercise, why=f"keep going: best {entry.best_score:g} / {entry.max_score:g}")
    return None


def dashboard(curriculum: Curriculum, progress: dict[str, ExerciseProgress], attempts: list[dict]) -> Dashboard:
    """From the learner's progress and their attempts (newest first): the latest shown, the
    finished ones charted."""
    latest = attempts[: CHARTED + RECENT]
    recent = [_Attempt(**row) for row in latest[:RECENT]]
    graded = [_Attempt(**row) for row in latest if row["state"] == "finished"][:CHARTED]
    titles = {e.slug: e.title for e in curriculum.exercises()}
    points = [
        (s.finished_at or s.created_at, 100 * s.score / s.max_score if s.max_score else 0.0, s.verdict == "passed",
         titles.get(s.exercise, s.exercise))
        for s in reversed(graded)
        if counts_as_attempt(s.verdict)
    ]  # fmt: skip
    rows = [(e, progress[e.slug], state_words(progress[e.slug])) for e in curriculum.exercises() if e.slug in progress]
    return Dashboard(next_step=next_step(curriculum, progress), rows=rows, recent=recent, chart=attempts_chart(points))
