"""Prove an exercise's grader right: its solutions pass, its broken variants fail what they name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec

from stagecraft.curriculum.loader import read_toml
from stagecraft.curriculum.models import BrokenManifest, Exercise
from stagecraft.grading.local import grade_directory
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


def _projects(exercise: Exercise) -> Iterator[tuple[Path, list[str] | None]]:
    """Each project to try, with the tests it must fail (None: it must pass)."""
    for solution in exercise.solutions():
        yield solution, None
    for variant in exercise.broken_variants():
        yield variant, sorted(read_toml(variant / "broken.toml", BrokenManifest).fails)
    for runtime in exercise.starters():
        yield exercise.path / "starter" / runtime, STARTER


def _judge(verdict: str, failed: list[str], must_fail: list[str] | None) -> tuple[bool, str]:
    if must_fail is None:
        return verdict == "passed", "" if verdict == "passed" else f"should pass; failed {', '.join(failed) or '-'}"
    if must_fail == STARTER:
        ok = verdict in ("failed", "crashed")
        return ok, "" if ok else f"a starter should start and fail its tests; the verdict was {verdict}"
    if verdict != "failed":
        return False, f"should fail the named tests; the verdict was {verdict}"
    if failed != must_fail:
        return False, f"failed {', '.join(failed) or 'nothing'}; broken.toml names {', '.join(must_fail)}"
    return True, ""


def selftest_exercise(exercise: Exercise, work_dir: Path, runs: int = 1) -> Iterator[SelftestRow]:
    for project, must_fail in _projects(exercise):
        label = str(project.relative_to(exercise.path))
        expected = (
            "pass"
            if must_fail is None
            else "start, then fail"
            if must_fail == STARTER
            else f"fail: {', '.join(must_fail)}"
        )
        for run in range(1, runs + 1):
            try:
                outcome = grade_directory(exercise, project, work_dir)
            except ArchiveError as exc:
                yield SelftestRow(
                    exercise=exercise.slug,
                    project=label,
                    expected=expected,
                    run=run,
                    verdict="invalid",
                    failed_tests=[],
                    ok=False,
                    note=str(exc),
                )
                break
            failed = sorted(t.id for t in outcome.tests if t.status not in ("passed", "skipped"))
            ok, note = _judge(outcome.verdict, failed, must_fail)
            yield SelftestRow(
                exercise=exercise.slug,
                project=label,
                expected=expected,
                run=run,
                verdict=outcome.verdict,
                failed_tests=failed,
                ok=ok,
                note=note,
            )
