"""Helpers shared by the tests: archives in memory and a browser-like client."""

from __future__ import annotations

import asyncio
import contextlib
import io
import zipfile
from pathlib import Path

import httpx

PASSWORD = "correct horse battery"


def zip_directory(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, str(path.relative_to(folder)))
    return buffer.getvalue()


def zip_files(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class Browser:
    """A test client that signs in and sends the CSRF token the way a browser form would."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    async def csrf(self) -> str:
        if "csrftoken" not in self.client.cookies:
            await self.client.get("/login")
        return self.client.cookies["csrftoken"]

    async def post(self, url: str, data: dict | None = None, files: dict | None = None, **kwargs):
        form = {"_csrf_token": await self.csrf(), **(data or {})}
        return await self.client.post(url, data=form, files=files, **kwargs)

    async def get(self, url: str, **kwargs):
        return await self.client.get(url, **kwargs)

    async def login(self, email: str, password: str = PASSWORD):
        response = await self.post("/login", {"email": email, "password": password})
        assert response.status_code in (302, 303), response.text
        return response

    async def become(self, persona: str) -> None:
        """Start afresh as a persona: 'anonymous', or a user's name (alice, bob, mia, ann, adam)."""
        self.client.cookies.clear()
        if persona != "anonymous":
            await self.login(f"{persona}@example.com")


@contextlib.asynccontextmanager
async def running(app):
    """Run the app's lifespan in a task of its own on this loop.

    pytest-asyncio sets a fixture up and tears it down in different tasks, and the lifespan's
    task groups must be left by the task that entered them.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield app
    finally:
        stop.set()
        await task


ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.asynccontextmanager
async def scratch_database(prefix: str = "stagecraft_test"):
    """A new, empty PostgreSQL database for one test (its URL), dropped afterwards."""
    import uuid

    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
