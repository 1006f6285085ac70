"""Upload a project, list one's submissions, watch a submission being graded live."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator

from litestar import Controller, Request, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template

from stagecraft.accounts.tables import User
from stagecraft.grading.verdicts import LABELS
from stagecraft.reviews import code, services
from stagecraft.submissions.archive import ArchiveError
from stagecraft.submissions.budget import BudgetSpent, budget_of, rule_for, spend
from stagecraft.submissions.lifecycle import STATE_LABELS
from stagecraft.submissions.services import (
    create_submission,
    submission_for,
    submissions_of,
    test_results,
    test_sections,
)
from stagecraft.submissions.tables import Submission
from stagecraft.submissions.waiting import queue_position
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page, render_fragment

HEARTBEAT_SECONDS = 15.0


def channel_name(submission_id: int) -> str:
    return f"submission:{submission_id}"


def _transcripts(results) -> dict[int, list]:
    out = {}
    for result in results:
        raw = result.transcript
        out[result.id] = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return out


async def _view_context(submission: Submission) -> dict:
    results = await test_results(submission.id)
    sections = test_sections(results)
    failing = [r for section in sections for r in section.results if r.status in ("failed", "error")]
    return {
        "submission": submission,
        "results": results,
        "sections": sections,
        "transcripts": _transcripts(results),
        "labels": LABELS,
        # Only the first failing test shows its exchange open: the others are a click away.
        "first_failing": failing[0].id if failing else None,
        "queue": await queue_position(submission) if submission.state == "queued" else None,
    }


async def _review_context(request: Request, submission: Submission, review_error: str = "") -> dict:
    comments = []
    if submission.state == "finished":
        comments = await services.comments_for(
            submission, await code.attempt_files(request.app.state.settings, submission)
        )
    return {
        "review": await services.latest_request(submission.id),
        "lifecycle": STATE_LABELS[await services.lifecycle_state(submission)],
        "comments": comments,
        "review_error": review_error,
        "max_open_requests": services.MAX_OPEN_REQUESTS,
    }


async def submission_page(
    request: Request, user: User, submission: Submission, *, status_code: int = 200, review_error: str = ""
) -> Template:
    """The attempt's page: its results, and its review (state, verdict, comments, the ask and reply forms)."""
    return page(
        "submission.html",
        status_code=status_code,
        viewer=user,
        exercise=request.app.state.curriculum.exercise(submission.exercise),
        **await _review_context(request, submission, review_error),
        **await _view_context(submission),
    )


class SubmissionController(Controller):
    @post("/exercises/{slug:str}/submissions")
    async def submit(self, request: Request, user: SignedIn, slug: FromPath[str]) -> Template | Redirect:
        state = request.app.state
        exercise = state.curriculum.exercise(slug)
        if exercise is None:
            raise NotFoundException("There is no such exercise.")
        form = await request.form()
        upload = form.get("archive")
        rule = rule_for(state.settings, exercise)
        try:
            await spend(user.id, exercise.slug, rule)
            if not isinstance(upload, UploadFile):
                raise ArchiveError("choose a .zip or .tar.gz of your project to upload")
            data = await upload.read()
            submission_id = await create_submission(state.settings, user.id, exercise, upload.filename, data)
        except (ArchiveError, BudgetSpent) as exc:
            history = await submissions_of(user.id, exercise.slug, limit=10)
            return page(
                "exercise.html",
                status_code=429 if isinstance(exc, BudgetSpent) else 400,
                viewer=user,
                exercise=exercise,
                stage=state.curriculum.stage(exercise.stage),
                history=history,
                error=str(exc),
                budget=await budget_of(user.id, exercise.slug, rule),
                max_upload_mb=state.settings.max_upload_bytes // (1024 * 1024),
            )
        await state.queue.enqueue(submission_id)
        return Redirect(path=f"/submissions/{submission_id}")

    # A form's address opened again (a reload after a refused form, a bookmark) leads back to its page.
    @get("/exercises/{slug:str}/submissions", status_code=303)
    async def submit_page(self, slug: FromPath[str]) -> Redirect:
        return Redirect(path=f"/exercises/{slug}#submit", status_code=303)

    @get("/submissions")
    async def mine(self, request: Request, user: SignedIn) -> Template:
        submissions = await submissions_of(user.id, limit=100)
        return page(
            "submissions.html",
            viewer=user,
            submissions=submissions,
            labels=LABELS,
            curriculum=request.app.state.curriculum,
        )

    @get("/submissions/{submission_id:int}")
    async def detail(self, request: Request, user: SignedIn, submission_id: FromPath[int]) -> Template:
        submission = await submission_for(user, submission_id)
        if submission is None:
            raise NotFoundException("There is no such submission.")
        return await submission_page(request, user, submission)

    @get("/submissions/{submission_id:int}/review-section")
    async def review_section(self, request: Request, user: SignedIn, submission_id: FromPath[int]) -> Template:
        """The review part of the attempt's page, fetched by the page once grading ends."""
        submission = await submission_for(user, submission_id)
        if submission is None:
            raise NotFoundException("There is no such submission.")
        return page(
            "_review_section.html", viewer=user, submission=submission, **await _review_context(request, submission)
        )

    @get("/submissions/{submission_id:int}/events")
    async def events(
        self, request: Request, user: SignedIn, channels: NamedDependency[ChannelsPlugin], submission_id: FromPath[int]
    ) -> ServerSentEvent:
        if await submission_for(user, submission_id) is None:
            raise NotFoundException("There is no such submission.")
        return ServerSentEvent(_live_updates(request, channels, submission_id))


async def _live_updates(request: Request, channels: ChannelsPlugin, submission_id: int) -> AsyncGenerator:
    """Send the whole test list on every change (idempotent on reconnect), then the verdict."""
    async with channels.start_subscription([channel_name(submission_id)]) as subscriber:
        changed = asyncio.Event()

        async def pump() -> None:
            async for _ in subscriber.iter_events():
                changed.set()  # a burst of changes becomes one re-render

        pump_task = asyncio.create_task(pump())
        try:
            while True:
                changed.clear()
                submission = await Submission.objects().where(Submission.id == submission_id).first()
                context = await _view_context(submission)
                yield ServerSentEventMessage(event="tests", data=render_fragment(request, "_test_list.html", **context))
                yield ServerSentEventMessage(event="status", data=render_fragment(request, "_status.html", **context))
                if submission.state == "finished":
                    # The page fetches its review section (ask a mentor...) on this one, then the stream ends.
                    yield ServerSentEventMessage(event="finished", data="finished")
                    yield ServerSentEventMessage(event="done", data="finished")
                    return
                try:
                    await asyncio.wait_for(changed.wait(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ServerSentEventMessage(comment="keep-alive")
        finally:
            pump_task.cancel()
