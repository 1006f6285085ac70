"""`git push` to submit: one remote per learner and exercise over git's smart HTTP, served in the app.

`git push https://HOST/git/<exercise>.git main` with an API token (scope "submit") as the password
(any user name). dulwich speaks the protocol; a push to `main` becomes an attempt through the same
intake as an upload, and the grading streams back as `remote:` lines while the push waits, ending
with the result page's address. Refused before anything is stored: another branch, a deletion, a
push past the submission budget, a body larger than the upload limit. Only the files of the pushed
commit are read (as bytes, like an archive); no hook, script or learner code runs on the host.
"""

from __future__ import annotations

import asyncio
import base64
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from a2wsgi import WSGIMiddleware
from dulwich.errors import HookError, NotGitRepository
from dulwich.objects import ZERO_SHA, Blob
from dulwich.protocol import CAPABILITY_SIDE_BAND_64K, SIDE_BAND_CHANNEL_PROGRESS
from dulwich.repo import Repo
from dulwich.server import Backend, ReceivePackHandler, UploadPackHandler
from dulwich.web import make_wsgi_chain
from litestar import asgi
from litestar.types import Receive, Scope, Send

from stagecraft.api.tokens import user_for_token
from stagecraft.grading.verdicts import LABELS
from stagecraft.submissions.archive import ArchiveError
from stagecraft.submissions.budget import BudgetSpent, rule_for, spend
from stagecraft.submissions.services import create_submission, test_results
from stagecraft.submissions.tables import Submission

MAIN = b"refs/heads/main"
WAIT_SECONDS = 900  # a push waits this long for its grading at most, then points at the result page
_MARKS = {"passed": "PASS", "failed": "FAIL", "error": "ERR ", "skipped": "SKIP"}


class _Run:
    """Runs the app's coroutines from dulwich's thread, on the app's own event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop

    def __call__(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


class _PreReceive:
    def __init__(self, push: _Push):
        self.push = push

    def execute(self, client_refs: list[tuple[bytes, bytes, bytes]]) -> tuple[bytes, bytes]:
        for _old, new, ref in client_refs:
            if ref != MAIN:
                raise HookError(f"push to main: `git push <remote> HEAD:main` ({ref.decode(errors='replace')} refused)")
            if new == ZERO_SHA:
                raise HookError("main cannot be deleted here")
        try:
            self.push.run(spend(self.push.user.id, self.push.exercise.slug, self.push.rule))
        except BudgetSpent as exc:
            raise HookError(str(exc)) from None
        return b"", b""


class _PostReceive:
    """Turns the pushed main into an attempt and follows its grading, one line at a time."""

    def __init__(self, push: _Push):
        self.push = push

    def lines(self, client_refs: list[tuple[bytes, bytes, bytes]]) -> Iterator[str]:
        new = next((new for _old, new, ref in client_refs if ref == MAIN), None)
        if new is None:
            return
        push = self.push
        try:
            data = _pack_commit(push.repo, new, push.settings.max_upload_bytes)
            submission_id = push.run(create_submission(push.settings, push.user.id, push.exercise, "push.zip", data))
        except ArchiveError as exc:
            yield f"refused: {exc}"
            return
        push.run(push.queue.enqueue(submission_id))
        yield f"attempt #{submission_id} of {push.exercise.slug}, graded now:"
        printed: set[str] = set()
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            submission, results = push.run(_snapshot(submission_id))
            for result in results:
                if result.test_id in printed or result.status not in _MARKS:
                    continue
                printed.add(result.test_id)
                points = f"({result.score:g}/{result.max_score:g})"
                yield f"{_MARKS[result.status]} {result.test_id}: {result.title}  {points}"
                if result.status != "passed" and result.message:
                    yield f"     {result.message}"
            if submission.state == "finished":
                verdict = submission.verdict.upper() + (" (polished)" if submission.polished else "")
                score = f"score {submission.score:g}/{submission.max_score:g}"
                yield f"{verdict}: {LABELS.get(submission.verdict, '')}  {score}"
                break
            if time.monotonic() > deadline:
                yield "still grading; the result page shows the rest"
                break
            time.sleep(0.5)
        yield f"result page: {push.base_url}/submissions/{submission_id}"


async def _snapshot(submission_id: int) -> tuple[Submission, list]:
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    return submission, await test_results(submission_id)


def _pack_commit(repo: Repo, sha: bytes, limit: int) -> bytes:
    """The commit's files as a .zip (blobs read as bytes; links and submodules are refused like in an archive)."""
    store = repo.object_store
    tree = store[store[sha].tree]
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in store.iter_tree_contents(tree.id):
            mode = entry.mode
            if mode & 0o170000 == 0o120000:
                raise ArchiveError(f"{entry.path.decode(errors='replace')} is a symbolic link; commit the file itself")
            if mode & 0o170000 == 0o160000:
                raise ArchiveError(f"{entry.path.decode(errors='replace')} is a submodule; commit its files instead")
            blob = store[entry.sha]
            if not isinstance(blob, Blob):
                continue
            total += len(blob.data)
            if total > limit:
                raise ArchiveError(f"the pushed files come to more than {limit // (1024 * 1024)} MiB")
            archive.writestr(entry.path.decode("utf-8", "surrogateescape"), blob.data)
    return buffer.getvalue()


