"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Request, Router, get
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from stagecraft.accounts.admin import AdminController
from stagecraft.accounts.views import AccountController
from stagecraft.api.pages import TokenController
from stagecraft.api.views import api_openapi_config, api_router
from stagecraft.authoring.preview import CurriculumWatcher, PreviewController
from stagecraft.authoring.views import AuthorController
from stagecraft.curriculum.loader import load_curriculum
from stagecraft.curriculum.views import CurriculumController
from stagecraft.db import close_database, open_database, postgres_connect_kwargs
from stagecraft.editor.views import EditorController
from stagecraft.gitpush import git_remote
from stagecraft.grading import checkout
from stagecraft.grading.queue import DatabaseQueue, leftover_job_folders, release_dead_owners, sync_clock
from stagecraft.grading.relay import PostgresRelay
from stagecraft.grading.scaled import SaqQueue
from stagecraft.grading.verdicts import LABELS
from stagecraft.grading.worker import Worker, WorkerPool
from stagecraft.notifications.views import NotificationController
from stagecraft.progress.memo import LearnerViews
from stagecraft.reviews.views import ReviewController
from stagecraft.sandbox import janitor
from stagecraft.settings import Settings
from stagecraft.storage.sessions import DatabaseStore
from stagecraft.submissions.history import HistoryController
from stagecraft.submissions.lifecycle import STATE_LABELS
from stagecraft.submissions.views import SubmissionController, channel_name
from stagecraft.web.auth import provide_user, provide_viewer
from stagecraft.web.markdown import render_markdown
from stagecraft.web.rendering import add_security_headers, handle_http_exception, handle_server_error
from stagecraft.web.sessions import RotatingSessionConfig

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).parent
TEMPLATE_DIRS = [PACKAGE / "web" / "templates", *sorted(PACKAGE.glob("*/templates"))]


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _remove_leftover_job_dirs(settings: Settings) -> None:
    """Job folders of this host's processes that died mid-job (never a live one's); their archives
    stay stored, so nothing is lost."""
    for leftover in leftover_job_folders(settings.jobs_dir):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _template_config(watcher: CurriculumWatcher | None = None) -> TemplateConfig:
    def setup(engine: JinjaTemplateEngine) -> None:
        engine.engine.auto_reload = watcher is not None  # templates change only in the author's preview
        engine.engine.filters["markdown"] = render_markdown
        engine.engine.globals["static"] = lambda path: f"/static/{path}"
        # One set of words for a submission's state and verdict, on every page (see submissions.lifecycle).
        engine.engine.globals["verdict_label"] = lambda verdict: LABELS.get(verdict, verdict)
        engine.engine.globals["state_label"] = lambda state: STATE_LABELS.get(state, state)
        engine.engine.globals["preview"] = watcher is not None
        engine.engine.globals["preview_problems"] = (lambda: watcher.problems) if watcher else (lambda: [])
        engine.engine.globals["preview_version"] = (lambda: watcher.version) if watcher else (lambda: 0)

    return TemplateConfig(directory=TEMPLATE_DIRS, engine=JinjaTemplateEngine, engine_callback=setup)


def _refresh_from(watcher: CurriculumWatcher):
    async def refresh(request: Request) -> None:
        await asyncio.to_thread(watcher.refresh, request.app.state)

    return refresh


def create_app(settings: Settings, *, run_workers: bool | None = None, preview: bool = False) -> Litestar:
    """Build the app; grading workers start with it unless `run_workers` (or STAGECRAFT_WORKERS) says no.

    `preview`: the author's preview (`stagecraft curriculum preview`): the curriculum reloads when
    a file changes and exercise pages can grade their own solutions and variants.
    """
    watcher = CurriculumWatcher(settings) if preview else None
    curriculum = load_curriculum(settings.curriculum_dir, settings.graders_dir)
    channels = ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True)
    scaled = settings.queue == "saq"
    queue = SaqQueue(settings.database_url) if scaled else DatabaseQueue()
    workers = settings.workers if run_workers is None else (settings.workers if run_workers else 0)
    if scaled:
        workers = 0  # `stagecraft worker` processes grade

    def deliver(submission_id: int) -> None:  # to this process's live pages
        channels.publish("changed", channels=[channel_name(submission_id)])

    # PostgreSQL: every change goes through NOTIFY, so the pages of every web process hear it.
    relay = None if settings.uses_sqlite else PostgresRelay(postgres_connect_kwargs(settings.database_url), deliver)
    tasks: set[asyncio.Task] = set()

    def notify(submission_id: int) -> None:
        if relay is None:
            deliver(submission_id)
            return
        task = asyncio.get_running_loop().create_task(relay.publish(submission_id))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    @asynccontextmanager
    async def lifespan(app: Litestar):
        async with contextlib.AsyncExitStack() as stack:  # whatever started is stopped, also after a failed start
            await open_database(settings.database_url)
            stack.push_async_callback(close_database)
            await sync_clock()
            await session_store.delete_expired()
            if relay is not None:
                relay.start()
                stack.push_async_callback(relay.stop)
            if scaled:
                await checkout.record(settings)
                await queue.connect()
                stack.push_async_callback(queue.disconnect)
            worker = Worker(settings, curriculum, queue, notify)
            pool = WorkerPool(worker, size=workers)
            if workers:
                removed = await asyncio.to_thread(janitor)
                if removed:
                    log.info("janitor removed %d leftover sandbox objects", removed)
                _remove_leftover_job_dirs(settings)
                requeued = await release_dead_owners()
                if requeued:
                    log.info("resuming %d interrupted submissions", len(requeued))
                pool.start()
                stack.push_async_callback(pool.stop)
            yield

    session_store = DatabaseStore()
    session_config = RotatingSessionConfig(store="sessions", httponly=True, samesite="lax")
    return Litestar(
        route_handlers=[
            # The pages: HTML for people, left out of the API's OpenAPI document.
            Router(
                path="/",
                include_in_schema=False,
                route_handlers=[
                    healthz,
                    AccountController,
                    CurriculumController,
                    SubmissionController,
                    ReviewController,
                    HistoryController,
                    EditorController,
                    NotificationController,
                    AuthorController,
                    AdminController,
                    TokenController,
                    create_static_files_router(path="/static", directories=[PACKAGE / "static"]),
                    *([PreviewController] if preview else []),
                ],
            ),
            api_router,
            git_remote,
        ],
        before_request=_refresh_from(watcher) if watcher else None,
        dependencies={"viewer": Provide(provide_viewer), "user": Provide(provide_user)},
        middleware=[session_config.middleware],
        stores={"sessions": session_store},
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_httponly=False, exclude=["/healthz", "/api/", "/git/"]
        ),
        template_config=_template_config(watcher),
        plugins=[channels],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "curriculum": curriculum,
                "queue": queue,
                "session_config": session_config,
                "watcher": watcher,
                "gradings": {},
                "learner_views": LearnerViews(),
                "preview_tasks": set(),
            }
        ),
        exception_handlers={HTTPException: handle_http_exception, Exception: handle_server_error},
        request_max_body_size=settings.max_upload_bytes + 1024 * 1024,
        openapi_config=api_openapi_config(),  # the API's document (/api/v1/schema/openapi.json) and its viewer
        after_request=add_security_headers,
    )
