"""Prove an exercise's grader right: solutions and accepted variants pass, broken variants fail what they name."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msgspec

from stagecraft.curriculum.loader import read_toml
from stagecraft.curriculum.models import AcceptedManifest, BrokenManifest, Exercise
from stagecraft.curriculum.patches import PatchError, project_folder
from stagecraft.grading.local import grade_directory
from stagecraft.sandbox.dependencies import DependencySettings
from stagecraft.submissions.archive import ArchiveError


class SelftestRow(msgspec.Struct, kw_only=True):
    exercise: str
    project: str  # "solutions/python", "broken/no-404"
    expected: str  # "pass" or "fail: a, b"
    run: int
    verdict: str
    failed_tests: list[str]
    ok: bool
    note: str = ""


STARTER = ["*"]  # a starter must grade and fail, whichever tests it fails


class Accepted(msgspec.Struct, frozen=True):
    """An accepted variant must pass; it may fail exactly the craft tests it leaves out on purpose."""

    craft_fails: list[str]


Expected = list[str] | Accepted | None


def projects_of(exercise: Exercise, *, starters: bool = True) -> Iterator[tuple[Path, Expected]]:
    """Each project to try, with what it must do (None: pass everything; a list: fail exactly those tests)."""
    for solution in exercise.solutions():
        yield solution, None
    for variant in exercise.accepted_variants():
        yield variant, Accepted(sorted(read_toml(variant / "accepted.toml", AcceptedManifest).craft_fails))
    for variant in exercise.broken_variants():
        yield variant, sorted(read_toml(variant / "broken.toml", BrokenManifest).fails)
    if starters:
        for runtime in exercise.starters():
            yield exercise.path / "starter" / runtime, STARTER


def judge(verdict: str, failed: list[str], must_fail: Expected) -> tuple[bool, str]:
    """Whether a grading matches what the project promises (None: pass; STARTER: start, then fail), and why not."""
    if must_fail is None:  # a solution passes every test, craft tests too
        ok = verdict == "passed" and not failed
        return ok, "" if ok else f"should pass; failed {', '.join(failed) or '-'}"
    if isinstance(must_fail, Accepted):  # a correct solution made another way: passes, misses only its craft
        shown = ", ".join(failed) or ("-" if verdict != "passed" else "none")
        if verdict != "passed":
            return False, f"an accepted variant should pass; the verdict was {verdict}, failed {shown}"
        if failed != must_fail.craft_fails:
            named = ", ".join(must_fail.craft_fails) or "none"
            return False, f"passed, but failed the craft tests {shown}; accepted.toml names {named}"
        return True, ""
    if must_fail == STARTER:
        ok = verdict in ("failed", "crashed")
        return ok, "" if ok else f"a starter should start and fail its tests; the verdict was {verdict}"
    # "crashed": the app died mid-run (a realistic mistake too); the tests it failed still must match.
    # "passed" with failures: every test it failed is a craft test, which never fails a run.
    if verdict not in ("failed", "crashed") and not (verdict == "passed" and failed):
        return False, f"should fail the named tests; the verdict was {verdict}"
    if failed != must_fail:
        return False, f"failed {', '.join(failed) or 'nothing'}; broken.toml names {', '.join(must_fail)}"
    return True, ""


class _Task(msgspec.Struct, frozen=True):
    exercise: Exercise
    project: Path
    must_fail: Expected
    run: int


def selftest(
    exercises: list[Exercise], work_dir: Path, runs: int = 1, jobs: int = 1, deps: DependencySettings | None = None
) -> Iterator[SelftestRow]:
    """Grade every project of every exercise ``runs`` times, ``jobs`` gradings at once.

    Rows come in a fixed order (exercise, project, run) whatever finishes first, each as soon as
    it and every row before it are done.
    """
    tasks = [
        _Task(exercise=exercise, project=project, must_fail=must_fail, run=run)
        for exercise in exercises
        for project, must_fail in projects_of(exercise)
        for run in range(1, runs + 1)
    ]
    if jobs <= 1:
        yield from (_grade(task, work_dir, deps) for task in tasks)
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="selftest") as pool:
        yield from pool.map(lambda task: _grade(task, work_dir, deps), tasks)


def _grade(task: _Task, work_dir: Path, deps: DependencySettings | None) -> SelftestRow:
    must_fail = task.must_fail
    if must_fail is None:
        expected = "pass"
    elif isinstance(must_fail, Accepted):
        expected = "pass" + (f" (craft misses: {', '.join(must_fail.craft_fails)})" if must_fail.craft_fails else "")
    elif must_fail == STARTER:
        expected = "start, then fail"
    else:
        expected = f"fail: {', '.join(must_fail)}"
    row = SelftestRow(
        exercise=task.exercise.slug,
        project=str(task.project.relative_to(task.exercise.path)),
        expected=expected,
        run=task.run,
        verdict="invalid",
        failed_tests=[],
        ok=False,
    )
    try:
        with project_folder(task.project) as folder:
            outcome = grade_directory(task.exercise, folder, work_dir, deps=deps)
    except (ArchiveError, PatchError) as exc:
        return msgspec.structs.replace(row, note=str(exc))
    failed = sorted(t.id for t in outcome.tests if t.status not in ("passed", "skipped"))
    ok, note = judge(outcome.verdict, failed, must_fail)
    return msgspec.structs.replace(row, verdict=outcome.verdict, failed_tests=failed, ok=ok, note=note)
