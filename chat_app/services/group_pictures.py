"""A group's picture from an upload: stored like a user's avatar, then given to the group.

The role is checked before the image is decoded (a plain member's upload costs no
decoding) and again under the group's lock (`groups.set_avatar`); a refused picture is
deleted again. The replaced picture's row is gone with the commit; its contents are the
change's `storage_keys`, for the caller to delete, as for every group change.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from sqlmodel import Session

from chat_app.services import file_uploads, group_events, groups
from chat_app.services.errors import DomainError, Forbidden, NotFound
from chat_app.services.group_events import GONE, MANAGERS
from chat_app.services.group_views import GroupChange
from chat_app.services.storage import FileStorage
from chat_app.settings import SETTINGS, Settings


def set_picture(
    *,
    session: Session,
    actor_id: int,
    conversation_id: object,
    source: BinaryIO,
    name: object,
    storage: FileStorage,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
) -> GroupChange:
    """Make an uploaded image a group's picture (its owner or an admin).

    Args:
        session: The database session.
        actor_id: Who acts (from the server-side session).
        conversation_id: The group (untrusted id).
        source: The uploaded bytes.
        name: The browser's file name (untrusted).
        storage: The file store (the composition root's `PROFILE.storage`).
        now: The current time.
        settings: Size limit.

    Returns:
        The change ("avatar"); its `storage_keys` hold the replaced picture's contents.

    Raises:
        NotFound: Not a group the actor is a current member of.
        Forbidden: The actor is a plain member (group_admins_only).
        Refused: Not a readable image, empty or too large (as a user's avatar).
    """
    key = group_events.group_id(conversation_id)
    role = group_events.role_of(session, actor_id, key)
    if role is None:
        raise NotFound(GONE)
    if role not in MANAGERS:
        raise Forbidden("group_admins_only")
    file_id = file_uploads.store_picture(
        session=session,
        owner_id=actor_id,
        source=source,
        name=name,
        now=now,
        settings=settings,
        storage=storage,
    )
    try:
        change = groups.set_avatar(
            session=session, actor_id=actor_id, conversation_id=key, file_id=file_id, now=now
        )
    except DomainError:
        # Removed or demoted meanwhile: the picture is nobody's.
        file_uploads.delete_picture(session=session, storage=storage, file_id=file_id)
        raise
    return change
