"""A long direct chat written straight into the database (no sends, no limits): for
measuring what grows with a chat's length."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import Session

from chat_app.models import Conversation, Message, utc_now
from tests.support.groups import direct_chat, make_people


def long_direct_chat(session: Session, messages: int, names: str) -> tuple[int, int]:
    """Two new friends ("writer reader") and `messages` texts between them, taking turns.

    Args:
        session: The database session (committed).
        messages: How many messages.
        names: The two usernames, space-separated.

    Returns:
        The reader's id and the chat's.
    """
    people = make_people(session, names, names.replace(" ", "-"))
    writer, reader = (people[name] for name in names.split())
    chat = direct_chat(session, writer, reader)
    start = utc_now() - timedelta(days=1)
    session.add_all(
        Message(
            conversation_id=chat,
            seq=seq,
            sender_id=writer if seq % 2 else reader,
            client_id=uuid.uuid4().hex,
            # Random hex: text that compresses about as little as chat does.
            body=f"message {seq} " + uuid.uuid4().hex * 2,
            created_at=start + timedelta(seconds=seq),
        )
        for seq in range(1, messages + 1)
    )
    conversation = session.get(Conversation, chat)
    assert conversation is not None
    conversation.last_seq = messages
    session.commit()
    return reader, chat
