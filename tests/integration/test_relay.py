"""Live results across processes on a real PostgreSQL: a notice published by one relay reaches
every listening one, also after the listening connection was cut and after PostgreSQL restarted."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import asyncpg
import pytest

from stagecraft.db import postgres_connect_kwargs
from stagecraft.grading.relay import LISTENER_NAME, PostgresRelay

pytestmark = pytest.mark.postgres
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class Inbox:
    def __init__(self):
        self.ids: list[int] = []
        self.arrived = asyncio.Event()

    def deliver(self, submission_id: int) -> None:
        self.ids.append(submission_id)
        self.arrived.set()

    async def expect(self, submission_id: int, timeout: float = 10) -> None:
        async def wait():
            while submission_id not in self.ids:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(wait(), timeout)


async def _published_until_heard(sender: PostgresRelay, inbox: Inbox, submission_id: int) -> None:
    """Publish until the listener hears it (a notice sent while it reconnects is lost, by design)."""
    for _ in range(50):
        await sender.publish(submission_id)
        try:
            await inbox.expect(submission_id, timeout=0.5)
            return
        except TimeoutError:
            continue
    raise AssertionError(f"notice {submission_id} never arrived; heard {inbox.ids}")


@pytest.fixture
async def relays():
    inbox = Inbox()
    kwargs = postgres_connect_kwargs(DATABASE_URL)
    listener = PostgresRelay(kwargs, inbox.deliver)
    sender = PostgresRelay(kwargs, lambda submission_id: None)  # another process: it only publishes
    listener.start()
    await asyncio.wait_for(listener.connected.wait(), 10)
    yield listener, sender, inbox
    await listener.stop()
    await sender.stop()


async def test_a_notice_reaches_another_process(relays):
    listener, sender, inbox = relays
    await sender.publish(41)
    await inbox.expect(41)
    await sender.publish(42)
    await inbox.expect(42)
    assert inbox.ids == [41, 42]


async def test_the_listener_comes_back_after_its_connection_is_cut(relays):
    listener, sender, inbox = relays
    admin = await asyncpg.connect(DATABASE_URL)
    try:
        cut = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", LISTENER_NAME
        )
    finally:
        await admin.close()
    assert cut >= 1
    await _published_until_heard(sender, inbox, 7)
    assert listener.reconnects >= 1


@pytest.mark.skipif(not shutil.which("pg_ctlcluster"), reason="restarting needs Debian's pg_ctlcluster")
async def test_live_results_survive_a_postgresql_restart(relays):
    listener, sender, inbox = relays
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    restart = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    await asyncio.to_thread(subprocess.run, restart, check=True, capture_output=True, timeout=120)
    await _published_until_heard(sender, inbox, 9)  # the sender's connection is new too
    assert listener.reconnects >= 1
