"""Browse the curriculum: the stages, a stage's lesson, an exercise's brief."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup

from stagecraft.curriculum.packaging import zip_folder
from stagecraft.progress.dashboard import Dashboard, dashboard
from stagecraft.progress.services import (
    ExerciseProgress,
    curriculum_progress,
    exercise_progress,
    progress_of_rows,
    review_required,
)
from stagecraft.submissions.budget import counted_times, replay, rule_for
from stagecraft.submissions.services import attempt_lines
from stagecraft.web.auth import Viewer
from stagecraft.web.rendering import page, render_fragment


async def _progress_of(request: Request, viewer: Viewer) -> dict[str, ExerciseProgress]:
    if viewer is None:
        return {}
    curriculum = request.app.state.curriculum
    return await request.app.state.learner_views.get(
        viewer, "progress", curriculum, lambda: exercise_progress(viewer.id, review_required(curriculum))
    )


class CurriculumController(Controller):
    @get("/")
    async def home(self, request: Request, viewer: Viewer) -> Template:
        curriculum = request.app.state.curriculum

        def content(progress: dict[str, ExerciseProgress], board: Dashboard | None) -> Markup:
            html = render_fragment(
                request,
                "home_content.html",
                viewer=viewer,
                stages=curriculum.stages,
                stage_progress=curriculum_progress(curriculum, progress),
                # A signed-in learner's home is their dashboard: where they stand and what to do next.
                board=board,
            )
            return Markup(html)  # noqa: S704 - rendered by the autoescaping engine

        async def reckon() -> Markup:
            # One read of the learner's attempts: their progress and their dashboard.
            attempts = await attempt_lines(viewer.id)
            progress = await progress_of_rows(viewer.id, attempts, review_required(curriculum))
            return content(progress, dashboard(curriculum, progress, attempts))

        if viewer:
            html = await request.app.state.learner_views.get(viewer, "home", curriculum, reckon)
        else:
            html = request.app.state.learner_views.for_visitors("home", curriculum, lambda: content({}, None))
        return page("home.html", viewer=viewer, content=html)

    @get("/stages/{number:int}")
    async def stage(self, request: Request, viewer: Viewer, number: FromPath[int]) -> Template:
        stage = request.app.state.curriculum.stage(number)
        if stage is None:
            raise NotFoundException(f"There is no stage {number}.")
        stages = request.app.state.curriculum.stages
        index = stages.index(stage)
        return page(
            "stage.html",
            viewer=viewer,
            stage=stage,
            progress=await _progress_of(request, viewer),
            previous=stages[index - 1] if index > 0 else None,
            next=stages[index + 1] if index + 1 < len(stages) else None,
        )

    @get("/exercises/{slug:str}/starter/{runtime:str}")
    async def starter(self, request: Request, slug: FromPath[str], runtime: FromPath[str]) -> Response[bytes]:
        """The starter project for one runtime, as a zip (open to everyone, like the brief)."""
        exercise = request.app.state.curriculum.exercise(slug)
        folder = exercise.starter(runtime) if exercise else None
        if folder is None:
            raise NotFoundException("There is no such starter project.")
        return Response(
            content=zip_folder(folder),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{slug}-{runtime}-starter.zip"'},
        )

    @get("/exercises/{slug:str}")
    async def exercise(self, request: Request, viewer: Viewer, slug: FromPath[str]) -> Template:
        exercise = request.app.state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        stage = request.app.state.curriculum.stage(exercise.stage)
        settings = request.app.state.settings
        review = frozenset([exercise.slug] if exercise.manifest.review else [])

        async def reckon() -> tuple[list[dict], list[datetime], ExerciseProgress | None]:
            # One read of the learner's attempts here: the latest ten, the budget and the progress
            # (what is kept: the ten, the budget's times and the progress, not every row).
            attempts = await attempt_lines(viewer.id, exercise.slug)
            progress = (await progress_of_rows(viewer.id, attempts, review)).get(exercise.slug)
            return attempts[:10], counted_times(attempts), progress

        history, spent_at, progress = (
            await request.app.state.learner_views.get(viewer, ("exercise", slug), request.app.state.curriculum, reckon)
            if viewer
            else ([], [], None)
        )
        rule = rule_for(settings, exercise)
        return page(
            "exercise.html",
            viewer=viewer,
            exercise=exercise,
            stage=stage,
            history=history,
            budget=replay(spent_at, rule, datetime.now(UTC)) if viewer else None,  # by the clock: anew
            progress=progress,
            error="",
            max_upload_mb=request.app.state.settings.max_upload_bytes // (1024 * 1024),
        )
