"""Dependencies shared by the routers: the database connection and the signed-in user."""

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

import db
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/signup or POST /auth/login.")


def get_db(request: Request) -> Iterator[sqlite3.Connection]:
    conn = db.connect(request.app.state.database)
    try:
        yield conn
    finally:
        conn.close()


Database = Annotated[sqlite3.Connection, Depends(get_db)]


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a copy of the database does not let anyone sign in."""
    return hashlib.sha256(token.encode()).hexdigest()


def current_user_id(
    conn: Database, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> int:
    unauthorized = HTTPException(401, "a valid Bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    if credentials is None:
        raise unauthorized
    row = conn.execute(
        "SELECT user_id FROM tokens WHERE token_hash = ? AND expires_at > ?",
        (token_hash(credentials.credentials), datetime.now(UTC).isoformat()),
    ).fetchone()
    if row is None:
        raise unauthorized
    return row["user_id"]


UserId = Annotated[int, Depends(current_user_id)]
