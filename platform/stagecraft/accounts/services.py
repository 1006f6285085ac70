"""Accounts: creating users and checking passwords (argon2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from stagecraft.accounts.tables import ROLES, User

_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("stagecraft-dummy-password")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """Bad account input; the message is shown to the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_new_account(email: str, password: str) -> str:
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise AccountError("Enter a valid email address.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > 1024:
        raise AccountError("That password is too long.")
    return email


async def create_user(email: str, password: str, role: str = "learner") -> User:
    email = validate_new_account(email, password)
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if await User.exists().where(User.email == email):
        raise AccountError("An account with this email already exists.")
    user = User(email=email, password_hash=_hasher.hash(password), role=role, created_at=datetime.now(UTC))
    await user.save()
    return user


async def authenticate(email: str, password: str) -> User | None:
    user = await User.objects().where(User.email == normalise_email(email)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user
