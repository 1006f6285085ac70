"""Sessions in the database, so that any web process behind the proxy serves any signed-in browser.

Litestar's server-side sessions keep their data in a `Store`; this one is a table (`sessions`)
on SQLite and PostgreSQL alike. An expired session reads as absent and is removed when read;
`delete_expired` clears the rest (run at start-up).

A session this process has read or written is served from its memory until it expires: the
session middleware asks for it on every request, and the row's value never changes under a key
(signing in makes a new key). What grants by it confirms the row in its own query
(`web.auth.provide_viewer`: the user and the session together), so a sign-out in another process
counts at once. A key found absent or removed is never written again: a request still under way
when its browser signed out (in this process or another) cannot bring the session back.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from litestar.stores.base import Store

from stagecraft.db import write_transaction
from stagecraft.storage.tables import SessionRecord


def _until(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


RENEW_EVERY = timedelta(minutes=5)


def _close(stored: datetime | None, wanted: datetime | None) -> bool:
    if stored is None or wanted is None:
        return stored is wanted
    return abs(wanted - stored) < RENEW_EVERY


class _Seen:
    """What this process last read or wrote for each recent session: (value, expiry); and the
    keys it found absent or removed, which are never written again (a key is new only at sign-in,
    and signing in always makes a new one)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.rows: OrderedDict[str, tuple[bytes, datetime | None]] = OrderedDict()
        self.gone: OrderedDict[str, None] = OrderedDict()

    def mark_gone(self, key: str) -> None:
        self.rows.pop(key, None)
        self.gone[key] = None
        self.gone.move_to_end(key)
        while len(self.gone) > self.size:
            self.gone.popitem(last=False)

    def is_gone(self, key: str) -> bool:
        return key in self.gone

    def remember(self, key: str, value: bytes, expires_at: datetime | None) -> None:
        self.rows[key] = (value, expires_at)
        self.rows.move_to_end(key)
        while len(self.rows) > self.size:
            self.rows.popitem(last=False)

    def get(self, key: str) -> tuple[bytes, datetime | None] | None:
        return self.rows.get(key)


class DatabaseStore(Store):
    """Litestar's Store over the `sessions` table."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen = _Seen()

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        until = _until(expires_in)
        # Litestar stores the session after every response; most are unchanged. A write (a commit)
        # costs far more than nothing: a session this process just read (or wrote) with the same
        # value, whose expiry would move by less than RENEW_EVERY, is left as it is. Should another
        # process have changed it meanwhile, not writing the stale value back is right too.
        if self._seen.is_gone(key):
            return  # signed out (here, or found gone): a request still under way must not bring it back
        seen = self._seen.get(key)
        if seen is None:
            row = (
                await SessionRecord.select(SessionRecord.value, SessionRecord.expires_at)
                .where(SessionRecord.key == key)
                .first()
            )
            seen = (bytes(row["value"]), row["expires_at"]) if row is not None else None
        if seen is not None and seen[0] == data:
            if _close(seen[1], until):
                return
            # Only the expiry moves: renew the row if it is still there, never bring it back.
            renewed = (
                await SessionRecord.update({SessionRecord.expires_at: until})
                .where(SessionRecord.key == key)
                .returning(SessionRecord.id)
            )
            if renewed:
                self._seen.remember(key, data, until)
            else:
                self._seen.mark_gone(key)
            return
        self._seen.remember(key, data, until)
        async with write_transaction():
            updated = (
                await SessionRecord.update({SessionRecord.value: data, SessionRecord.expires_at: until})
                .where(SessionRecord.key == key)
                .returning(SessionRecord.id)
            )
            if not updated:
                await SessionRecord.insert(SessionRecord(key=key, value=data, expires_at=until))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if self._seen.is_gone(key):
            return None
        seen = self._seen.get(key)
        if seen is not None and renew_for is None and (seen[1] is None or seen[1] > datetime.now(UTC)):
            return seen[0]
        row = (
            await SessionRecord.select(SessionRecord.value, SessionRecord.expires_at)
            .where(SessionRecord.key == key)
            .first()
        )
        if row is None:
            self._seen.mark_gone(key)  # removed (expired, signed out elsewhere) or never made
            return None
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        value, expires_at = bytes(row["value"]), row["expires_at"]
        if renew_for is not None and expires_at is not None:
            expires_at = _until(renew_for)
            await SessionRecord.update({SessionRecord.expires_at: expires_at}).where(SessionRecord.key == key)
        self._seen.remember(key, value, expires_at)
        return value

    async def delete(self, key: str) -> None:
        if self._seen.is_gone(key):
            return  # known absent: a stale or made-up cookie costs no write
        self._seen.mark_gone(key)
        await SessionRecord.delete().where(SessionRecord.key == key)

    async def delete_all(self) -> None:
        self._seen.rows.clear()
        self._seen.gone.clear()
        await SessionRecord.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRecord.select(SessionRecord.expires_at).where(SessionRecord.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, int((row["expires_at"] - datetime.now(UTC)).total_seconds()))

    async def delete_expired(self) -> int:
        gone = (
            await SessionRecord.delete()
            .where(SessionRecord.expires_at.is_not_null() & (SessionRecord.expires_at <= datetime.now(UTC)))
            .returning(SessionRecord.id)
        )
        return len(gone)
