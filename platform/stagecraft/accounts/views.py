"""Sign up, log in, log out."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from stagecraft.accounts.services import AccountError, authenticate, create_user
from stagecraft.web.auth import Viewer, forget_identity, identity_cookie, sign_in, sign_out
from stagecraft.web.rendering import page


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a person off to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AccountController(Controller):
    @get("/signup")
    async def signup_form(self, viewer: Viewer) -> Template:
        return page("signup.html", viewer=viewer, error="", email="")

    @post("/signup")
    async def signup(self, request: Request) -> Template | Redirect:
        form = await request.form()
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        try:
            user = await create_user(email, password)
        except AccountError as exc:
            return page("signup.html", status_code=400, viewer=None, error=str(exc), email=email)
        await sign_in(request, user)
        return Redirect(path="/", cookies=[identity_cookie(request, user)])

    @get("/login")
    async def login_form(self, viewer: Viewer, next: FromQuery[str] = "/") -> Template:
        return page("login.html", viewer=viewer, error="", email="", next=safe_next(next))

    @post("/login")
    async def login(self, request: Request) -> Template | Redirect:
        form = await request.form()
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        target = safe_next(str(form.get("next", "/")))
        user = await authenticate(email, password)
        if user is None:
            return page(
                "login.html", status_code=400, viewer=None, error="Wrong email or password.", email=email, next=target
            )
        await sign_in(request, user)
        return Redirect(path=target, cookies=[identity_cookie(request, user)])

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        sign_out(request)
        return Redirect(path="/", cookies=[forget_identity()])
