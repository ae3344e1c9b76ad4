"""Helpers for the tests of delivery in groups: remove, read, count unread, send files."""

from __future__ import annotations

import io
import uuid

from sqlmodel import Session

from chat_app.services import file_access, file_uploads, group_members, read_cursors, summaries
from chat_app.services.read_views import ReadReceipt
from chat_app.services.storage import LocalFileStorage
from chat_app.services.views import SentMessage
from chat_app.settings import load_settings

FAST = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})


def remove(session: Session, owner: int, group: int, user: int) -> None:
    """The owner removes `user` from the group."""
    group_members.remove_member(
        session=session, actor_id=owner, conversation_id=group, user_id=user
    )


def unread(session: Session, viewer: int, conversation: int) -> int:
    """The unread count the viewer's chat list shows for the conversation."""
    found = summaries.summaries(session=session, viewer_id=viewer)
    return next(s.unread for s in found if s.conversation_id == conversation)


def mark(session: Session, viewer: int, group: int, seq: object) -> ReadReceipt | None:
    """The viewer has seen the conversation up to `seq`."""
    return read_cursors.mark_read(
        session=session, viewer_id=viewer, conversation_id=group, up_to_seq=seq
    )


def send_file(
    session: Session, sender: int, conversation: int, storage: LocalFileStorage
) -> SentMessage:
    """A small text file sent into the conversation."""
    return file_uploads.send_file(
        session=session,
        viewer_id=sender,
        conversation_id=conversation,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(b"minutes"),
        name="minutes.txt",
        settings=FAST,
        storage=storage,
    )


def may_download(session: Session, user: int, file_id: str) -> bool:
    """Whether a signed link of `user` opens the file now."""
    session.rollback()
    return file_access.downloadable(session=session, user_id=user, file_id=file_id) is not None
