"""Admins give and take roles (mentor, author, admin) in the browser; `stagecraft user create` makes the first."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from stagecraft.accounts.tables import ROLES, User
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page


def _admin(user: User) -> None:
    if user.role != "admin":
        raise PermissionDeniedException("Only admins give and take roles.")


async def _people_page(user: User, *, status_code: int = 200, error: str = "") -> Template:
    people = await User.objects().order_by(User.email)
    return page("people.html", status_code=status_code, viewer=user, people=people, roles=ROLES, error=error)


class AdminController(Controller):
    @get("/admin/users")
    async def people(self, user: SignedIn) -> Template:
        _admin(user)
        return await _people_page(user)

    @post("/admin/users/{user_id:int}/role")
    async def set_role(self, request: Request, user: SignedIn, user_id: FromPath[int]) -> Redirect | Template:
        _admin(user)
        person = await User.objects().where(User.id == user_id).first()
        if person is None:
            raise NotFoundException("There is no such person.")
        role = str((await request.form()).get("role") or "")
        if role not in ROLES:
            return await _people_page(user, status_code=400, error=f"Choose one of the roles: {', '.join(ROLES)}.")
        if person.id == user.id and role != "admin":
            return await _people_page(
                user, status_code=400, error="You cannot take your own admin role: ask another admin."
            )
        await User.update({User.role: role}).where(User.id == person.id)
        return Redirect(path="/admin/users")
