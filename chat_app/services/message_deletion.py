"""Deleting a message for everyone.

A sender deletes their own messages, and a group's owner or admins anyone's (a teacher
takes down what should not be there). The message keeps its place, sender and time, and
loses its content in the deleting transaction: the body is emptied (the search index's
triggers drop its words), its mentions and reactions go, and its file's row goes with it (the bytes
after the commit), so nobody, not even a tab that kept a link, reads it again. The change
is numbered as every change to a message is (services/message_changes.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, col, delete

from chat_app.models import Mention, Reaction, StoredFile, utc_now
from chat_app.services import message_changes
from chat_app.services.errors import Forbidden
from chat_app.services.group_events import MANAGERS
from chat_app.services.message_changes import LockedMessage
from chat_app.services.storage import FileStorage
from chat_app.services.views import MessageChange

logger = logging.getLogger(__name__)

# Each deletion is pushed to every tab of every member: a user deletes at most this many
# messages a minute (a slip cleaned up quickly fits; a script emptying a group does not).
DELETIONS_PER_MINUTE = 30


def delete_for_everyone(
    *,
    session: Session,
    storage: FileStorage,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    now: datetime | None = None,
) -> MessageChange | None:
    """Delete a message for everyone in its conversation.

    Args:
        session: The database session.
        storage: Where its file's bytes are (removed after the commit).
        viewer_id: Who deletes (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seq: The message's seq in it (untrusted).
        now: The current time.

    Returns:
        The change to push, or None when the message was deleted already.

    Raises:
        NotFound: Not a conversation the viewer is a member of, or no such message in
            their range (a group event is no message to delete).
        Refused: The viewer is no longer a member ("not_friends", "conversation_gone").
        Forbidden: Someone else's message, and the viewer is not the group's owner or an
            admin ("delete_not_yours").
        RateLimited: Over DELETIONS_PER_MINUTE ("too_many_deletions").
    """
    now = now or utc_now()
    message_changes.pace(session, viewer_id, "deletions", DELETIONS_PER_MINUTE, now)

    def allowed(locked: LockedMessage) -> None:
        group_manager = locked.conversation.kind == "group" and locked.role in MANAGERS
        if locked.message.sender_id != viewer_id and not group_manager:
            raise Forbidden("delete_not_yours")

    locked = message_changes.lock_message(session, viewer_id, conversation_id, seq, allowed=allowed)
    message = locked.message
    if message.deleted_at is not None:
        session.rollback()  # the change number stays where it was
        return None
    file_id = message.file_id
    message.body = ""
    message.file_id = None
    message.deleted_at = now
    session.add(message)
    session.flush()  # the row lets go of its file before the file's row goes
    session.exec(delete(Mention).where(col(Mention.message_id) == message.id))
    session.exec(delete(Reaction).where(col(Reaction.message_id) == message.id))
    keys = _drop_file(session, file_id)
    change = message_changes.finish(session, locked)
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # the row is gone: the bytes are unreachable, only not freed
            logger.warning("could not remove a deleted message's file %s", key, exc_info=True)
    return change


def _drop_file(session: Session, file_id: str | None) -> list[str]:
    """Delete a message's file row; the storage keys of its bytes, to remove after commit."""
    stored = session.get(StoredFile, file_id) if file_id else None
    if stored is None:
        return []
    keys = sorted({stored.storage_key, stored.thumbnail_key} - {None})
    session.delete(stored)
    return [str(key) for key in keys]
