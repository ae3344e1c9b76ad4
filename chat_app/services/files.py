"""Files and images in conversations, and avatars: checks, storage, signed download URLs.

The type is sniffed from the first bytes, never taken from the name or the browser. Images
(PNG, JPEG, GIF, WebP) get a bounded thumbnail re-encoded by Pillow within a memory budget
(images.py); one too large to decode safely is sent without thumbnail. Contents are stored
under random keys in a private store; the original name lives only in the database.
Downloads go through signed, expiring URLs bound to one login session and one file
(file_links.py), and the route checks membership again.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from sqlmodel import Session, func, select

from chat_app.models import Conversation, StoredFile, User, utc_now
from chat_app.services import conversations, images, sending
from chat_app.services.errors import NotFound, Refused
from chat_app.services.storage import FileStorage, LocalFileStorage
from chat_app.services.validation import neutralize_var_markers
from chat_app.services.views import SentMessage
from chat_app.settings import SETTINGS, Settings

MAX_NAME_LENGTH = 255
THUMBNAIL_SIZE = (360, 360)
AVATAR_SIZE = (160, 160)
COPY_CHUNK = 1024 * 1024

IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff(head: bytes) -> str:
    """The MIME type of a file from its first bytes.

    Args:
        head: At least the first 16 bytes (fewer for tiny files).

    Returns:
        An image type for PNG, JPEG, GIF and WebP, a few well-known others, else
        application/octet-stream (HTML disguised as an image lands here).
    """
    for signature, mime in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, mime in OTHER_SIGNATURES:
        if head.startswith(signature):
            return mime
    return "application/octet-stream"


def display_name(name: object) -> str:
    """A safe display name: no path, no control or direction-override characters.

    Args:
        name: The name the browser sent (untrusted).

    Returns:
        At most 255 characters, the extension kept; "file" when nothing is left.
    """
    text = name if isinstance(name, str) else ""
    # Browsers percent-encode exactly these three in multipart file names (HTML spec).
    text = text.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
    text = unicodedata.normalize("NFC", text.replace("\\", "/").rsplit("/", 1)[-1])
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    # Names are shown in toasts and titles some day: no Reflex Var marker (safe_text.py).
    text = neutralize_var_markers(text).strip().strip(".").strip()
    if not text:
        return "file"
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            text = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            text = text[:MAX_NAME_LENGTH]
    return text


def content_disposition(name: str, inline: bool = False) -> str:
    """A Content-Disposition header value with an RFC 6266 / RFC 5987 `filename*`.

    Args:
        name: The display name (any script).
        inline: True only for re-encoded thumbnails.

    Returns:
        The header value, with an ASCII fallback `filename` for old clients.
    """
    ascii_fallback = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@cache
def _stored_secret(path: Path) -> bytes:
    """The key kept with the data (made on first use), read once per process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive create: two workers starting together end up with the same key.
        with path.open("xb") as out:
            path.chmod(0o600)
            out.write(secrets.token_bytes(32))
    except FileExistsError:
        pass
    return path.read_bytes()


def _secret(settings: Settings) -> bytes:
    if settings.secret_key:
        return settings.secret_key.encode()
    # Generated once and kept with the data, so links survive a restart.
    return _stored_secret(settings.data_dir / ".secret_key")


@cache
def _blob_storage(connection_string: str, container: str) -> FileStorage:
    """One client per account and container, shared by every request of the process."""
    # Imported here: the Azure SDK adds 0.15 s to the start of a process that never uses it.
    from chat_app.services.blob_storage import AzureBlobStorage

    return AzureBlobStorage(connection_string, container)


def default_storage(settings: Settings = SETTINGS) -> FileStorage:
    """The configured file store: the Azure container, else a folder under the data root.

    Args:
        settings: The Azure connection string and container, and the data root.

    Returns:
        The store.
    """
    if settings.azure_connection_string:
        return _blob_storage(settings.azure_connection_string, settings.azure_container)
    return LocalFileStorage(settings.data_dir / "private")


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
    friend_id: object,
    client_id: object,
    source: BinaryIO,
    name: object,
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    storage: FileStorage | None = None,
) -> SentMessage:
    """Store an uploaded file and send it as a message (all or nothing).

    Args:
        session: The database session.
        viewer_id: The sender (from the server-side session).
        friend_id: The recipient (untrusted id).
        client_id: The sending tab's id for this message (retries reuse it).
        source: The uploaded bytes.
        name: The browser's file name (untrusted).
        now: The current time.
        settings: Size limit, quota.
        storage: The file store (the configured one by default).

    Returns:
        The stored file message.

    Raises:
        NotFound: Unknown recipient.
        Refused: Not friends, empty, over the size limit or the quota (a picture too large
            to decode safely is still sent, without thumbnail).
    """
    storage = storage or default_storage(settings)
    # Checked before any byte is written; send_message checks again in its transaction.
    friend_id = conversations.require_friend(session, viewer_id, friend_id)
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
                friend_id=friend_id,
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
    storage: FileStorage | None = None,
) -> str:
    """Replace the viewer's avatar with an uploaded image.

    Args:
        session: The database session.
        viewer_id: The user.
        source: The uploaded bytes.
        name: The browser's file name (untrusted).
        now: The current time.
        settings: Size limit.
        storage: The file store.

    Returns:
        The new avatar's file id.

    Raises:
        Refused: Not a readable PNG, JPEG, GIF or WebP, empty, too large to upload or
            to decode safely (avatar_too_large).
    """
    storage = storage or default_storage(settings)
    user = session.get(User, viewer_id)
    if user is None:
        raise NotFound()
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
            old = user.avatar_file_id
            session.add(
                StoredFile(
                    id=file_id,
                    owner_id=viewer_id,
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
            user.avatar_file_id = file_id
            session.add(user)
            session.commit()
        except BaseException:
            session.rollback()
            storage.delete(key)
            raise
    if old:
        _delete_file(session, storage, old)
    return file_id


def _delete_file(session: Session, storage: FileStorage, file_id: str) -> None:
    stored = session.get(StoredFile, file_id)
    if stored is None:
        return
    for key in {stored.storage_key, stored.thumbnail_key} - {None}:
        storage.delete(str(key))
    session.delete(stored)
    session.commit()


def downloadable(*, session: Session, user_id: int, file_id: str) -> StoredFile | None:
    """The file if this user may download it now.

    A party to its conversation may; any logged-in user may see an avatar.

    Args:
        session: The database session.
        user_id: From the signed URL.
        file_id: From the path.

    Returns:
        The file, or None (never saying whether it exists).
    """
    stored = session.get(StoredFile, file_id)
    if stored is None or session.get(User, user_id) is None:
        return None
    if stored.conversation_id is None:
        is_avatar = session.exec(select(User.id).where(User.avatar_file_id == file_id)).first()
        return stored if is_avatar is not None else None
    conversation = session.get(Conversation, stored.conversation_id)
    if conversation is None or user_id not in (conversation.user_low_id, conversation.user_high_id):
        return None
    return stored
