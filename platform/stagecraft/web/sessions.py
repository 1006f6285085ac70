"""Server-side sessions whose id changes at login, so a session id planted before login is worthless."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig

_NEW_ID = "stagecraft.new_session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        return connection.scope.get(_NEW_ID) or super().get_session_id(connection)  # type: ignore[return-value]


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


async def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any], config: RotatingSessionConfig) -> None:
    """Drop the current session's stored data and use a fresh id for the rest of this response."""
    old = connection.cookies.get(config.key)
    if old:
        await config.get_store_from_app(connection.scope["app"]).delete(old)
    connection.scope[_NEW_ID] = secrets.token_hex(config.session_id_bytes)  # type: ignore[literal-required]
