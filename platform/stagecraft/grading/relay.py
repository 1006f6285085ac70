"""Live results across processes: a small notice, "submission N changed", from whoever grades it to
every web process whose pages watch it.

The per-test rows in the database stay the truth; a notice only says when to read them again, and
each live page also re-reads them every few seconds, so a notice lost in a restart costs seconds,
not a result. Embedded (SQLite): grading runs in the web process and the notice goes straight to
its channels. Scaled (PostgreSQL): NOTIFY on one channel; every web process LISTENs on its own
connection, which it opens again after it drops (a PostgreSQL restart, a failover), for as long
as the process runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "stagecraft_changed"
LISTENER_NAME = "stagecraft-live-results"  # the listening connection's application_name, for operators
RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)  # waits between tries to listen again, the last one repeated


class PostgresRelay:
    """NOTIFY to publish, LISTEN (on a connection of its own, reopened when it drops) to deliver."""

    def __init__(self, connect_kwargs: dict, deliver: Callable[[int], None]):
        self.connect_kwargs = connect_kwargs
        self.deliver = deliver  # called in this process for every notice, with the submission id
        self.connected = asyncio.Event()  # set while the listener is connected (tests wait on it)
        self.reconnects = 0
        self._task: asyncio.Task | None = None
        self._sender: asyncpg.Connection | None = None
        self._send_lock = asyncio.Lock()

    async def publish(self, submission_id: int) -> None:
        """Tell every listening process; a failure is logged, never raised (the pages re-read anyway)."""
        async with self._send_lock:
            for _ in range(2):  # a connection that dropped since the last notice: open a new one, once
                try:
                    if self._sender is None or self._sender.is_closed():
                        self._sender = await asyncpg.connect(**self.connect_kwargs)
                    await self._sender.execute("SELECT pg_notify($1, $2)", CHANNEL, str(submission_id), timeout=5)
                    return
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("live-result notice for submission %s not sent: %s", submission_id, exc)
                    await self._close_sender()

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="stagecraft-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._close_sender()

    async def _close_sender(self) -> None:
        if self._sender is not None:
            with contextlib.suppress(Exception):
                await self._sender.close(timeout=2)
            self._sender = None

    def _on_notice(self, connection, pid, channel, payload: str) -> None:
        if payload.isdigit():
            self.deliver(int(payload))

    async def _listen_forever(self) -> None:
        failures = 0
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(
                    **self.connect_kwargs, server_settings={"application_name": LISTENER_NAME}
                )
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notice)
                if failures:
                    self.reconnects += 1
                    log.info("live results: listening again after %d failed tries", failures)
                failures = 0
                self.connected.set()
                await self._watch(connection, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever ended it, listen again (only cancellation stops)
                if failures == 0:
                    log.warning("live results: the listening connection is gone (%r); reconnecting", exc)
            finally:
                self.connected.clear()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            await asyncio.sleep(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
            failures += 1

    @staticmethod
    async def _watch(connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Return when the connection ends: asyncpg tells on a clean end; a probe every few seconds
        finds a half-open one (a server that vanished without closing the socket)."""
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), 5.0)
            except TimeoutError:
                await connection.fetchval("SELECT 1", timeout=5)
