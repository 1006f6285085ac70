"""The mentors' pages: the review queue, the code view with comments, the verdict; the learner's request and reply."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from stagecraft.accounts.tables import User
from stagecraft.curriculum.models import Exercise
from stagecraft.grading.verdicts import LABELS
from stagecraft.progress import analytics
from stagecraft.reviews import code, services
from stagecraft.reviews.services import Anchor, MoveRefused, QueueFilter
from stagecraft.reviews.tables import ReviewRequest
from stagecraft.submissions.lifecycle import STATE_LABELS, VERDICT_LABELS
from stagecraft.submissions.services import submission_for, test_results, test_sections
from stagecraft.submissions.tables import Submission
from stagecraft.submissions.views import submission_page
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page

_RUBRIC_ROW = re.compile(r"^\|\s*\*\*(.+?)\*\*\s*\|", re.MULTILINE)
_REVIEW_PAGE = re.compile(r"^/review/\d+$")


def rubric_of(exercise: Exercise | None) -> list[str]:
    """The criteria of the brief's rubric section (a table whose rows start with a bold name), if it has one."""
    if exercise is None:
        return []
    _, found, rest = exercise.brief.partition("## The review rubric")
    if not found:
        return []
    section = rest.split("\n## ", 1)[0]
    return _RUBRIC_ROW.findall(section)


def _reviewer(user: User) -> None:
    if not services.is_reviewer(user):
        raise PermissionDeniedException("Reviewing attempts is a mentor's job; this page is for mentors.")


async def _request(request_id: int) -> ReviewRequest:
    found = await ReviewRequest.objects().where(ReviewRequest.id == request_id).first()
    if found is None:
        raise NotFoundException("There is no such review request.")
    return found


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


