"""Who is asking: the signed-in user from the server-side session."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from stagecraft.accounts.services import user_by_id
from stagecraft.accounts.tables import User
from stagecraft.notifications.services import unread_count
from stagecraft.web.sessions import rotate_session_id

SESSION_USER_KEY = "user_id"


async def provide_viewer(request: Request) -> User | None:
    """The signed-in user, or None for an anonymous visitor; the header's unread count rides along."""
    if "session" not in request.scope or not request.session:
        return None
    user = await user_by_id(request.session.get(SESSION_USER_KEY))
    if user is not None:
        request.state.unread = await unread_count(user.id)
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
    request.set_session({SESSION_USER_KEY: user.id})


def sign_out(request: Request) -> None:
    request.clear_session()


# Handler parameter types: `viewer: Viewer` (maybe anonymous), `user: SignedIn` (must be signed in).
Viewer = NamedDependency[User | None]
SignedIn = NamedDependency[User]
