"""Reactions: a member puts one of the quick emoji on a message, or takes it off again.

Any current member reacts to any message still there (not a group event, not a deleted
one), once per emoji; the same call again takes it off. A reaction is a change to the
message like an edit (services/message_changes.py): numbered, caught up on, and pushed as
the message with all its reactions. A deletion takes its reactions with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from chat_app.models import Reaction, utc_now
from chat_app.services import message_changes
from chat_app.services.errors import NotFound
from chat_app.services.message_changes import LockedMessage
from chat_app.services.reaction_views import QUICK_REACTIONS
from chat_app.services.views import MessageChange

# Each reaction is pushed to every tab of every member: at most this many a minute per user.
REACTIONS_PER_MINUTE = 60


def toggle_reaction(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    emoji: object,
    now: datetime | None = None,
) -> MessageChange:
    """Put the viewer's `emoji` on a message, or take it off if it is there.

    Args:
        session: The database session.
        viewer_id: Who reacts (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message's seq (untrusted).
        emoji: One of QUICK_REACTIONS (untrusted).
        now: The current time.

    Returns:
        The change to push: the message with all its reactions.

    Raises:
        NotFound: Not a quick emoji, not the viewer's conversation, no such message in
            their range, or a deleted one.
        Refused: The viewer is no longer a member.
        RateLimited: Over REACTIONS_PER_MINUTE ("too_many_reactions").
    """
    if not isinstance(emoji, str) or emoji not in QUICK_REACTIONS:
        raise NotFound()
    now = now or utc_now()
    message_changes.pace(session, viewer_id, "reactions", REACTIONS_PER_MINUTE, now)
    locked = message_changes.lock_message(
        session, viewer_id, conversation_id, seq, allowed=_still_there
    )
    message = locked.message
    mine = session.exec(
        select(Reaction).where(
            Reaction.message_id == message.id,
            Reaction.user_id == viewer_id,
            Reaction.emoji == emoji,
        )
    ).first()
    if mine is not None:
        session.delete(mine)
    else:
        assert message.id is not None
        session.add(Reaction(message_id=message.id, user_id=viewer_id, emoji=emoji, created_at=now))
    session.flush()
    # Not the chat list's line: a reaction leaves the message's text as it was.
    return message_changes.finish(session, locked, changes_line=False)


def _still_there(locked: LockedMessage) -> None:
    """A deleted message takes no reaction (its place is all that is left)."""
    if locked.message.deleted_at is not None:
        raise NotFound()
