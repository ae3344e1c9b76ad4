"""Editing a sent message: its sender changes its text, everyone sees "edited".

Only text messages, only by their sender, only while a member, never a deleted one. The
new text follows the rules a sent one does (services/message_text.py); the search index's
triggers re-index it in the same transaction. A member who has left does not see the new
text: the edited message is hidden for them. Whom the message mentions stays as it was
sent (the picks are stored as users, not read from the text). The change is numbered as
every change to a message is (services/message_changes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from chat_app.models import utc_now
from chat_app.services import message_changes, message_hiding, message_text
from chat_app.services.errors import Forbidden, NotFound
from chat_app.services.message_changes import LockedMessage
from chat_app.services.views import MessageChange

# Each edit is pushed to every tab of every member: at most this many a minute per user.
EDITS_PER_MINUTE = 30


def editable_text(*, session: Session, viewer_id: int, conversation_id: object, seq: object) -> str:
    """The text of a message the viewer may edit (what the edit dialog starts from).

    Args:
        session: The database session.
        viewer_id: Who asks (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message's seq (untrusted).

    Returns:
        Its current text.

    Raises:
        NotFound, Refused, Forbidden: As `edit_message`.
    """
    found = message_changes.lock_message(
        session, viewer_id, conversation_id, seq, allowed=_editable_by(viewer_id), lock=False
    )
    return found.message.body


def edit_message(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    body: object,
    now: datetime | None = None,
) -> MessageChange | None:
    """Give one of the viewer's text messages a new text.

    Args:
        session: The database session.
        viewer_id: Who edits (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message's seq (untrusted).
        body: The new text (untrusted).
        now: The current time.

    Returns:
        The change to push, or None when the text is the one it has.

    Raises:
        Refused: The text breaks a message rule (the send's codes: "message_empty",
            "message_too_long", …), or the viewer is no longer a member.
        NotFound: Not the viewer's conversation, no such message in their range, or a
            deleted one.
        Forbidden: Someone else's message, or a file ("edit_not_yours").
        RateLimited: Over EDITS_PER_MINUTE ("too_many_edits").
    """
    now = now or utc_now()
    text = message_text.clean_body(body)
    message_changes.pace(session, viewer_id, "edits", EDITS_PER_MINUTE, now)
    locked = message_changes.lock_message(
        session, viewer_id, conversation_id, seq, allowed=_editable_by(viewer_id)
    )
    message = locked.message
    if message.body == text:
        session.rollback()  # the change number stays where it was
        return None
    message.body = text
    message.edited_at = now
    # Whoever left after the message reached them keeps what they could read then, not
    # what it says now: it is hidden for them (as "delete for me" hides it: their pages,
    # catch-ups, search, export and forwards leave it out), and they are not told.
    departed = message_hiding.hide_for_departed(session, locked.conversation.id, message.seq, now)
    return message_changes.finish(session, locked, not_told=departed)


def _editable_by(viewer_id: int) -> Callable[[LockedMessage], None]:
    """The rule of an edit: the viewer's own text message, not deleted."""

    def allowed(locked: LockedMessage) -> None:
        message = locked.message
        if message.deleted_at is not None:
            raise NotFound()
        if message.sender_id != viewer_id or message.kind != "text":
            raise Forbidden("edit_not_yours")

    return allowed
