"""Server-side sessions whose id changes at login, so a session id planted before login is worthless,
and that exist only for someone who has something to keep (a visitor, a health probe or an API
client with a token is stored nothing and sent no session cookie)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession

_NEW_ID = "stagecraft.new_session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        return connection.scope.get(_NEW_ID) or super().get_session_id(connection)  # type: ignore[return-value]

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        # Litestar stores an empty session under a fresh id for every request that came without
        # one: a row and a cookie per anonymous request (every crawler hit and health probe, kept
        # for the session's lifetime). An empty session is stored nowhere: one that existed
        # before (signed out) is deleted and its cookie cleared, none at all is left alone.
        if not scope_session:
            if connection.cookies.get(self.config.key, "null") == "null" and not connection.scope.get(_NEW_ID):
                return
            scope_session = Empty
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


async def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any], config: RotatingSessionConfig) -> None:
    """Drop the current session's stored data and use a fresh id for the rest of this response."""
    old = connection.cookies.get(config.key)
    if old:
        await config.get_store_from_app(connection.scope["app"]).delete(old)
    connection.scope[_NEW_ID] = secrets.token_hex(config.session_id_bytes)  # type: ignore[literal-required]
