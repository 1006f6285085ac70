"""In-app notifications: written where things happen, read in the header and on /notifications."""

from __future__ import annotations

from datetime import UTC, datetime

from stagecraft.accounts.tables import User
from stagecraft.notifications.tables import Notification

KINDS = {"review_started": "Review started", "comment": "Comment", "verdict": "Verdict", "reply": "Reply"}
SHOWN = 100  # the newest notifications listed


async def notify(user_id: int | None, kind: str, text: str, link: str) -> None:
    """Tell one person; nobody (None) is told nothing. `link` is a same-site path."""
    if user_id is None:
        return
    if kind not in KINDS or not link.startswith("/") or link.startswith("//"):
        raise ValueError(f"a notification needs a known kind and a same-site link, not {kind!r}, {link!r}")
    await Notification.insert(
        Notification(user=user_id, kind=kind, text=text[:500], link=link[:300], created_at=datetime.now(UTC))
    )


async def signed_in_user(user_id: object, session_key: str) -> tuple[User | None, int]:
    """The user behind a session and their unread notifications, in one query: every signed-in page
    asks for both (the header shows the count). The session row is confirmed in the same query
    (present, not expired): a process may have served the session's data from memory, and a
    sign-out in another process must count at once."""
    if not isinstance(user_id, int) or not session_key:
        return None, 0
    columns = ", ".join(f'u."{column._meta.db_column_name}"' for column in User._meta.columns)
    rows = await User.raw(
        f"SELECT {columns}, (SELECT count(*) FROM notifications n"  # noqa: S608 - column names from the table
        ' WHERE n."user" = u.id AND n.read_at IS NULL) AS unread_count FROM users u WHERE u.id = {}'
        " AND EXISTS (SELECT 1 FROM sessions s WHERE s.key = {} AND (s.expires_at IS NULL OR s.expires_at > {}))",
        user_id,
        session_key,
        datetime.now(UTC),
    )
    if not rows:
        return None, 0
    row = rows[0]
    unread = int(row.pop("unread_count"))
    return User(_exists_in_db=True, **{name: value for name, value in row.items()}), unread


async def newest(user_id: int) -> list[Notification]:
    return (
        await Notification.objects()
        .where(Notification.user == user_id)
        .order_by(Notification.id, ascending=False)
        .limit(SHOWN)
    )


async def open_one(user_id: int, notification_id: int) -> str | None:
    """Mark one of the user's notifications read and return where it points; None if it is not theirs."""
    found = (
        await Notification.objects()
        .where((Notification.id == notification_id) & (Notification.user == user_id))
        .first()
    )
    if found is None:
        return None
    if found.read_at is None:
        await Notification.update({Notification.read_at: datetime.now(UTC)}).where(Notification.id == found.id)
    return found.link


async def read_all(user_id: int) -> None:
    await Notification.update({Notification.read_at: datetime.now(UTC)}).where(
        (Notification.user == user_id) & Notification.read_at.is_null()
    )
