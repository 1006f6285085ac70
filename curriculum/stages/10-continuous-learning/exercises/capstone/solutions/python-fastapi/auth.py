"""Sign-up and login: argon2 password hashes, random opaque tokens stored hashed."""

import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from deps import Database, token_hash
from fastapi import APIRouter, HTTPException
from models import Credentials, Problem, Session

TOKEN_LIFETIME = timedelta(hours=24)

router = APIRouter(prefix="/auth", tags=["auth"])
hasher = PasswordHasher()


def issue_token(conn: sqlite3.Connection, user_id: int) -> Session:
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + TOKEN_LIFETIME
    with conn:
        conn.execute(
            "INSERT INTO tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
            (token_hash(token), user_id, expires_at.isoformat()),
        )
    return Session(token=token, expires_at=expires_at)


@router.post("/signup", status_code=201, responses={409: {"model": Problem, "description": "The e-mail is taken"}})
def signup(body: Credentials, conn: Database) -> Session:
    """Create an account and sign in: the answer holds a token valid for 24 hours."""
    try:
        with conn:
            cursor = conn.execute(
                "INSERT INTO users (email, password_hash) VALUES (?, ?)",
                (body.email.lower(), hasher.hash(body.password)),
            )
    except sqlite3.IntegrityError:
        raise HTTPException(409, "an account with this e-mail already exists") from None
    return issue_token(conn, cursor.lastrowid)


@router.post("/login", responses={401: {"model": Problem, "description": "Wrong e-mail or password"}})
def login(body: Credentials, conn: Database) -> Session:
    """Sign in with an e-mail and password: the answer holds a token valid for 24 hours."""
    user = conn.execute("SELECT id, password_hash FROM users WHERE email = ?", (body.email.lower(),)).fetchone()
    try:
        if user is None:
            raise VerificationError
        hasher.verify(user["password_hash"], body.password)
    except VerificationError:
        raise HTTPException(401, "wrong e-mail or password") from None
    return issue_token(conn, user["id"])
