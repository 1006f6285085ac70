"""`stagecraft curriculum preview`: the curriculum served from the author's working folder, as learners see it.

Pages reload when a file of the curriculum or of a grader suite changes (a small script asks
`/preview/version` every second), and an exercise's page has a button that grades its reference
solutions, accepted and broken variants in real sandboxes and shows each result as learners see
it. The preview is a local tool: it listens on 127.0.0.1 and needs no account.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from stagecraft.authoring.selftest import Accepted, Expected, judge, projects_of
from stagecraft.curriculum.loader import Problem, check_curriculum
from stagecraft.curriculum.models import Exercise
from stagecraft.curriculum.patches import PatchError, project_folder
from stagecraft.grading.events import TestEnd
from stagecraft.grading.local import grade_directory
from stagecraft.grading.pipeline import dependency_settings
from stagecraft.settings import Settings
from stagecraft.submissions.archive import ArchiveError
from stagecraft.web.auth import Viewer
from stagecraft.web.rendering import page

_SKIP = {"__pycache__", "node_modules", ".venv", ".git", ".pytest_cache", ".ruff_cache"}
CHECK_EVERY = 0.5  # seconds between two looks at the files, however many requests come


class CurriculumWatcher:
    """Reloads the curriculum into the app's state when a file changes; keeps the last good one on problems."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.version = 0
        self.problems: list[Problem] = []
        self._fingerprint = self.fingerprint()
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for root in (self.settings.curriculum_dir, self.settings.graders_dir):
            for path in sorted(root.rglob("*")):
                if _SKIP.isdisjoint(path.relative_to(root).parts) and path.is_file():
                    stat = path.stat()
                    digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
        return digest.hexdigest()

    def refresh(self, state) -> None:
        with self._lock:
            if time.monotonic() - self._checked < CHECK_EVERY:
                return
            self._checked = time.monotonic()
            fingerprint = self.fingerprint()
            if fingerprint == self._fingerprint:
                return
            self._fingerprint = fingerprint
            self.version += 1
            curriculum, problems = check_curriculum(self.settings.curriculum_dir, self.settings.graders_dir)
            self.problems = problems
            if not problems:
                state.curriculum = curriculum


class ProjectResult(msgspec.Struct, kw_only=True):
    project: str  # "solutions/python", "accepted/fastapi", "broken/no-404"
    expected: str
    state: str = "waiting"  # waiting | running | done
    verdict: str = ""
    ok: bool | None = None
    note: str = ""
    message: str = ""
    tests: list[TestEnd] = []


class PreviewGrading(msgspec.Struct, kw_only=True):
    exercise: str
    results: list[ProjectResult]

    @property
    def done(self) -> bool:
        return all(r.state == "done" for r in self.results)


def _expected_text(must_fail: Expected) -> str:
    if must_fail is None:
        return "pass"
    if isinstance(must_fail, Accepted):
        return "pass" + (f" (misses craft: {', '.join(must_fail.craft_fails)})" if must_fail.craft_fails else "")
    return "start, then fail" if must_fail == ["*"] else f"fail: {', '.join(must_fail)}"


def grade_exercise(settings: Settings, exercise: Exercise, grading: PreviewGrading) -> None:
    """Grade every project of the exercise one after another, filling `grading` in as results come."""
    deps = dependency_settings(settings)
    for (project, must_fail), result in zip(projects_of(exercise, starters=False), grading.results, strict=True):
        result.state = "running"
        try:
            with project_folder(project) as folder:
                outcome = grade_directory(exercise, folder, settings.jobs_dir, deps=deps)
        except (ArchiveError, PatchError) as exc:
            result.verdict, result.ok, result.note, result.state = "invalid", False, str(exc), "done"
            continue
        failed = sorted(t.id for t in outcome.tests if t.status not in ("passed", "skipped"))
        result.ok, result.note = judge(outcome.verdict, failed, must_fail)
        result.verdict, result.message, result.tests = outcome.verdict, outcome.message, outcome.tests
        result.state = "done"


class PreviewController(Controller):
    path = "/preview"

    @get("/version", sync_to_thread=False)
    def version(self, request: Request) -> dict:
        watcher: CurriculumWatcher = request.app.state.watcher
        return {"version": watcher.version, "problems": [str(p) for p in watcher.problems]}

    @post("/exercises/{slug:str}/grade")
    async def grade(self, request: Request, slug: FromPath[str]) -> Redirect:
        state = request.app.state
        exercise = state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        running = state.gradings.get(slug)
        if running is None or running.done:
            grading = PreviewGrading(
                exercise=slug,
                results=[
                    ProjectResult(project=str(p.relative_to(exercise.path)), expected=_expected_text(m))
                    for p, m in projects_of(exercise, starters=False)
                ],
            )
            state.gradings[slug] = grading
            task = asyncio.create_task(asyncio.to_thread(grade_exercise, state.settings, exercise, grading))
            state.preview_tasks.add(task)
            task.add_done_callback(state.preview_tasks.discard)
        return Redirect(path=f"/preview/exercises/{slug}/grade")

    @get("/exercises/{slug:str}/grade")
    async def results(self, request: Request, viewer: Viewer, slug: FromPath[str]) -> Template:
        state = request.app.state
        exercise = state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        return page("preview_grading.html", viewer=viewer, exercise=exercise, grading=state.gradings.get(slug))


def preview_target(settings: Settings, target: str | None) -> str:
    """The path to open for STAGE (a number) or EXERCISE (a slug); ValueError naming what exists."""
    if not target:
        return "/"
    curriculum, _ = check_curriculum(settings.curriculum_dir, settings.graders_dir)
    if target.isdigit() and curriculum.stage(int(target)):
        return f"/stages/{int(target)}"
    if curriculum.exercise(target):
        return f"/exercises/{target}"
    stages = ", ".join(str(s.number) for s in curriculum.stages)
    raise ValueError(f"no stage or exercise {target!r} in {settings.curriculum_dir} (stages: {stages})")
