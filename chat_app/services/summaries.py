"""The chat list's line per conversation: unread count and last activity.

One statement whatever the number of conversations (statements.SUMMARIES): a user with
many friends opens the chat page as fast as one with a single friend.
"""

from __future__ import annotations

from sqlmodel import Session

from chat_app.services import statements
from chat_app.services.views import ConversationSummary


def summaries(*, session: Session, viewer_id: int) -> tuple[ConversationSummary, ...]:
    """Unread count and last activity of each of the viewer's conversations.

    Args:
        session: The database session.
        viewer_id: The user.

    Returns:
        One summary per conversation the viewer is or was a member of (every friend has
        one, written in or not; a departed member's until they remove it from their
        list), most recent first. The unread count is of messages from others inside the
        viewer's membership, system lines left out.
    """
    rows = session.connection().execute(statements.SUMMARIES, {"viewer": viewer_id})
    result = [
        ConversationSummary(
            conversation_id=row.id,
            friend_id=_other(row.user_low_id, row.user_high_id, viewer_id),
            unread=row.unread,
            last_seq=row.last_seq,
            last_message_at=row.last_message_at.isoformat() if row.last_message_at else "",
            kind=row.kind,
        )
        for row in rows
    ]
    result.sort(key=lambda summary: summary.last_message_at, reverse=True)
    return tuple(result)


def _other(low: int | None, high: int | None, viewer_id: int) -> int:
    """The other user of a direct conversation's pair; 0 for a group (no pair)."""
    if low is None or high is None:
        return 0
    return high if low == viewer_id else low
