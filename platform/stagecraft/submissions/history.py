"""A learner's history of an exercise: every attempt, any two compared, an archive downloaded, one re-run."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, TooManyRequestsException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from stagecraft.reviews.code import attempt_files
from stagecraft.submissions.budget import BudgetSpent, rule_for, spend
from stagecraft.submissions.services import stored_archive, submission_for, submissions_of, test_results
from stagecraft.submissions.tables import Submission
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page

_MEDIA = {"zip": "application/zip", "tar.gz": "application/gzip"}
SHOWN = 200  # attempts listed at most


def side_by_side(path: str, old: str | None, new: str | None) -> Markup:
    """One file's change as a two-column table (difflib escapes the text it lays out)."""
    table = difflib.HtmlDiff(wrapcolumn=80).make_table(
        (old or "").splitlines(), (new or "").splitlines(), fromdesc=f"before: {path}", todesc=f"after: {path}",
        context=True, numlines=3,
    )  # fmt: skip
    return Markup(table)  # noqa: S704 - HtmlDiff escapes every line


async def _own(user, submission_id: int, slug: str | None = None) -> Submission:
    submission = await submission_for(user, submission_id)
    if submission is None or submission.user != user.id or (slug is not None and submission.exercise != slug):
        raise NotFoundException("There is no such attempt of yours.")
    return submission


class HistoryController(Controller):
    @get("/exercises/{slug:str}/history")
    async def history(self, request: Request, user: SignedIn, slug: FromPath[str]) -> Template:
        exercise = request.app.state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        attempts = await submissions_of(user.id, slug, limit=SHOWN)
        return page("history.html", viewer=user, exercise=exercise, attempts=attempts)

    @get("/exercises/{slug:str}/compare")
    async def compare(
        self, request: Request, user: SignedIn, slug: FromPath[str], a: FromQuery[int], b: FromQuery[int]
    ) -> Template:
        exercise = request.app.state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        first, second = sorted([await _own(user, a, slug), await _own(user, b, slug)], key=lambda s: s.id)
        settings = request.app.state.settings
        old, new = await attempt_files(settings, first), await attempt_files(settings, second)
        changed = [path for path in sorted(set(old) | set(new)) if old.get(path) != new.get(path)]
        before = {t.test_id: t for t in await test_results(first.id)}
        after = {t.test_id: t for t in await test_results(second.id)}
        tests = [
            (after.get(test_id) or before[test_id], before.get(test_id), after.get(test_id))
            for test_id in [*after, *(t for t in before if t not in after)]
            if (before.get(test_id) and before[test_id].status) != (after.get(test_id) and after[test_id].status)
        ]
        return page(
            "compare.html",
            viewer=user,
            exercise=exercise,
            first=first,
            second=second,
            files=[(path, side_by_side(path, old.get(path), new.get(path))) for path in changed],
            tests=tests,
        )

    @get("/submissions/{submission_id:int}/archive")
    async def archive(self, request: Request, user: SignedIn, submission_id: FromPath[int]) -> Response[bytes]:
        submission = await submission_for(user, submission_id)  # the learner, or a mentor reviewing it
        if submission is None:
            raise NotFoundException("There is no such submission.")
        data, kind = await stored_archive(request.app.state.settings, submission)
        name = f"{submission.exercise}-attempt-{submission.id}.{kind}"
        return Response(
            content=data,
            media_type=_MEDIA[kind],
            headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"},
        )

    @post("/submissions/{submission_id:int}/rerun")
    async def rerun(self, request: Request, user: SignedIn, submission_id: FromPath[int]) -> Redirect:
        """Grade an earlier attempt's very files again, as a new attempt (after a grader fix, say)."""
        earlier = await _own(user, submission_id)
        exercise = request.app.state.curriculum.exercise(earlier.exercise)
        if exercise is None:
            raise NotFoundException("That exercise is no longer in the curriculum.")
        try:
            await spend(user.id, exercise.slug, rule_for(request.app.state.settings, exercise))
        except BudgetSpent as exc:
            raise TooManyRequestsException(str(exc)) from None
        rows = await Submission.insert(
            Submission(
                user=user.id,
                exercise=earlier.exercise,
                runtime=earlier.runtime,
                archive_sha256=earlier.archive_sha256,
                archive_name=earlier.archive_name,
                state="queued",
                created_at=datetime.now(UTC),
            )
        ).returning(Submission.id)
        await request.app.state.queue.enqueue(rows[0]["id"])
        return Redirect(path=f"/submissions/{rows[0]['id']}")
