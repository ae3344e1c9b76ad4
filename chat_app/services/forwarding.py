"""Forward: send a copy of a message one can read to another chat one writes in.

The copy is a new message of the forwarding user, sent through the same path as one they
typed or uploaded (the target's membership, friendship, rate and quota checks, the
idempotent store): a text's words, or a file's bytes stored again under a new key with
their own thumbnail. Nothing links the copy to the original, as a user who forwards means
"I send this": a deletion of either leaves the other, and the original's chat learns nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from chat_app.models import StoredFile, utc_now
from chat_app.services import (
    conversations,
    file_uploads,
    message_changes,
    message_hiding,
    sending,
    validation,
)
from chat_app.services.errors import NotFound
from chat_app.services.storage import FileStorage
from chat_app.services.views import SentMessage
from chat_app.settings import SETTINGS, Settings

# A forwarded file is read and stored again: each one costs a copy of up to the upload limit.
FORWARDS_PER_MINUTE = 20


def forward_message(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    seq: object,
    to_conversation_id: object,
    client_id: object,
    storage: FileStorage,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> SentMessage:
    """Send a copy of one message the viewer may read to a chat they may write in.

    Args:
        session: The database session.
        viewer_id: Who forwards (from the server-side session).
        conversation_id: The message's conversation (untrusted id).
        seq: The message (untrusted).
        to_conversation_id: Where the copy goes (untrusted id).
        client_id: The copy's id from the forwarding tab: the same forward asked twice
            stores one copy.
        storage: The file store (the composition root's `PROFILE.storage`).
        now: The current time.
        settings: Limits (message length, upload size, quota).

    Returns:
        The stored copy (`created` False when the same forward was stored already).

    Raises:
        NotFound: No message the viewer may read at that place (outside their membership,
            deleted for everyone, a group's event line, a file whose bytes are gone), or a
            target that is not their conversation.
        RateLimited: More than FORWARDS_PER_MINUTE in a minute ("too_many_forwards").
        Refused: The target takes no message from them now (not friends, left the group),
            or the file is over their quota (as a send or an upload would say).
    """
    now = now or utc_now()
    source = conversations.readable(session, viewer_id, conversation_id)
    message = message_changes.message_at(session, source, validation.valid_id(seq))
    # Hidden for them (deleted for themselves, or edited after they left): not theirs to copy.
    if message.deleted_at is not None or message_hiding.hidden_between(
        session, viewer_id, source.id, message.seq, message.seq
    ):
        raise NotFound()
    target = conversations.member_of(session, viewer_id, to_conversation_id)
    conversations.require_writer(target)
    message_changes.pace(session, viewer_id, "forwards", FORWARDS_PER_MINUTE, now)
    if message.kind == "text":
        return sending.send_message(
            session=session,
            viewer_id=viewer_id,
            conversation_id=target.id,
            client_id=client_id,
            body=message.body,
            now=now,
            settings=settings,
        )
    stored = session.get(StoredFile, message.file_id) if message.file_id else None
    if stored is None:
        raise NotFound()
    try:
        original = storage.open(stored.storage_key)
    except FileNotFoundError:
        raise NotFound() from None
    with original:
        return file_uploads.send_file(
            session=session,
            viewer_id=viewer_id,
            conversation_id=target.id,
            client_id=client_id,
            source=original,
            name=stored.original_name,
            now=now,
            settings=settings,
            storage=storage,
        )
