"""The two members of a direct conversation follow the friendship.

Accepting makes both current members (again, after an unfriending); removing a friend or
blocking makes both leave at the conversation's last message, in the same transaction as
the friendship change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select, update

from chat_app.models import ConversationMember, utc_now
from chat_app.services import conversations, friend_pane, friends
from tests.support.users import know, make_user, send_text

pytestmark = pytest.mark.both_databases
START = utc_now().replace(microsecond=0)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def befriend(session: Session, asker: int, accepter: int, minutes: int) -> int:
    """`asker` asks, `accepter` accepts at START + minutes; the pair's conversation id."""
    know(session, asker, accepter)
    friends.send_request(session=session, viewer_id=asker, target_id=accepter)
    incoming = friend_pane.snapshot(session=session, user_id=accepter).incoming
    request_id = next(c.request_id for c in incoming if c.user_id == asker)
    friends.accept_request(
        session=session, viewer_id=accepter, request_id=request_id, now=at(minutes)
    )
    return conversations.direct_with(session=session, viewer_id=asker, friend_id=accepter)


def members(session: Session, conversation_id: int) -> dict[int, tuple]:
    """Each member's (role, joined_at, joined_seq, left_at, left_seq, muted, hidden)."""
    columns = ("role", "joined_at", "joined_seq", "left_at", "left_seq", "muted", "hidden")
    table = SQLModel.metadata.tables["conversationmember"]
    rows = session.connection().execute(
        sa.select(table).where(table.c.conversation_id == conversation_id)
    )
    return {row.user_id: tuple(getattr(row, column) for column in columns) for row in rows}


def current(joined_minutes: int) -> tuple:
    return ("member", at(joined_minutes), 0, None, None, False, False)


def departed(joined_minutes: int, left_minutes: int, left_seq: int) -> tuple:
    return ("member", at(joined_minutes), 0, at(left_minutes), left_seq, False, False)


@pytest.fixture
def pair(session: Session) -> tuple[int, int]:
    return make_user(session, "ann"), make_user(session, "bob")


def test_accepting_makes_both_friends_current_members(session: Session, pair):
    ann, bob = pair
    conversation = befriend(session, ann, bob, minutes=1)
    assert members(session, conversation) == {ann: current(1), bob: current(1)}


def test_asking_back_makes_the_two_members_once(session: Session, pair):
    ann, bob = pair
    know(session, ann, bob)
    know(session, bob, ann)
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    friends.send_request(session=session, viewer_id=bob, target_id=ann, now=at(2))
    conversation = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    assert members(session, conversation) == {ann: current(2), bob: current(2)}


def test_removing_a_friend_makes_both_leave_at_the_last_message(session: Session, pair):
    ann, bob = pair
    conversation = befriend(session, ann, bob, minutes=1)
    for sender in (ann, bob, ann):
        send_text(session, sender, conversation)
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann, now=at(5))
    assert members(session, conversation) == {ann: departed(1, 5, 3), bob: departed(1, 5, 3)}


def test_blocking_a_friend_makes_both_leave_and_a_later_block_moves_nothing(session: Session, pair):
    ann, bob = pair
    conversation = befriend(session, ann, bob, minutes=1)
    send_text(session, ann, conversation)
    friends.block_user(session=session, viewer_id=bob, target_id=ann, now=at(5))
    assert members(session, conversation) == {ann: departed(1, 5, 1), bob: departed(1, 5, 1)}
    # No friendship to end any more: the departure stays where it was.
    friends.block_user(session=session, viewer_id=ann, target_id=bob, now=at(9))
    assert members(session, conversation) == {ann: departed(1, 5, 1), bob: departed(1, 5, 1)}


def test_befriending_again_makes_both_current_in_the_same_conversation(session: Session, pair):
    ann, bob = pair
    conversation = befriend(session, ann, bob, minutes=1)
    send_text(session, ann, conversation)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob, now=at(5))
    # Bob had removed the finished conversation from his list.
    session.exec(
        update(ConversationMember).where(col(ConversationMember.user_id) == bob).values(hidden=True)
    )
    session.commit()
    assert befriend(session, bob, ann, minutes=9) == conversation
    assert members(session, conversation) == {ann: current(1), bob: current(1)}


def test_a_block_of_someone_never_befriended_makes_no_members(session: Session, pair):
    ann, bob = pair
    know(session, ann, bob)
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    assert session.exec(select(ConversationMember)).all() == []


def test_the_departure_is_stored_with_the_friendship_change_or_not_at_all(
    session: Session, pair, monkeypatch: pytest.MonkeyPatch
):
    ann, bob = pair
    conversation = befriend(session, ann, bob, minutes=1)

    def fail() -> None:
        raise RuntimeError("the commit failed")

    monkeypatch.setattr(session, "commit", fail)
    with pytest.raises(RuntimeError):
        friends.remove_friend(session=session, viewer_id=ann, friend_id=bob, now=at(5))
    session.rollback()
    monkeypatch.undo()
    assert friends.are_friends(session=session, user_a=ann, user_b=bob)
    assert members(session, conversation) == {ann: current(1), bob: current(1)}
