"""Rows for service tests: users, the relation that lets them act, friendships, logins."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from chat_app.models import User, utc_now
from chat_app.services import friend_pane, friends, relations, sending, sessions
from chat_app.services.sessions import SessionKey
from chat_app.services.views import SentMessage
from chat_app.settings import load_settings

# No per-user message rate in the way of a test that sends many.
UNLIMITED = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})


def make_user(session: Session, username: str, nickname: str | None = None) -> int:
    user = User(
        username=username,
        username_key=username.lower(),
        nickname=nickname or username.title(),
        password_hash="x",
        created_at=utc_now(),
    )
    session.add(user)
    session.commit()
    assert user.id is not None
    return user.id


def know(session: Session, viewer: int, *others: int) -> None:
    """The viewer found each of the others by exact username (a relation to act on)."""
    for other in others:
        relations.remember_found(session=session, viewer_id=viewer, user_id=other, now=utc_now())


def make_friends(session: Session, a: int, b: int) -> None:
    """`a` finds `b` and asks; `b` accepts, through the services as the app does."""
    know(session, a, b)
    friends.send_request(session=session, viewer_id=a, target_id=b)
    incoming = friend_pane.snapshot(session=session, user_id=b).incoming
    request_id = next(c.request_id for c in incoming if c.user_id == a)
    friends.accept_request(session=session, viewer_id=b, request_id=request_id)


def log_in(session: Session, user_id: int) -> tuple[str, SessionKey]:
    """A new device session of the user: its token and the key its links are signed with."""
    token = sessions.create_session(session=session, user_id=user_id)
    session.commit()
    key = sessions.session_key_of(session=session, token_hash=sessions.hash_token(token))
    assert key is not None
    assert key.user_id == user_id
    return token, key


def send_text(
    session: Session, sender: int, conversation_id: int, body: str = "hi", mentioned: object = ()
) -> SentMessage:
    """Store a text message with a fresh client id, outside the rate limit.

    `mentioned`: the users picked after `@` (services/mentions.py).
    """
    return sending.send_message(
        session=session,
        viewer_id=sender,
        conversation_id=conversation_id,
        client_id=uuid.uuid4().hex,
        body=body,
        settings=UNLIMITED,
        mentioned=mentioned,
    )
