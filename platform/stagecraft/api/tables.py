from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from stagecraft.accounts.tables import User


class ApiToken(Table, tablename="api_tokens"):
    """A personal API token: shown once, kept only as a hash, scoped, revocable."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    prefix = Varchar(length=16, index=True)  # "sc_ab12cd34": how the person recognises it in the list
    token_hash = Varchar(length=64, unique=True)  # SHA-256 of the whole token
    scopes = Varchar(length=40)  # "read" or "read,submit"
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
