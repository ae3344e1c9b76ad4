"""Storing uploads: files and images sent in conversations, and avatars (all or nothing).

An upload is copied to a temporary file and refused as soon as it passes the size limit.
Images (PNG, JPEG, GIF, WebP) get a bounded thumbnail re-encoded by Pillow within a memory
budget (images.py); one too large to decode safely is sent without thumbnail. Contents are
stored under random keys in the store the caller hands in (the composition root's,
realtime/profile.py).
"""

from __future__ import annotations

import hashlib
import io
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlmodel import Session, func, select

from chat_app.models import StoredFile, User, utc_now
from chat_app.services import conversations, images, relations, sending
from chat_app.services.errors import NotFound, Refused
from chat_app.services.file_inspection import display_name, sniff
from chat_app.services.storage import FileStorage
from chat_app.services.views import SentMessage
from chat_app.settings import SETTINGS, Settings

THUMBNAIL_SIZE = (360, 360)
AVATAR_SIZE = (160, 160)
# New avatars and group pictures per user: trying a few on is far below it.
PICTURES_PER_HOUR = 30
COPY_CHUNK = 1024 * 1024


@contextmanager
def _spooled(source: BinaryIO, limit: int) -> Iterator[tuple[BinaryIO, int, str]]:
    """Copy an upload to a temporary file, refusing it as soon as it passes `limit`."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryFile() as spool:
        while chunk := source.read(COPY_CHUNK):
            size += len(chunk)
            if size > limit:
                raise Refused("file_too_large")
            digest.update(chunk)
            spool.write(chunk)
        spool.seek(0)
        yield spool, size, digest.hexdigest()


def _thumbnail(
    spool: BinaryIO, box: tuple[int, int], required: bool = False
) -> tuple[bytes, int, int] | None:
    """A re-encoded PNG/JPEG no larger than `box` and the original's size, or None.

    Decoded within the process's memory budget (images.py).

    Raises:
        Refused: `required` (an avatar) and the picture is too large to decode safely.
    """
    try:
        made = images.thumbnail(spool, box)
    except images.TooLarge:
        if required:
            raise Refused("avatar_too_large") from None
        return None  # still sent, as a file without thumbnail
    return (made.data, made.width, made.height) if made is not None else None


def _used_bytes(session: Session, owner_id: int) -> int:
    return session.exec(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(StoredFile.owner_id == owner_id)
    ).one()


def send_file(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    client_id: object,
    source: BinaryIO,
    name: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    storage: FileStorage,
) -> SentMessage:
    """Store an uploaded file and send it as a message (all or nothing).

    Args:
        session: The database session.
        viewer_id: The sender (from the server-side session).
        conversation_id: The conversation (untrusted id).
        client_id: The sending tab's id for this message (retries reuse it).
        source: The uploaded bytes.
        name: The browser's file name (untrusted).
        now: The current time.
        settings: Size limit, quota.
        storage: The file store (the composition root's `PROFILE.storage`).

    Returns:
        The stored file message.

    Raises:
        NotFound: Not a conversation the viewer is or was a member of.
        Refused: No longer a member (conversations.require_writer), empty, over the size
            limit or the quota (a picture too large to decode safely is still sent,
            without thumbnail).
    """
    # Checked before any byte is written; send_message checks again in its transaction. A
    # picture is decoded before its message is stored: so at most as often as messages go.
    conversation = conversations.member_of(session, viewer_id, conversation_id)
    conversations.require_writer(conversation)
    sending.require_message_rate(session, viewer_id, now, settings)
    with _spooled(source, settings.max_upload_bytes) as (spool, size, sha256):
        if size == 0:
            raise Refused("file_empty")
        if _used_bytes(session, viewer_id) + size > settings.user_quota_bytes:
            raise Refused("quota_exceeded")
        mime = sniff(spool.read(16))
        spool.seek(0)
        thumbnail = _thumbnail(spool, THUMBNAIL_SIZE) if mime.startswith("image/") else None
        file_id = secrets.token_hex(16)
        stored = StoredFile(
            id=file_id,
            owner_id=viewer_id,
            original_name=display_name(name),
            size=size,
            mime=mime,
            sha256=sha256,
            storage_key=file_id,
            thumbnail_key=f"{file_id}-thumb" if thumbnail else None,
            width=thumbnail[1] if thumbnail else None,
            height=thumbnail[2] if thumbnail else None,
            created_at=now or utc_now(),
        )
        keys = [stored.storage_key]
        try:
            storage.save(stored.storage_key, spool)
            if thumbnail and stored.thumbnail_key:
                keys.append(stored.thumbnail_key)
                storage.save(stored.thumbnail_key, io.BytesIO(thumbnail[0]))
            sent = sending.send_message(
                session=session,
                viewer_id=viewer_id,
                conversation_id=conversation.id,
                client_id=client_id,
                body=stored.original_name,
                now=now,
                settings=settings,
                attachment=stored,
            )
        except BaseException:
            for key in keys:
                storage.delete(key)
            raise
        if not sent.created:
            # A retry of a file already sent: keep the first copy only.
            for key in keys:
                storage.delete(key)
        return sent


def set_avatar(
    *,
    session: Session,
    viewer_id: int,
    source: BinaryIO,
    name: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    storage: FileStorage,
) -> str:
    """Replace the viewer's avatar with an uploaded image.

    Args:
        session: The database session.
        viewer_id: The user.
        source: The uploaded bytes.
        name: The browser's file name (untrusted).
        now: The current time.
        settings: Size limit.
        storage: The file store (the composition root's `PROFILE.storage`).

    Returns:
        The new avatar's file id.

    Raises:
        Refused: Not a readable PNG, JPEG, GIF or WebP, empty, too large to upload or
            to decode safely (avatar_too_large).
    """
    user = session.get(User, viewer_id)
    if user is None:
        raise NotFound()
    old = user.avatar_file_id
    with _new_picture(session, viewer_id, source, name, now, settings, storage) as file_id:
        user.avatar_file_id = file_id
        session.add(user)
        session.commit()
    if old:
        _delete_file(session, storage, old)
    return file_id


def store_picture(
    *,
    session: Session,
    owner_id: int,
    source: BinaryIO,
    name: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    storage: FileStorage,
) -> str:
    """Store an uploaded image as a picture nothing uses yet (a group's avatar to be).

    Args:
        session: The database session.
        owner_id: Who uploads it (from the server-side session).
        source: The uploaded bytes.
        name: The browser's file name (untrusted).
        now: The current time.
        settings: Size limit.
        storage: The file store (the composition root's `PROFILE.storage`).

    Returns:
        The picture's file id.

    Raises:
        Refused: As `set_avatar`.
    """
    with _new_picture(session, owner_id, source, name, now, settings, storage) as file_id:
        session.commit()
    return file_id


def delete_picture(*, session: Session, storage: FileStorage, file_id: str) -> None:
    """Delete a picture `store_picture` stored that did not get used, with its contents.

    Args:
        session: The database session.
        storage: The file store.
        file_id: The picture.
    """
    _delete_file(session, storage, file_id)


@contextmanager
def _new_picture(
    session: Session,
    owner_id: int,
    source: BinaryIO,
    name: object,
    now: datetime | None,
    settings: Settings,
    storage: FileStorage,
) -> Iterator[str]:
    """A new avatar-sized picture's row, added for the caller to use and commit.

    Whatever fails before the caller's commit rolls back and deletes the contents.

    Raises:
        RateLimited: More than PICTURES_PER_HOUR new pictures ("too_many_pictures"): each
            is decoded, and a header may claim a picture as large as the decode budget.
    """
    relations.count_action(
        session=session,
        user_id=owner_id,
        action="pictures",
        limit=PICTURES_PER_HOUR,
        window=timedelta(hours=1),
        now=now,
    )
    with _spooled(source, settings.max_upload_bytes) as (spool, size, _sha256):
        if size == 0:
            raise Refused("file_empty")
        mime = sniff(spool.read(16))
        spool.seek(0)
        is_image = mime.startswith("image/")
        thumbnail = _thumbnail(spool, AVATAR_SIZE, required=True) if is_image else None
        if thumbnail is None:
            raise Refused("avatar_not_image")
        file_id = secrets.token_hex(16)
        key = f"{file_id}-thumb"
        storage.save(key, io.BytesIO(thumbnail[0]))
        try:
            session.add(
                StoredFile(
                    id=file_id,
                    owner_id=owner_id,
                    original_name=display_name(name),
                    size=len(thumbnail[0]),
                    mime="image/png",
                    sha256=hashlib.sha256(thumbnail[0]).hexdigest(),
                    storage_key=key,
                    thumbnail_key=key,
                    width=thumbnail[1],
                    height=thumbnail[2],
                    created_at=now or utc_now(),
                )
            )
            yield file_id
        except BaseException:
            session.rollback()
            storage.delete(key)
            raise


def _delete_file(session: Session, storage: FileStorage, file_id: str) -> None:
    stored = session.get(StoredFile, file_id)
    if stored is None:
        return
    for key in {stored.storage_key, stored.thumbnail_key} - {None}:
        storage.delete(str(key))
    session.delete(stored)
    session.commit()