class _StreamingReceivePack(ReceivePackHandler):
    """Receive-pack whose post-receive lines reach the pusher as they come (`remote: ...`)."""

    def _on_post_receive(self, client_refs: list[tuple[bytes, bytes, bytes]]) -> None:
        hook = self.repo.hooks.get("post-receive")  # type: ignore[attr-defined]
        if not isinstance(hook, _PostReceive):
            return
        for line in hook.lines(client_refs):
            if self.has_capability(CAPABILITY_SIDE_BAND_64K):
                self.proto.write_sideband(SIDE_BAND_CHANNEL_PROGRESS, (line + "\n").encode("utf-8", "replace"))


class _Push:
    """One push: who, to which exercise's remote, and how to reach the app from dulwich's thread."""

    def __init__(self, state: Any, user: Any, run: _Run, base_url: str):
        self.settings, self.queue, self.curriculum = state.settings, state.queue, state.curriculum
        self.user, self.run, self.base_url = user, run, base_url
        self.exercise: Any = None
        self.rule: Any = None
        self.repo: Any = None


class _LearnerBackend(Backend):
    """Each learner's remotes: DATA_DIR/git/<user id>/<exercise>.git, made on first use."""

    def __init__(self, root: Path, push: _Push):
        self.root, self.push = root, push

    def open_repository(self, path: str | bytes) -> Repo:
        name = (path.decode("utf-8", "replace") if isinstance(path, bytes) else path).strip("/")
        slug = name.removesuffix(".git")
        exercise = self.push.curriculum.exercise(slug)
        if not name.endswith(".git") or "/" in name or exercise is None:
            raise NotGitRepository(f"no exercise remote {name!r}: use /git/<exercise>.git")
        folder = self.root / str(self.push.user.id) / f"{slug}.git"
        if (folder / "HEAD").exists():
            repo = Repo(str(folder))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            repo = Repo.init_bare(str(folder))
            repo.refs.set_symbolic_ref(b"HEAD", MAIN)
        # Our hooks only: a bare remote made here has no hook scripts, and a push never brings any.
        repo.hooks.clear()
        self.push.exercise, self.push.rule, self.push.repo = exercise, rule_for(self.push.settings, exercise), repo
        repo.hooks["pre-receive"] = _PreReceive(self.push)
        repo.hooks["post-receive"] = _PostReceive(self.push)
        return repo


async def _reply(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *headers]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _token_of(scope: Scope) -> str:
    header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        _, _, password = base64.b64decode(value).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return ""
    return password


@asgi("/git", is_mount=True, copy_scope=True)
async def git_remote(scope: Scope, receive: Receive, send: Send) -> None:
    state = scope["app"].state
    found = await user_for_token(_token_of(scope))
    if found is None:
        realm = [(b"www-authenticate", b'Basic realm="Stagecraft: your API token as the password"')]
        await _reply(send, 401, "Use an API token (scope submit) as the password: make one on /account/tokens", realm)
        return
    user, scopes = found
    if "submit" not in scopes:
        await _reply(send, 403, "This token cannot submit: make one with the submit scope")
        return
    length = int(dict(scope.get("headers", [])).get(b"content-length", b"0") or 0)
    if length > state.settings.max_upload_bytes:
        await _reply(send, 413, f"The push is larger than {state.settings.max_upload_bytes // (1024 * 1024)} MiB")
        return
    # Litestar hands a mount the rest of the path with a "/" added; git's URLs must stay exact.
    raw = scope.get("raw_path") or scope["path"].encode()
    scope["path"] = raw.decode("latin-1").split("?", 1)[0].removeprefix("/git") or "/"
    scope["root_path"] = ""
    host = dict(scope.get("headers", [])).get(b"host", b"localhost").decode("latin-1")
    push = _Push(state, user, _Run(asyncio.get_running_loop()), f"{scope.get('scheme', 'http')}://{host}")
    backend = _LearnerBackend(state.settings.data_dir / "git", push)
    handlers = {b"git-receive-pack": _StreamingReceivePack, b"git-upload-pack": UploadPackHandler}
    await WSGIMiddleware(make_wsgi_chain(backend, handlers=handlers))(scope, receive, send)  # type: ignore[arg-type]
