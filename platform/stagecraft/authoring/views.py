"""Authors in the browser: where learners struggle, per exercise and test, and the curriculum's problems."""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from stagecraft.accounts.tables import User
from stagecraft.curriculum.loader import check_curriculum
from stagecraft.progress.analytics import exercise_figures
from stagecraft.submissions.faults import recent_faults
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page

AUTHOR_ROLES = frozenset({"author", "admin"})
FAULT_DAYS = 30


def _author(user: User) -> None:
    if user.role not in AUTHOR_ROLES:
        raise PermissionDeniedException("These pages are for curriculum authors.")


class AuthorController(Controller):
    @get("/authors")
    async def overview(self, request: Request, user: SignedIn) -> Template:
        _author(user)
        state = request.app.state
        curriculum = state.curriculum
        figures = {e.slug: await exercise_figures(e.slug) for e in curriculum.exercises()}
        # The working folder as it is now (what `stagecraft curriculum check` says), not the copy being served.
        _, problems = await asyncio.to_thread(
            check_curriculum, state.settings.curriculum_dir, state.settings.graders_dir
        )
        return page("authors.html", viewer=user, curriculum=curriculum, figures=figures, problems=problems)

    @get("/authors/exercises/{slug:str}")
    async def exercise(self, request: Request, user: SignedIn, slug: FromPath[str]) -> Template:
        _author(user)
        exercise = request.app.state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        faults = [f for f in await recent_faults(FAULT_DAYS) if f.exercise == slug]
        return page(
            "author_exercise.html",
            viewer=user,
            exercise=exercise,
            figures=await exercise_figures(slug),
            faults=faults,
            fault_days=FAULT_DAYS,
        )
