"""Conversations: every friendship has one, named by its id everywhere after that."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Conversation
from chat_app.services import friend_pane, friends
from tests.support.users import know, make_friends, make_user

pytestmark = pytest.mark.both_databases


def conversation_ids(session: Session, a: int, b: int) -> list[int | None]:
    low, high = sorted((a, b))
    return list(
        session.exec(
            select(Conversation.id).where(
                Conversation.user_low_id == low, Conversation.user_high_id == high
            )
        ).all()
    )


def conversation_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Conversation)).one()


# ----- every friendship has its conversation -----


def test_accepting_a_request_creates_exactly_one_conversation(session: Session):
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    know(session, ann, bob)
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    assert conversation_count(session) == 0
    make_friends(session, cat, ann)
    assert conversation_count(session) == 1
    (request,) = friend_pane.snapshot(session=session, user_id=bob).incoming
    friends.accept_request(session=session, viewer_id=bob, request_id=request.request_id)
    assert len(conversation_ids(session, ann, bob)) == 1
    assert len(conversation_ids(session, ann, cat)) == 1
    assert conversation_count(session) == 2


def test_asking_back_befriends_with_one_conversation(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    know(session, ann, bob)
    know(session, bob, ann)
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    friends.send_request(session=session, viewer_id=bob, target_id=ann)
    assert friends.are_friends(session=session, user_a=ann, user_b=bob)
    assert len(conversation_ids(session, ann, bob)) == 1


def test_befriending_again_reuses_the_conversation(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    (first,) = conversation_ids(session, ann, bob)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
    assert conversation_ids(session, ann, bob) == [first]
    make_friends(session, bob, ann)
    assert conversation_ids(session, ann, bob) == [first]
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    friends.unblock_user(session=session, viewer_id=ann, target_id=bob)
    make_friends(session, ann, bob)
    assert conversation_ids(session, ann, bob) == [first]
    assert conversation_count(session) == 1
