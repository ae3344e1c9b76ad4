"""Who may download a stored file: a member who reads its message, or anyone logged in (avatars).

A file sent in a conversation goes to the members whose membership holds its message's
seq, in (joined_seq, left_seq]: a departed member keeps the files of the history they
read, never one sent after they left. A user's avatar is seen by anyone logged in, a
group's by its current members. The answer never says whether a refused file exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chat_app.models import Conversation, ConversationMember, Message, StoredFile, User
from chat_app.services import statements


@dataclass(frozen=True)
class DownloadableFile:
    """What the download route needs of a file the requester may fetch."""

    original_name: str
    mime: str
    storage_key: str
    thumbnail_key: str | None

    @classmethod
    def of(cls, stored: StoredFile) -> DownloadableFile:
        """Build the view of a stored file.

        Args:
            stored: The file row.

        Returns:
            The view.
        """
        return cls(
            original_name=stored.original_name,
            mime=stored.mime,
            storage_key=stored.storage_key,
            thumbnail_key=stored.thumbnail_key,
        )


def downloadable(*, session: Session, user_id: int, file_id: str) -> DownloadableFile | None:
    """The file if this user may download it now (signed links re-check this each time).

    Args:
        session: The database session.
        user_id: From the signed URL.
        file_id: From the path.

    Returns:
        What serving the file needs, or None (never saying whether it exists).
    """
    stored = session.get(StoredFile, file_id)
    user = session.connection().execute(statements.USER_VIEW, {"user": user_id}).first()
    if stored is None or user is None:
        return None
    allowed = (
        _is_avatar(session, user_id, file_id)
        if stored.conversation_id is None
        else _reads_message_of(session, user_id, file_id)
    )
    return DownloadableFile.of(stored) if allowed else None


def _is_avatar(session: Session, user_id: int, file_id: str) -> bool:
    """A user's avatar (anyone's to see), or the avatar of a group the user is in now."""
    if session.exec(select(User.id).where(User.avatar_file_id == file_id)).first() is not None:
        return True
    of_group = (
        select(ConversationMember.id)
        .join(Conversation, col(Conversation.id) == col(ConversationMember.conversation_id))
        .where(
            Conversation.avatar_file_id == file_id,
            ConversationMember.user_id == user_id,
            col(ConversationMember.left_at).is_(None),
        )
    )
    return session.exec(of_group.limit(1)).first() is not None


def _reads_message_of(session: Session, user_id: int, file_id: str) -> bool:
    """Whether the user's membership holds the message the file was sent with."""
    held = (
        select(Message.id)
        .join(
            ConversationMember,
            col(ConversationMember.conversation_id) == col(Message.conversation_id),
        )
        .where(
            Message.file_id == file_id,
            ConversationMember.user_id == user_id,
            col(Message.seq) > col(ConversationMember.joined_seq),
            col(Message.seq)
            <= sa.func.coalesce(col(ConversationMember.left_seq), col(Message.seq)),
        )
    )
    return session.exec(held.limit(1)).first() is not None
