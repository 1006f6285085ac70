"""The person's API tokens in the browser: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from stagecraft.api.tokens import SCOPES, TokenError, create_token, revoke, tokens_of
from stagecraft.web.auth import SignedIn
from stagecraft.web.rendering import page


class TokenController(Controller):
    path = "/account/tokens"

    @get("/")
    async def index(self, user: SignedIn) -> Template:
        return page("tokens.html", viewer=user, tokens=await tokens_of(user), scopes=SCOPES, secret=None, error="")

    @post("/")
    async def create(self, request: Request, user: SignedIn) -> Template:
        form = await request.form()
        scopes = [str(s) for s in form.getall("scopes")] if "scopes" in form else []
        raw_days = str(form.get("days") or "").strip()
        try:
            days = int(raw_days) if raw_days else None
        except ValueError:
            days = -1
        try:
            token, secret = await create_token(user, str(form.get("name") or ""), scopes, days)
        except TokenError as exc:
            return page(
                "tokens.html", status_code=400, viewer=user, tokens=await tokens_of(user), scopes=SCOPES,
                secret=None, error=str(exc),
            )  # fmt: skip
        # Shown once, on this answer only: it is stored as a hash.
        return page(
            "tokens.html", status_code=201, viewer=user, tokens=await tokens_of(user), scopes=SCOPES,
            secret=secret, made=token, error="",
        )  # fmt: skip

    @post("/{token_id:int}/revoke")
    async def revoke_one(self, user: SignedIn, token_id: FromPath[int]) -> Redirect:
        if not await revoke(user, token_id):
            raise NotFoundException("There is no such token of yours, or it is revoked already.")
        return Redirect(path="/account/tokens")
