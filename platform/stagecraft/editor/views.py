"""The in-browser editor: multi-file, a starter to begin with, drafts kept on the server, read-only while grading."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException, TooManyRequestsException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from stagecraft.accounts.tables import User
from stagecraft.curriculum.models import Exercise
from stagecraft.editor.files import check_files, pack_files, starter_files
from stagecraft.editor.tables import EditorDraft
from stagecraft.submissions.archive import ArchiveError
from stagecraft.submissions.budget import BudgetSpent, budget_of, rule_for, spend
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page


class FilesIn(msgspec.Struct, kw_only=True):
    files: dict[str, str]


class Saved(msgspec.Struct, kw_only=True):
    saved_at: datetime
    files: int


class Submitted(msgspec.Struct, kw_only=True):
    id: int
    url: str


def _exercise(request: Request, slug: str) -> Exercise:
    exercise = request.app.state.curriculum.exercise(slug)
    if exercise is None:
        raise NotFoundException("There is no such exercise.")
    return exercise


async def _draft(user: User, slug: str) -> EditorDraft | None:
    return await EditorDraft.objects().where((EditorDraft.user == user.id) & (EditorDraft.exercise == slug)).first()


async def _grading(user: User, slug: str) -> Submission | None:
    """The learner's attempt of this exercise still in the queue or being graded: the editor waits for it."""
    return (
        await Submission.objects()
        .where(
            (Submission.user == user.id) & (Submission.exercise == slug) & Submission.state.is_in(["queued", "running"])
        )
        .order_by(Submission.id, ascending=False)
        .first()
    )


def _draft_files(draft: EditorDraft | None) -> dict[str, str]:
    if draft is None:
        return {}
    return draft.files if isinstance(draft.files, dict) else json.loads(draft.files)


async def _keep(user: User, slug: str, files: dict[str, str]) -> datetime:
    """Save the files as the learner's draft of the exercise (one per learner and exercise)."""
    now = datetime.now(UTC)
    draft = await _draft(user, slug)
    if draft is None:
        await EditorDraft.insert(EditorDraft(user=user.id, exercise=slug, files=files, updated_at=now))
    else:
        await EditorDraft.update({EditorDraft.files: files, EditorDraft.updated_at: now}).where(
            EditorDraft.id == draft.id
        )
    return now


def _files_of(body: bytes) -> dict[str, str]:
    try:
        sent = msgspec.json.decode(body, type=FilesIn)
    except msgspec.DecodeError as exc:
        raise ClientException(f'send {{"files": {{"path": "text", ...}}}} as JSON ({exc})') from None
    try:
        return check_files(sent.files)
    except ArchiveError as exc:
        raise ClientException(str(exc)) from None


class EditorController(Controller):
    @get("/exercises/{slug:str}/editor")
    async def editor(
        self, request: Request, user: SignedIn, slug: FromPath[str], runtime: FromQuery[str] = ""
    ) -> Template:
        exercise = _exercise(request, slug)
        draft = await _draft(user, slug)
        if runtime and runtime not in exercise.manifest.runtimes:
            raise NotFoundException(f"This exercise runs {', '.join(exercise.manifest.runtimes)}, not {runtime}.")
        chosen = runtime or (exercise.starters() or exercise.manifest.runtimes)[0]
        files = (
            (draft.files if isinstance(draft.files, dict) else json.loads(draft.files)) if draft and not runtime else {}
        )
        files = files or starter_files(exercise.starter(chosen))
        grading = await _grading(user, slug)
        budget = await budget_of(user.id, slug, rule_for(request.app.state.settings, exercise))
        # JSON for the page's script, never run as code: "<" escaped so no "</script>" can end the block.
        payload = json.dumps({"files": files, "readOnly": grading is not None}).replace("<", "\\u003c")
        return page(
            "editor.html", viewer=user, exercise=exercise, payload=payload, grading=grading, budget=budget,
            runtime=chosen, draft=draft,
        )  # fmt: skip

    @post("/exercises/{slug:str}/draft", status_code=200)
    async def save(self, request: Request, user: SignedIn, slug: FromPath[str]) -> Saved:
        _exercise(request, slug)
        files = _files_of(await request.body())
        return Saved(saved_at=await _keep(user, slug, files), files=len(files))

    @post("/exercises/{slug:str}/editor/submit", status_code=201)
    async def submit(self, request: Request, user: SignedIn, slug: FromPath[str]) -> Submitted:
        """The editor's files as an attempt, through the same intake as an uploaded archive."""
        exercise = _exercise(request, slug)
        state = request.app.state
        if await _grading(user, slug) is not None:
            raise ClientException("your last attempt is still being graded; the editor opens again when it is done")
        files = _files_of(await request.body())
        try:
            await spend(user.id, slug, rule_for(state.settings, exercise))
        except BudgetSpent as exc:
            raise TooManyRequestsException(str(exc)) from None
        try:
            submission_id = await create_submission(state.settings, user.id, exercise, "editor.zip", pack_files(files))
        except ArchiveError as exc:
            raise ClientException(str(exc)) from None
        await _keep(user, slug, files)
        await state.queue.enqueue(submission_id)
        return Submitted(id=submission_id, url=f"/submissions/{submission_id}")
