"""Who is asking: the signed-in user from the server-side session."""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from stagecraft.accounts.tables import User
from stagecraft.notifications.services import signed_in_user
from stagecraft.web.sessions import rotate_session_id

SESSION_USER_KEY = "user_id"


async def provide_viewer(request: Request) -> User | None:
    """The signed-in user, or None for an anonymous visitor; the header's unread count rides along.

    Every grant goes through here, and here the session's row is confirmed along with the user
    (the session middleware may have served the session's data from this process's memory)."""
    if "session" not in request.scope or not request.session:
        return None
    config = request.app.state.session_config
    session_key = request.cookies.get(config.key, "")
    user, unread = await signed_in_user(request.session.get(SESSION_USER_KEY), session_key)
    if user is None:
        # Signed out or expired meanwhile (in another process, say): the emptied session is
        # deleted after the response, which makes this process forget it too.
        request.clear_session()
        return None
    request.state.unread = unread
    return user


async def provide_user(request: Request) -> User:
    """The signed-in user; anonymous visitors are sent to the login page."""
    user = await provide_viewer(request)
    if user is None:
        raise NotAuthorizedException("Please log in first.")
    return user


async def sign_in(request: Request, user: User) -> None:
    # A fresh session id on login, so a session id planted before login is worthless.
    await rotate_session_id(request, request.app.state.session_config)
    # The e-mail and role ride along for the error pages' header, which cannot ask the database.
    request.set_session({SESSION_USER_KEY: user.id, "email": user.email, "role": user.role})


def sign_out(request: Request) -> None:
    request.clear_session()


# Handler parameter types: `viewer: Viewer` (maybe anonymous), `user: SignedIn` (must be signed in).
Viewer = NamedDependency[User | None]
SignedIn = NamedDependency[User]


class SessionViewer(msgspec.Struct, frozen=True):
    """Who is signed in, as the session remembers it: enough for the header of an error page."""

    id: int
    email: str
    role: str


IDENTITY_COOKIE = "stagecraft_who"


def identity_cookie(request: Request, user: User) -> Cookie:
    """A signed note of who signed in, for the header of pages the router answers itself (404, 405).

    It grants nothing: every route asks the server-side session; this only names the person.
    """
    value = f"{user.id}|{user.email}|{user.role}"
    mac = hmac.new(request.app.state.settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()
    encoded = base64.urlsafe_b64encode(f"{value}|{mac}".encode()).decode()
    return Cookie(key=IDENTITY_COOKIE, value=encoded, httponly=True, samesite="lax", path="/")


def forget_identity() -> Cookie:
    return Cookie(key=IDENTITY_COOKIE, value="", max_age=0, expires=0, httponly=True, samesite="lax", path="/")


def session_viewer(request: Request) -> SessionViewer | None:
    """Who is signed in, for an error page: from the session when it was read, else from the signed note."""
    session = request.scope.get("session") or {}
    if isinstance(session, dict) and isinstance(session.get(SESSION_USER_KEY), int):
        email, role = str(session.get("email", "")), str(session.get("role", ""))
        return SessionViewer(id=session[SESSION_USER_KEY], email=email, role=role)
    raw = request.cookies.get(IDENTITY_COOKIE, "")
    try:
        user_id, email, role, mac = base64.urlsafe_b64decode(raw.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError):
        return None
    secret = request.app.state.settings.secret_key.encode()
    expected = hmac.new(secret, f"{user_id}|{email}|{role}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected) or not user_id.isdigit():
        return None
    return SessionViewer(id=int(user_id), email=email, role=role)
