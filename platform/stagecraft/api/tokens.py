"""Personal API tokens: made in the browser, shown once, stored hashed, scoped, revocable, with "last used"."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from stagecraft.accounts.tables import User
from stagecraft.api.tables import ApiToken

PREFIX = "sc_"
SCOPES = ("read", "submit")
MAX_TOKENS = 20


class TokenError(ValueError):
    """A token request a person must change (a name, a scope, too many tokens)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(user: User, name: str, scopes: list[str], days: int | None) -> tuple[ApiToken, str]:
    """A new token and its secret (shown to the person once, never stored)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("give the token a name of 1 to 100 characters, e.g. “my laptop”")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise TokenError(f"choose the token's scopes among {', '.join(SCOPES)}")
    if days is not None and not 1 <= days <= 365:
        raise TokenError("a token lasts from 1 to 365 days, or until revoked")
    active = await ApiToken.count().where((ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
    if active >= MAX_TOKENS:
        raise TokenError(f"you have {active} tokens; revoke one first (at most {MAX_TOKENS})")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    token = ApiToken(
        user=user.id,
        name=name,
        prefix=secret[:11],
        token_hash=_hash(secret),
        scopes=",".join(s for s in SCOPES if s in scopes),  # "submit" implies nothing else: "read" is chosen too
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    await token.save()
    return token, secret


async def tokens_of(user: User) -> list[ApiToken]:
    return await ApiToken.objects().where(ApiToken.user == user.id).order_by(ApiToken.id, ascending=False)


async def revoke(user: User, token_id: int) -> bool:
    done = (
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)})
        .where((ApiToken.id == token_id) & (ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
        .returning(ApiToken.id)
    )
    return bool(done)


async def user_for_token(secret: str) -> tuple[User, frozenset[str]] | None:
    """The user and scopes of a valid token (not revoked, not expired); its "last used" is noted."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = await ApiToken.objects().where(ApiToken.token_hash == _hash(secret)).first()
    now = datetime.now(UTC)
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        return None
    await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token.id)
    user = await User.objects().where(User.id == token.user).first()
    return (user, frozenset(token.scopes.split(","))) if user else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
