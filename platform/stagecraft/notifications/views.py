"""The notifications list; opening one marks it read and goes to the page it is about."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from stagecraft.notifications.services import KINDS, newest, open_one, read_all
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page


class NotificationController(Controller):
    @get("/notifications")
    async def index(self, user: SignedIn) -> Template:
        return page("notifications.html", viewer=user, notifications=await newest(user.id), kinds=KINDS)

    @post("/notifications/{notification_id:int}/open")
    async def open(self, user: SignedIn, notification_id: FromPath[int]) -> Redirect:
        link = await open_one(user.id, notification_id)
        if link is None:
            raise NotFoundException("There is no such notification.")
        return Redirect(path=link)

    @post("/notifications/read")
    async def mark_all_read(self, user: SignedIn) -> Redirect:
        await read_all(user.id)
        return Redirect(path="/notifications")
