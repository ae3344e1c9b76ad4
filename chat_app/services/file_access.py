"""Who may download a stored file: a party to its conversation, or anyone logged in (avatars).

The answer never says whether a refused file exists.
"""

from __future__ import annotations

from sqlmodel import Session, select

from chat_app.models import Conversation, StoredFile, User
from chat_app.services import statements
from chat_app.services.views import DownloadableFile


def downloadable(*, session: Session, user_id: int, file_id: str) -> DownloadableFile | None:
    """The file if this user may download it now.

    A party to its conversation may; any logged-in user may see an avatar.

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
    if stored.conversation_id is None:
        is_avatar = session.exec(select(User.id).where(User.avatar_file_id == file_id)).first()
        return DownloadableFile.of(stored) if is_avatar is not None else None
    conversation = session.get(Conversation, stored.conversation_id)
    if conversation is None or user_id not in (conversation.user_low_id, conversation.user_high_id):
        return None
    return DownloadableFile.of(stored)
