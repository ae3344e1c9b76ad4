"""The stored half of presence: when each user was last seen.

Who is online right now is not stored: it is the set of connected tabs, kept by
`chat_app.realtime.presence` next to the sockets themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select, update

from chat_app.models import User, utc_now
from chat_app.services import friends


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
    session.exec(update(User).where(col(User.id) == user_id).values(last_seen_at=now))
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
    ids = friends.friend_ids(session=session, user_id=user_id)
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.last_seen_at).where(col(User.id).in_(ids))).all()
    return {user_id: seen.isoformat() if seen else "" for user_id, seen in rows if user_id}