class ReviewController(Controller):
    @get("/review")
    async def queue(self, request: Request, user: SignedIn) -> Template:
        _reviewer(user)
        params = request.query_params
        filters = QueueFilter(
            stage=_int_or_none(params.get("stage")),
            exercise=(params.get("exercise") or "").strip() or None,
            learner=(params.get("learner") or "").strip()[:254] or None,
        )
        rows = await services.queue(filters)
        curriculum = request.app.state.curriculum
        return page(
            "review_queue.html",
            viewer=user,
            rows=rows,
            figures=services.wait_figures(rows),
            filters=filters,
            curriculum=curriculum,
            titles={e.slug: e.title for e in curriculum.exercises()},
        )

    @get("/review/overview")
    async def overview(self, request: Request, user: SignedIn) -> Template:
        _reviewer(user)
        curriculum = request.app.state.curriculum
        return page(
            "review_overview.html",
            viewer=user,
            stuck=await analytics.stuck_learners(),
            pass_rates=await analytics.pass_rates(),
            mentors=await analytics.mentor_figures(),
            titles={e.slug: e.title for e in curriculum.exercises()},
            stuck_attempts=analytics.STUCK_ATTEMPTS,
            stuck_days=analytics.STUCK_DAYS,
        )

    @get(
        [f"/review/{{request_id:int}}/{action}" for action in ("claim", "extend", "release", "verdict")],
        status_code=303,
    )
    async def action_page(self, request_id: FromPath[int]) -> Redirect:
        """A form's address opened again leads back to the review."""
        return Redirect(path=f"/review/{request_id}", status_code=303)

    @post("/review/{request_id:int}/claim")
    async def claim(self, request: Request, user: SignedIn, request_id: FromPath[int]) -> Redirect | Template:
        _reviewer(user)
        await _request(request_id)
        try:
            await services.claim(user, request_id)
        except MoveRefused as exc:
            return await self._queue_with_error(request, user, str(exc))
        return Redirect(path=f"/review/{request_id}")

    async def _queue_with_error(self, request: Request, user: User, error: str, status_code: int = 409) -> Template:
        rows = await services.queue(QueueFilter())
        curriculum = request.app.state.curriculum
        return page(
            "review_queue.html",
            status_code=status_code,
            viewer=user,
            rows=rows,
            figures=services.wait_figures(rows),
            filters=QueueFilter(),
            curriculum=curriculum,
            titles={e.slug: e.title for e in curriculum.exercises()},
            error=error,
        )

    @get("/review/{request_id:int}")
    async def review(self, request: Request, user: SignedIn, request_id: FromPath[int]) -> Template:
        _reviewer(user)
        review = await _request(request_id)
        return await self._review_page(request, user, review)

    async def _review_page(self, request: Request, user: User, review: ReviewRequest, **extra: Any) -> Template:
        state = request.app.state
        submission = await Submission.objects().where(Submission.id == review.submission).first()
        files = await code.attempt_files(state.settings, submission)
        chosen = request.query_params.get("file") or next(iter(files), "")
        if chosen and chosen not in files:
            raise NotFoundException("The attempt has no such file.")
        reviewed = await _last_reviewed_before(submission)
        changes = None
        if reviewed is not None:
            changes = code.diff(await code.attempt_files(state.settings, reviewed), files)
        exercise = state.curriculum.exercise(submission.exercise)
        results = await test_results(submission.id)
        learner = await User.objects().where(User.id == submission.user).first()
        return page(
            "review.html",
            status_code=extra.pop("status_code", 200),
            viewer=user,
            review=review,
            submission=submission,
            learner=learner,
            exercise=exercise,
            files=list(files),
            chosen=chosen,
            code_html=code.highlighted(chosen, files[chosen]) if chosen else "",
            comments=await services.comments_for(submission, files),
            sections=test_sections(results),
            labels=LABELS,
            reviewed=reviewed,
            changes=changes,
            rubric=rubric_of(exercise),
            mine=review.state == "claimed" and review.mentor == user.id,
            verdict_labels=VERDICT_LABELS,
            snippets=await services.snippets_for(user, submission.exercise),
            state_labels=STATE_LABELS,
            **extra,
        )

    @post("/review/{request_id:int}/extend")
    async def extend(self, request: Request, user: SignedIn, request_id: FromPath[int]) -> Redirect | Template:
        return await self._act(request, user, request_id, lambda: services.extend(user, request_id))

    @post("/review/{request_id:int}/release")
    async def release(self, request: Request, user: SignedIn, request_id: FromPath[int]) -> Redirect | Template:
        outcome = await self._act(request, user, request_id, lambda: services.release(user, request_id))
        return Redirect(path="/review") if isinstance(outcome, Redirect) else outcome

    @post("/review/{request_id:int}/verdict")
    async def verdict(self, request: Request, user: SignedIn, request_id: FromPath[int]) -> Redirect | Template:
        form = await request.form()
        rubric = [str(item) for item in form.getall("rubric")] if "rubric" in form else []
        return await self._act(
            request,
            user,
            request_id,
            lambda: services.decide(
                user, request_id, str(form.get("verdict") or ""), str(form.get("summary") or ""), rubric
            ),
        )

    async def _act(self, request: Request, user: User, request_id: int, action) -> Redirect | Template:
        _reviewer(user)
        review = await _request(request_id)
        try:
            await action()
        except MoveRefused as exc:
            return await self._review_page(request, user, review, status_code=409, error=str(exc))
        return Redirect(path=f"/review/{request_id}")

    @post("/review/snippets")
    async def add_snippet(self, request: Request, user: SignedIn) -> Redirect | Template:
        _reviewer(user)
        form = await request.form()
        back = str(form.get("back") or "")
        try:
            await services.add_snippet(
                user,
                str(form.get("title") or ""),
                str(form.get("body") or ""),
                str(form.get("exercise") or ""),
                request.app.state.curriculum,
            )
        except MoveRefused as exc:
            match = _REVIEW_PAGE.match(back)
            if match:
                return await self._review_page(request, user, await _request(int(back.rsplit("/", 1)[1])),
                                               status_code=400, error=str(exc))  # fmt: skip
            return await self._queue_with_error(request, user, str(exc), status_code=400)
        return Redirect(path=f"{back}#comments" if _REVIEW_PAGE.match(back) else "/review")

    @post("/review/snippets/{snippet_id:int}/delete")
    async def delete_snippet(self, request: Request, user: SignedIn, snippet_id: FromPath[int]) -> Redirect:
        _reviewer(user)
        if not await services.delete_snippet(user, snippet_id):
            raise NotFoundException("There is no such snippet of yours.")
        back = str((await request.form()).get("back") or "")
        return Redirect(path=f"{back}#comments" if _REVIEW_PAGE.match(back) else "/review")

    @get(["/submissions/{submission_id:int}/review", "/submissions/{submission_id:int}/comments"], status_code=303)
    async def review_form_page(self, submission_id: FromPath[int]) -> Redirect:
        """A form's address opened again (a reload after a refused form) leads back to the attempt's page."""
        return Redirect(path=f"/submissions/{submission_id}#review", status_code=303)

    @post("/submissions/{submission_id:int}/review")
    async def ask(self, request: Request, user: SignedIn, submission_id: FromPath[int]) -> Redirect | Template:
        submission = await submission_for(user, submission_id)
        if submission is None or submission.user != user.id:
            raise NotFoundException("There is no such submission.")
        form = await request.form()
        try:
            await services.ask_for_review(user, submission, str(form.get("note") or ""), request.app.state.curriculum)
        except MoveRefused as exc:
            return await submission_page(request, user, submission, status_code=400, review_error=str(exc))
        return Redirect(path=f"/submissions/{submission_id}#review")

    @post("/submissions/{submission_id:int}/comments")
    async def comment(self, request: Request, user: SignedIn, submission_id: FromPath[int]) -> Redirect | Template:
        submission = await submission_for(user, submission_id)
        if submission is None:
            raise NotFoundException("There is no such submission.")
        form = await request.form()
        anchor = Anchor(
            path=str(form.get("path") or ""),
            line_start=_int_or_none(str(form.get("line_start") or "")) or 0,
            line_end=_int_or_none(str(form.get("line_end") or "")) or 0,
        )
        files = await code.attempt_files(request.app.state.settings, submission)
        back = str(form.get("back") or "")
        body = str(form.get("body") or "")
        snippet_id = _int_or_none(str(form.get("snippet") or ""))
        if snippet_id and not body.strip() and services.is_reviewer(user):
            chosen = [s for s in await services.snippets_for(user, submission.exercise) if s.id == snippet_id]
            body = chosen[0].body if chosen else ""
        try:
            await services.add_comment(user, submission, anchor, body, files)
        except MoveRefused as exc:
            review = await services.latest_request(submission.id)
            if services.is_reviewer(user) and review is not None and _REVIEW_PAGE.match(back):
                return await self._review_page(request, user, review, status_code=400, error=str(exc))
            return await submission_page(request, user, submission, status_code=400, review_error=str(exc))
        if _REVIEW_PAGE.match(back) and services.is_reviewer(user):
            return Redirect(path=back)
        return Redirect(path=f"/submissions/{submission_id}#review")


async def _last_reviewed_before(submission: Submission) -> Submission | None:
    """The learner's latest earlier attempt of the exercise that a mentor gave a verdict on."""
    rows = (
        await ReviewRequest.select(ReviewRequest.submission)
        .where(
            (ReviewRequest.learner == submission.user)
            & (ReviewRequest.exercise == submission.exercise)
            & (ReviewRequest.submission < submission.id)
            & ReviewRequest.state.is_in(["approved", "changes_requested"])
        )
        .order_by(ReviewRequest.submission, ascending=False)
        .first()
    )
    if rows is None:
        return None
    return await Submission.objects().where(Submission.id == rows["submission"]).first()
