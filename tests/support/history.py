"""Old messages straight into the database, for history and paging tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from chat_app.models import Conversation, Message, ReadCursor, utc_now


def seed_history(
    database_url: str, sender: int, recipient: int, count: int, read_up_to: int | None = None
) -> None:
    """Bulk-insert `count` older messages into the pair's (empty) conversation.

    The two are friends already: accepting made their conversation. The recipient has read
    them (a conversation with unread messages opens at the first one), or up to `read_up_to`.
    """
    engine = sa.create_engine(database_url)
    low, high = sorted((sender, recipient))
    start = utc_now() - timedelta(days=1)
    with Session(engine) as session:
        conversation = session.exec(
            select(Conversation).where(
                Conversation.user_low_id == low, Conversation.user_high_id == high
            )
        ).one()
        assert conversation.last_seq == 0
        session.add_all(
            Message(
                conversation_id=conversation.id or 0,
                seq=n + 1,
                sender_id=sender,
                client_id=uuid.uuid4().hex,
                body=f"old message number {n:05d}",
                created_at=start + timedelta(seconds=n),
            )
            for n in range(count)
        )
        conversation.last_seq = count
        conversation.last_message_at = start + timedelta(seconds=count)
        session.add(conversation)
        read = count if read_up_to is None else read_up_to
        if read:
            session.add(
                ReadCursor(
                    user_id=recipient,
                    conversation_id=conversation.id or 0,
                    last_read_seq=read,
                    shared_seq=read,
                )
            )
        session.commit()
        assert (
            len(
                session.exec(
                    select(Message.id).where(Message.conversation_id == conversation.id)
                ).all()
            )
            == count
        )
    engine.dispose()
