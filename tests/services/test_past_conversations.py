"""The friend pane's past conversations: people one is no longer friends with (issue 17).

After a removal or a block the conversation stays readable (conversations.readable) and
the pane keeps it reachable, bounded, showing no more of the other person than opening
it would (their name, neutral under a block).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session

from chat_app.models import User, utc_now
from chat_app.services import conversations, friend_pane, friends, history, sending
from chat_app.services.errors import Refused
from chat_app.settings import load_settings
from tests.support.users import make_friends, make_user

FAST = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})


def send(session: Session, sender: int, other: int, body: str = "hi", minutes: int = 0) -> int:
    """A message from `sender` to `other` (friends), `minutes` from now; the conversation."""
    conversation = conversations.direct_with(session=session, viewer_id=sender, friend_id=other)
    sending.send_message(
        session=session,
        viewer_id=sender,
        conversation_id=conversation,
        client_id=uuid.uuid4().hex,
        body=body,
        now=utc_now() + timedelta(minutes=minutes),
        settings=FAST,
    )
    return conversation


def past(session: Session, viewer: int) -> list[tuple[int, str, int]]:
    listed = friend_pane.snapshot(session=session, user_id=viewer).past
    return [(c.user_id, c.nickname, c.conversation_id) for c in listed]


@pytest.fixture
def pair(session: Session) -> tuple[int, int, int]:
    """Ann and Bob, friends who talked; Bob is called "Bobby" (a nickname, not his username)."""
    ann, bob = make_user(session, "ann"), make_user(session, "bob", "Bobby")
    make_friends(session, ann, bob)
    return ann, bob, send(session, ann, bob, "hello")


def test_a_removed_friend_s_conversation_stays_listed_for_both(session: Session, pair):
    ann, bob, conversation = pair
    assert past(session, ann) == past(session, bob) == []
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    assert friend_pane.snapshot(session=session, user_id=ann).friends == ()
    assert past(session, ann) == [(bob, "Bobby", conversation)]
    assert past(session, bob) == [(ann, "Ann", conversation)]
    # What it opens is the history, and nothing can be sent there.
    page = history.history(session=session, viewer_id=ann, conversation_id=conversation)
    assert [m.body for m in page.messages] == ["hello"]
    with pytest.raises(Refused, match="not_friends"):
        sending.send_message(
            session=session,
            viewer_id=ann,
            conversation_id=conversation,
            client_id=uuid.uuid4().hex,
            body="still there?",
        )
    # Friends again: back in the friend list, gone from the past ones.
    make_friends(session, ann, bob)
    assert past(session, ann) == []


def test_a_conversation_without_messages_is_not_listed(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
    # Nothing to read (conversations.readable refuses it): nothing to list.
    assert past(session, ann) == past(session, bob) == []


@pytest.mark.parametrize("blocker", ["ann", "bob"])
def test_under_a_block_either_side_sees_only_the_username(session: Session, pair, blocker):
    ann, bob, conversation = pair
    who = {"ann": ann, "bob": bob}
    other = bob if blocker == "ann" else ann
    friends.block_user(session=session, viewer_id=who[blocker], target_id=other)
    # The name the header of that conversation shows too: the username, no picture.
    assert past(session, ann) == [(bob, "bob", conversation)]
    assert past(session, bob) == [(ann, "ann", conversation)]
    listed = friend_pane.snapshot(session=session, user_id=bob).past
    assert [c.avatar_file_id for c in listed] == [""]
    # A later nickname change does not reach through the block.
    user = session.get(User, ann)
    assert user is not None
    user.nickname = "Ann, new name"
    session.add(user)
    session.commit()
    assert past(session, bob) == [(ann, "ann", conversation)]


def test_the_list_is_capped_to_the_most_recent(session: Session):
    me = make_user(session, "me")
    others = [make_user(session, f"user{n}") for n in range(friend_pane.PAST_MAX + 3)]
    for minutes, other in enumerate(others):
        make_friends(session, other, me)  # each asks (one user's requests are rate limited)
        send(session, other, me, minutes=minutes)
        friends.remove_friend(session=session, viewer_id=me, friend_id=other)
    listed = [user_id for user_id, _name, _conversation in past(session, me)]
    assert listed == list(reversed(others))[: friend_pane.PAST_MAX]


def test_friends_are_never_listed_as_past(session: Session, pair):
    ann, bob, _conversation = pair
    cat = make_user(session, "cat")
    make_friends(session, ann, cat)
    send(session, cat, ann, "hi ann")
    friends.remove_friend(session=session, viewer_id=ann, friend_id=cat)
    assert [user_id for user_id, _n, _c in past(session, ann)] == [cat]
    assert [c.user_id for c in friend_pane.snapshot(session=session, user_id=ann).friends] == [bob]
