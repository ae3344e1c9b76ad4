"""The stored half of presence: when each user was last seen.

Who is online right now is not stored: it is the set of connected tabs, kept by
`chat_app.realtime.presence` next to the sockets themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from chat_app.models import utc_now
from chat_app.services import load_statements


def record_seen(*, session: Session, user_id: int, now: datetime | None = None) -> str:
    """Stamp a user's "last seen" (when a tab connects and when the last one leaves).

    Args:
        session: The database session.
        user_id: The user.
        now: The current time.

    Returns:
        The stamp as ISO-8601.
    """
    now = now or utc_now()
    session.connection().execute(load_statements.RECORD_SEEN, {"user": user_id, "now": now})
    session.commit()
    return now.isoformat()


def friends_last_seen(*, session: Session, user_id: int) -> dict[int, str]:
    """When each friend of a user was last seen (only friends: presence is private).

    Args:
        session: The database session.
        user_id: The viewer.

    Returns:
        Friend id to ISO-8601 time ("" when never seen).
    """
    rows = session.connection().execute(load_statements.FRIENDS_LAST_SEEN, {"user": user_id})
    return {user_id: seen.isoformat() if seen else "" for user_id, seen in rows if user_id}
