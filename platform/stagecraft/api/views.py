"""The REST API under /api/v1: exercises, attempts (made from an archive, read, listed, followed live), progress.

Every request carries a personal API token (`Authorization: Bearer sc_...`); errors are JSON with
the right status (a 401, never a redirect to the login page); no CSRF token is needed, since a
token is not a cookie a browser sends by itself.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from datetime import datetime

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
)
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath, FromQuery
from litestar.response import ServerSentEvent, ServerSentEventMessage

from stagecraft.accounts.tables import User
from stagecraft.api.tokens import user_for_token
from stagecraft.curriculum.models import Exercise
from stagecraft.grading.verdicts import LABELS
from stagecraft.progress.services import exercise_progress, review_required
from stagecraft.submissions.archive import ArchiveError
from stagecraft.submissions.budget import BudgetSpent, rule_for, spend
from stagecraft.submissions.services import create_submission, submissions_of, test_results
from stagecraft.submissions.tables import Submission

HEARTBEAT_SECONDS = 15.0
REQUESTS_PER_MINUTE = 120


class Caller(msgspec.Struct, frozen=True):
    user: User
    scopes: frozenset[str]

    def need(self, scope: str) -> None:
        if scope not in self.scopes:
            raise PermissionDeniedException(f"this token lacks the {scope!r} scope; make one with it")


async def provide_caller(request: Request) -> Caller:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthorizedException(
            "send your API token as 'Authorization: Bearer sc_...' (make one on your account's tokens page)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = await user_for_token(secret.strip())
    if found is None:
        raise NotAuthorizedException(
            "this token is unknown, revoked or expired", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    return Caller(*found)


ApiCaller = NamedDependency[Caller]


class ExerciseOut(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    stage: int
    difficulty: str
    points: int
    runtimes: list[str]
    review: bool
    url: str


class TestOut(msgspec.Struct, kw_only=True):
    __test__ = False  # not a pytest test class, despite the name

    id: str
    title: str
    tier: str
    status: str
    score: float
    max_score: float
    message: str
    hint: str
    rule: str = ""  # spec: the requirement quoted; craft: why the practice matters
    expected: str = ""
    curl: str = ""  # how to reproduce the last request the test sent


class AttemptOut(msgspec.Struct, kw_only=True):
    id: int
    exercise: str
    state: str
    verdict: str
    verdict_label: str
    polished: bool
    score: float
    max_score: float
    message: str
    created_at: datetime
    url: str
    tests: list[TestOut] | None = None


class ProgressOut(msgspec.Struct, kw_only=True):
    exercise: str
    attempts: int
    best_score: float
    max_score: float
    passed: bool
    polished: bool
    awaiting_review: bool


def _exercise_out(exercise: Exercise) -> ExerciseOut:
    manifest = exercise.manifest
    return ExerciseOut(
        slug=exercise.slug, title=manifest.title, stage=exercise.stage, difficulty=manifest.difficulty,
        points=manifest.points, runtimes=list(manifest.runtimes), review=manifest.review,
        url=f"/exercises/{exercise.slug}",
    )  # fmt: skip


async def _attempt_out(submission: Submission, *, with_tests: bool) -> AttemptOut:
    tests = None
    if with_tests:
        tests = [
            TestOut(id=t.test_id, title=t.title, tier=t.tier, status=t.status, score=t.score,
                    max_score=t.max_score, message=t.message, hint=t.hint, rule=t.rule, expected=t.expected,
                    curl=_last_curl(t.transcript))
            for t in await test_results(submission.id)
        ]  # fmt: skip
    return AttemptOut(
        id=submission.id, exercise=submission.exercise, state=submission.state, verdict=submission.verdict,
        verdict_label=LABELS.get(submission.verdict, ""), polished=submission.polished, score=submission.score,
        max_score=submission.max_score, message=submission.message, created_at=submission.created_at,
        url=f"/submissions/{submission.id}", tests=tests,
    )  # fmt: skip


def _last_curl(transcript) -> str:
    exchanges = json.loads(transcript) if isinstance(transcript, str) else (transcript or [])
    curls = [x.get("curl", "") for x in exchanges if isinstance(x, dict) and x.get("curl")]
    return curls[-1] if curls else ""


async def _own_attempt(caller: Caller, attempt_id: int) -> Submission:
    submission = await Submission.objects().where(Submission.id == attempt_id).first()
    if submission is None or submission.user != caller.user.id:
        raise NotFoundException("there is no such attempt of yours")
    return submission


@get("/exercises")
async def list_exercises(request: Request, caller: ApiCaller) -> list[ExerciseOut]:
    caller.need("read")
    return [_exercise_out(e) for e in request.app.state.curriculum.exercises()]


@get("/exercises/{slug:str}")
async def read_exercise(request: Request, caller: ApiCaller, slug: FromPath[str]) -> ExerciseOut:
    caller.need("read")
    exercise = request.app.state.curriculum.exercise(slug)
    if exercise is None:
        raise NotFoundException(f"there is no exercise {slug!r}")
    return _exercise_out(exercise)


@post("/exercises/{slug:str}/attempts", status_code=201)
async def create_attempt(request: Request, caller: ApiCaller, slug: FromPath[str]) -> AttemptOut:
    """A new attempt from a .zip or .tar.gz sent as the multipart field "archive"."""
    caller.need("submit")
    state = request.app.state
    exercise = state.curriculum.exercise(slug)
    if exercise is None:
        raise NotFoundException(f"there is no exercise {slug!r}")
    try:
        await spend(caller.user.id, slug, rule_for(state.settings, exercise))
    except BudgetSpent as exc:
        raise TooManyRequestsException(str(exc)) from None
    form = await request.form()
    upload = form.get("archive")
    if not isinstance(upload, UploadFile):
        raise ClientException("send the project as the multipart field 'archive' (a .zip or .tar.gz)")
    try:
        submission_id = await create_submission(
            state.settings, caller.user.id, exercise, upload.filename, await upload.read()
        )
    except ArchiveError as exc:
        raise ClientException(str(exc)) from None
    await state.queue.enqueue(submission_id)
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    return await _attempt_out(submission, with_tests=False)


@get("/attempts")
async def list_attempts(caller: ApiCaller, exercise: FromQuery[str | None] = None) -> list[AttemptOut]:
    caller.need("read")
    return [await _attempt_out(s, with_tests=False) for s in await submissions_of(caller.user.id, exercise, limit=100)]


@get("/attempts/{attempt_id:int}")
async def read_attempt(caller: ApiCaller, attempt_id: FromPath[int]) -> AttemptOut:
    caller.need("read")
    return await _attempt_out(await _own_attempt(caller, attempt_id), with_tests=True)


@get("/attempts/{attempt_id:int}/events")
async def follow_attempt(
    request: Request, caller: ApiCaller, channels: NamedDependency[ChannelsPlugin], attempt_id: FromPath[int]
) -> ServerSentEvent:
    """The attempt as JSON on every change ("attempt" events), then a "done" event once it is graded."""
    caller.need("read")
    await _own_attempt(caller, attempt_id)
    return ServerSentEvent(_snapshots(channels, attempt_id))


async def _snapshots(channels: ChannelsPlugin, attempt_id: int) -> AsyncGenerator:
    from stagecraft.submissions.views import channel_name

    async with channels.start_subscription([channel_name(attempt_id)]) as subscriber:
        changed = asyncio.Event()

        async def pump() -> None:
            async for _ in subscriber.iter_events():
                changed.set()

        pump_task = asyncio.create_task(pump())
        try:
            while True:
                changed.clear()
                submission = await Submission.objects().where(Submission.id == attempt_id).first()
                snapshot = await _attempt_out(submission, with_tests=True)
                yield ServerSentEventMessage(event="attempt", data=msgspec.json.encode(snapshot).decode())
                if submission.state == "finished":
                    yield ServerSentEventMessage(event="done", data=str(attempt_id))
                    return
                try:
                    await asyncio.wait_for(changed.wait(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ServerSentEventMessage(comment="keep-alive")
        finally:
            pump_task.cancel()


class CommentOut(msgspec.Struct, kw_only=True):
    author: str
    role: str
    path: str
    line_start: int
    line_end: int
    body: str  # Markdown, as written
    created_at: datetime
    carried_from: int | None = None


class ReviewOut(msgspec.Struct, kw_only=True):
    attempt: int
    state: str  # the lifecycle state, e.g. "awaiting_review", "approved"
    state_label: str
    note: str
    summary: str
    rubric: list[str]
    comments: list[CommentOut]


class NotificationOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read: bool


@get("/attempts/{attempt_id:int}/review")
async def read_review(request: Request, caller: ApiCaller, attempt_id: FromPath[int]) -> ReviewOut:
    """The attempt's review: its state, the mentor's summary and rubric, and every comment."""
    caller.need("read")
    from stagecraft.reviews import code, services
    from stagecraft.submissions.lifecycle import STATE_LABELS

    submission = await _own_attempt(caller, attempt_id)
    review = await services.latest_request(submission.id)
    state = await services.lifecycle_state(submission)
    files = await code.attempt_files(request.app.state.settings, submission) if submission.state == "finished" else {}
    rubric = review.rubric if review else []
    return ReviewOut(
        attempt=submission.id, state=state, state_label=STATE_LABELS[state], note=review.note if review else "",
        summary=review.summary if review else "",
        rubric=json.loads(rubric) if isinstance(rubric, str) else list(rubric or []),
        comments=[
            CommentOut(author=c.author_email, role=c.author_role, path=c.path, line_start=c.line_start,
                       line_end=c.line_end, body=c.body, created_at=c.created_at, carried_from=c.carried_from)
            for c in await services.comments_for(submission, files)
        ],
    )  # fmt: skip


@get("/notifications")
async def list_notifications(caller: ApiCaller) -> list[NotificationOut]:
    caller.need("read")
    from stagecraft.notifications.services import newest

    return [
        NotificationOut(id=n.id, kind=n.kind, text=n.text, url=n.link, created_at=n.created_at,
                        read=n.read_at is not None)
        for n in await newest(caller.user.id)
    ]  # fmt: skip


@get("/progress")
async def read_progress(request: Request, caller: ApiCaller) -> list[ProgressOut]:
    caller.need("read")
    curriculum = request.app.state.curriculum
    progress = await exercise_progress(caller.user.id, review_required(curriculum))
    return [
        ProgressOut(exercise=slug, attempts=p.attempts, best_score=p.best_score, max_score=p.max_score,
                    passed=p.passed, polished=p.polished, awaiting_review=p.awaiting_review)
        for slug, p in sorted(progress.items())
    ]  # fmt: skip


def _by_token(request: Request) -> str:
    """Rate limits count per token (per address for requests without one)."""
    header = request.headers.get("authorization", "")
    return header[-16:] if header else (request.client.host if request.client else "unknown")


# The viewer draws with inline styles: allowed on this page alone, scripts still only from /static.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stagecraft API</title><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="/static/vendor/rapidoc-9.3.8.min.js"></script></head>
<body><rapi-doc spec-url="/api/v1/schema/openapi.json" render-style="read" show-header="false" load-fonts="false"
  allow-authentication="true" allow-server-selection="false" theme="light"></rapi-doc></body></html>"""


@get("/docs", include_in_schema=False, sync_to_thread=False)
def api_docs() -> Response[str]:
    """The API's document in RapiDoc (vendored: no CDN)."""
    return Response(content=_DOCS_PAGE, media_type="text/html", headers={"Content-Security-Policy": _DOCS_CSP})


def api_openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Stagecraft API",
        version="1",
        description="Exercises, attempts and progress for the holder of a personal API token (sc_...).",
        path="/api/v1/schema",
        render_plugins=[JsonRenderPlugin()],
        security=[{"token": []}],
        components=Components(
            security_schemes={"token": SecurityScheme(type="http", scheme="bearer", description="A personal API token")}
        ),
    )


api_router = Router(
    path="/api/v1",
    route_handlers=[
        list_exercises,
        read_exercise,
        create_attempt,
        list_attempts,
        read_attempt,
        follow_attempt,
        read_progress,
        read_review,
        list_notifications,
        api_docs,
    ],  # fmt: skip
    dependencies={"caller": Provide(provide_caller)},
    middleware=[
        RateLimitConfig(rate_limit=("minute", REQUESTS_PER_MINUTE), identifier_for_request=_by_token).middleware
    ],
)
