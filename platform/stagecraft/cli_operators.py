"""The operators' commands: serve, worker, migrate, images build, deps, user create.

`stagecraft.cli` gathers them beside the learner's and the author's commands.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import sys

import click

from stagecraft.settings import Settings, SettingsError, load_settings


def command_settings() -> Settings:
    """The settings, or a one-line `bad setting` error (exit 1) naming the one to fix."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"bad setting: {exc}") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log a line per request (leave it to the proxy in front when it logs them).",
)
def serve(host: str, port: int, access_log: bool) -> None:
    """Serve the platform (web app and embedded grading workers)."""
    import uvicorn

    from stagecraft.app import create_app
    from stagecraft.curriculum.loader import CurriculumError
    from stagecraft.sandbox import SandboxError
    from stagecraft.sandbox.images import images_ready

    settings = command_settings()
    if settings.workers and settings.queue == "embedded":
        try:
            missing = images_ready(settings.repo_root)
        except SandboxError as exc:
            missing = [f"Docker engine unreachable: {exc}"]
        if missing:
            click.echo(f"warning: cannot grade yet ({', '.join(missing)}); run `stagecraft images build`", err=True)
    try:
        app = create_app(settings)
    except CurriculumError as exc:
        raise click.ClickException(f"the curriculum has problems:\n{exc}") from None
    click.echo(f"Stagecraft on http://{host}:{port} (data in {settings.data_dir})")
    # What was loaded to build the app (the curriculum, templates, modules) lives as long as the
    # process: out of the collector's sight, so its full collections stay short under load.
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log)


@click.command()
def migrate() -> None:
    """Apply pending database migrations and exit (a deploy step; processes also migrate, one at a time)."""
    from stagecraft.db import close_database, open_database

    settings = command_settings()

    async def run() -> None:
        await open_database(settings.database_url)
        await close_database()

    import asyncpg

    try:
        asyncio.run(run())
    except (OSError, RuntimeError, asyncpg.PostgresError) as exc:
        raise click.ClickException(f"could not migrate {shown_url(settings.database_url)}: {exc}") from None
    click.echo(f"The database at {shown_url(settings.database_url)} is up to date.")


def shown_url(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@click.command()
@click.option(
    "--concurrency", default=2, show_default=True, type=click.IntRange(1, 64), help="Grading jobs run at once."
)
def worker(concurrency: int) -> None:
    """Grade submissions from the scaled mode's queue (SAQ on PostgreSQL) on this machine.

    Needs the web's DATABASE_URL, a Docker engine with the sandbox images, and the web's checkout.
    Stops cleanly on SIGTERM or Ctrl-C, finishing or handing back its jobs.
    """
    import signal

    from stagecraft.grading.scaled import WorkerRefused, serve_worker

    settings = command_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve_worker(
            settings,
            concurrency,
            stop,
            on_ready=lambda: click.echo(
                f"Worker ready: {concurrency} job(s) at once, queue on {shown_url(settings.database_url)}"
            ),
        )

    try:
        asyncio.run(run())
    except WorkerRefused as exc:
        click.echo(f"Error: the worker cannot start: {exc}", err=True)
        sys.exit(2)


@click.group()
def images() -> None:
    """Sandbox images."""


@images.command("build")
def images_build() -> None:
    """Build the sandbox images (unchanged ones are skipped)."""
    from stagecraft.sandbox import SandboxError
    from stagecraft.sandbox.images import build_images

    settings = command_settings()
    try:
        reports = build_images(settings.repo_root, settings.cache_dir, log=click.echo)
    except SandboxError as exc:
        raise click.ClickException(str(exc)) from None
    for report in reports:
        state = f"built in {report.seconds:.0f} s" if report.status == "built" else "up to date"
        click.echo(f"{report.name:8} {report.tag:40} {state}")


@click.group()
def deps() -> None:
    """The prepared-dependencies cache (one tree per exact set of dependency files)."""


@deps.command("list")
def deps_list() -> None:
    """List the cached dependency trees, most recently used first."""
    from datetime import datetime

    from stagecraft.grading.pipeline import dependency_settings
    from stagecraft.sandbox.deps_store import DepsStore

    settings = command_settings()
    config = dependency_settings(settings)
    store = DepsStore(config.store_dir, config.max_store_bytes)
    entries = store.entries()
    total = sum(entry.size_bytes for entry in entries)
    click.echo(f"{len(entries)} tree(s), {total / 1024**2:.1f} MiB of {config.max_store_bytes / 1024**2:.0f} MiB")
    for entry in entries:
        used = datetime.fromtimestamp(entry.last_used).strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{entry.key}  {entry.runtime:6} {entry.size_bytes / 1024**2:8.1f} MiB  used {used}  {entry.summary}"
        )


@deps.command("prune")
@click.option(
    "--older-than",
    "days",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Only trees unused for this many days.",
)
def deps_prune(days: float) -> None:
    """Remove cached dependency trees (all of them, or those unused for --older-than days)."""
    from stagecraft.grading.pipeline import dependency_settings
    from stagecraft.sandbox.deps_store import DepsStore

    settings = command_settings()
    config = dependency_settings(settings)
    removed = DepsStore(config.store_dir, config.max_store_bytes).prune(older_than_seconds=days * 86400)
    freed = sum(entry.size_bytes for entry in removed) / 1024**2
    click.echo(f"removed {len(removed)} tree(s), {freed:.1f} MiB")


@click.group()
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice(["learner", "mentor", "author", "admin"]), default="learner", show_default=True
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for when not given.")
def user_create(email: str, role: str, password: str) -> None:
    """Create a user account with the given role."""
    from stagecraft.accounts.services import AccountError, create_user
    from stagecraft.db import close_database, open_database

    settings = command_settings()

    async def run() -> None:
        await open_database(settings.database_url)
        try:
            created = await create_user(email, password, role)
            click.echo(f"created {role} {created.email}")
        finally:
            await close_database()

    try:
        asyncio.run(run())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


OPERATOR_COMMANDS = (serve, migrate, worker, images, deps, user)
