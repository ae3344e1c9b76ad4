"""The chat list: direct and group conversations together, pinned first, newest activity first."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session

from chat_app.models import Conversation, Friendship, Message, utc_now
from chat_app.services import (
    chat_list,
    conversations,
    friend_picker,
    friends,
    group_members,
    groups,
    message_hiding,
)
from tests.support.groups import make_group, make_people
from tests.support.sql import statements_run
from tests.support.users import make_user, send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    """ann is friends with bob, cat and dan; bob with cat."""
    return make_people(session, "ann bob cat dan", "ann-bob ann-cat ann-dan bob-cat")


def direct(session: Session, a: int, b: int) -> int:
    return conversations.direct_with(session=session, viewer_id=a, friend_id=b)


def post_in_group(session: Session, group: int, sender: int, body: str, kind: str = "text") -> None:
    """A message in a group as the sending path stores it (seq and activity bumped)."""
    conversation = session.get(Conversation, group, populate_existing=True)
    assert conversation is not None
    conversation.last_seq += 1
    conversation.last_message_at = utc_now() + timedelta(seconds=conversation.last_seq)
    session.add(conversation)
    session.add(
        Message(
            conversation_id=group,
            seq=conversation.last_seq,
            sender_id=sender,
            client_id=uuid.uuid4().hex,
            kind=kind,
            body=body,
            created_at=conversation.last_message_at,
        )
    )
    session.commit()


def rows(session: Session, viewer: int) -> list[chat_list.ChatRowView]:
    return list(chat_list.chat_rows(session=session, viewer_id=viewer))


def test_direct_and_group_rows_are_listed_together_newest_first(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    send_text(session, bob, direct(session, ann, bob), "hello ann")
    group = make_group(session, ann, bob, cat, name="Family 家")
    post_in_group(session, group, cat, "dinner at 7")
    listed = rows(session, ann)
    assert [r.name for r in listed[:2]] == ["Family 家", "Bob"]
    family, with_bob = listed[0], listed[1]
    assert (family.kind, family.preview_sender, family.preview, family.unread) == (
        "group",
        "Cat",
        "dinner at 7",
        2,  # "created" and Cat's message: nothing read yet
    )
    assert (with_bob.kind, with_bob.username, with_bob.user_id, with_bob.preview) == (
        "direct",
        "bob",
        bob,
        "hello ann",
    )
    assert with_bob.preview_sender == ""
    assert with_bob.unread == 1
    assert with_bob.last_at
    # Friends without a word yet are listed too, after the conversations with messages.
    assert {r.name for r in listed[2:]} == {"Cat", "Dan"}


def test_pinned_chats_come_first_each_part_newest_first_and_only_for_their_pinner(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    with_bob, with_cat = direct(session, ann, bob), direct(session, ann, cat)
    group = make_group(session, ann, bob, cat, name="Family")
    send_text(session, bob, with_bob, "oldest")
    send_text(session, cat, with_cat, "older")
    post_in_group(session, group, bob, "newest")

    groups.set_pinned(session=session, viewer_id=ann, conversation_id=with_bob, pinned=True)
    groups.set_pinned(session=session, viewer_id=ann, conversation_id=with_cat, pinned=True)
    listed = rows(session, ann)
    assert [(r.name, r.pinned) for r in listed[:3]] == [
        ("Cat", True),
        ("Bob", True),
        ("Family", False),
    ]
    # A message moves a pinned chat up among the pinned only.
    send_text(session, bob, with_bob, "now the newest")
    assert [r.name for r in rows(session, ann)[:3]] == ["Bob", "Cat", "Family"]
    # Bob's own list is his: nothing of his is pinned.
    assert not any(r.pinned for r in rows(session, bob))

    groups.set_pinned(session=session, viewer_id=ann, conversation_id=with_bob, pinned=False)
    listed = rows(session, ann)
    assert (listed[0].name, listed[0].pinned) == ("Cat", True)
    assert [r.name for r in listed if r.pinned] == ["Cat"]


def test_a_pinned_chat_is_listed_however_many_newer_ones_there_are(session, users):
    ann, bob = users["ann"], users["bob"]
    with_bob = direct(session, ann, bob)
    groups.set_pinned(session=session, viewer_id=ann, conversation_id=with_bob, pinned=True)
    for index in range(3):
        post_in_group(session, make_group(session, ann, bob, name=f"G{index}"), bob, "hi")
    listed = chat_list.chat_rows(session=session, viewer_id=ann, limit=2)
    assert [r.conversation_id for r in listed][:1] == [with_bob]


def test_leaving_a_pinned_chat_unpins_it(session, users):
    ann, bob = users["ann"], users["bob"]
    with_bob = direct(session, ann, bob)
    group = make_group(session, bob, ann, name="Left")
    send_text(session, bob, with_bob, "a word to keep the chat listed")
    for pinned in (with_bob, group):
        groups.set_pinned(session=session, viewer_id=ann, conversation_id=pinned, pinned=True)
    # A chat left has no menu to unpin it: it would stay first for good.
    group_members.leave(session=session, actor_id=ann, conversation_id=group)
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    listed = {r.conversation_id: r for r in rows(session, ann)}
    assert (listed[group].departed, listed[group].pinned) == (True, False)
    assert (listed[with_bob].departed, listed[with_bob].pinned) == (True, False)


def test_a_new_group_is_first_and_its_preview_is_its_creation(session, users):
    ann, bob = users["ann"], users["bob"]
    send_text(session, bob, direct(session, ann, bob), "earlier")
    group = make_group(session, ann, bob, name="New")
    first = rows(session, bob)[0]
    assert (first.conversation_id, first.preview_kind) == (group, "system")
    # The event's record, which the tab words in its reader's language (chat_preview.py).
    assert json.loads(first.preview)["event"] == "created"


def test_one_or_two_statements_whatever_the_number_of_conversations(session, users, engine):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    for _ in range(5):
        make_group(session, ann, bob, cat, dan)
    with statements_run(engine) as seen:
        listed = rows(session, ann)
    assert len(listed) == 8
    assert len(seen) <= 2, seen


def test_a_departed_group_stays_listed_until_hidden_and_shows_only_what_was_readable(
    session, users
):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob, name="Club")
    post_in_group(session, group, ann, "before you left")
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    post_in_group(session, group, ann, "after you left")
    (club,) = [r for r in rows(session, bob) if r.conversation_id == group]
    assert club.departed
    # The "left" line is the last one bob may read; nothing after it.
    assert club.preview != "after you left"
    groups.hide(session=session, viewer_id=bob, conversation_id=group)
    assert group not in [r.conversation_id for r in rows(session, bob)]


def test_an_unfriended_chat_is_listed_only_with_messages(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    send_text(session, ann, direct(session, ann, bob), "hi bob")
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=cat)
    listed = {r.name: r for r in rows(session, ann)}
    assert listed["Bob"].departed
    assert "Cat" not in listed


def test_a_blocked_person_is_shown_by_username_and_their_group_lines_are_hidden(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    post_in_group(session, group, bob, "secret")
    send_text(session, bob, direct(session, bob, cat), "hi cat")
    friends.block_user(session=session, viewer_id=cat, target_id=bob)
    listed = {r.conversation_id: r for r in rows(session, cat)}
    assert (listed[group].preview_kind, listed[group].preview) == ("hidden", "")
    assert listed[group].preview_sender == ""
    bob_row = next(r for r in listed.values() if r.user_id == bob)
    assert (bob_row.name, bob_row.avatar_file_id) == ("bob", "")


def test_nobody_else_sees_a_group_they_are_not_in(session, users):
    group = make_group(session, users["ann"], users["bob"])
    assert group not in [r.conversation_id for r in rows(session, users["dan"])]
    assert group not in [r.conversation_id for r in rows(session, users["cat"])]


# ----- the "New group" friend picker -----


def picked(session: Session, viewer: int, query: object) -> list[str]:
    found = friend_picker.friends_matching(session=session, viewer_id=viewer, query=query)
    return [contact.username for contact in found]


def test_the_picker_filters_the_viewers_friends_by_name_as_typed(session, users):
    ann = users["ann"]
    assert picked(session, ann, "") == ["bob", "cat", "dan"]
    assert picked(session, ann, "  A ") == ["cat", "dan"]  # nicknames Cat, Dan
    assert picked(session, users["bob"], "d") == []  # dan is not bob's friend
    assert picked(session, ann, "%") == []  # a wildcard is a character like any other
    assert picked(session, ann, {"forged": 1}) == ["bob", "cat", "dan"]


def test_adding_to_a_group_offers_only_friends_not_in_it(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob)

    def offered(viewer: int) -> list[str]:
        found = friend_picker.friends_matching(
            session=session, viewer_id=viewer, query="", outside_group=group
        )
        return [contact.username for contact in found]

    assert offered(ann) == ["cat", "dan"]
    # Who is in a group is told only to its members: anyone else's friends are all offered.
    assert offered(cat) == ["ann", "bob"] == picked(session, cat, "")
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    assert offered(ann) == ["bob", "cat", "dan"]  # Bob left: he can be added again
    group_members.leave(session=session, actor_id=ann, conversation_id=group)
    assert offered(ann) == ["bob", "cat", "dan"]


def test_the_picker_shows_at_most_fifty_friends(session, users):
    ann = users["ann"]
    for n in range(friend_picker.PICKER_MAX + 3):
        other = make_user(session, f"pal{n:02}")
        # Stored directly: asking 53 people in a row is over the request limit.
        session.add(Friendship(user_low_id=ann, user_high_id=other, created_at=utc_now()))
    session.commit()
    assert len(picked(session, ann, "pal")) == friend_picker.PICKER_MAX


def hide(session: Session, viewer: int, chat: int, seq: int) -> None:
    message_hiding.hide_for_me(session=session, viewer_id=viewer, conversation_id=chat, seq=seq)


def row_of(session: Session, viewer: int, chat: int) -> chat_list.ChatRowView:
    (row,) = [r for r in rows(session, viewer) if r.conversation_id == chat]
    return row


def test_a_row_shows_the_newest_message_its_viewer_did_not_delete_for_themselves(session, users):
    ann, bob = users["ann"], users["bob"]
    chat = direct(session, ann, bob)
    for body in ("first", "second", "third"):
        send_text(session, ann, chat, body)

    hide(session, bob, chat, 3)
    second = row_of(session, bob, chat)
    assert (second.preview_kind, second.preview) == ("text", "second")
    assert row_of(session, ann, chat).preview == "third"  # hers is untouched
    hide(session, bob, chat, 2)
    assert row_of(session, bob, chat).preview == "first"
    assert row_of(session, bob, chat).last_at < second.last_at
    hide(session, bob, chat, 1)
    empty = row_of(session, bob, chat)
    assert (empty.preview_kind, empty.preview, empty.last_at) == ("", "", "")
    # A newer message shows again, and the unread count never counted hiding.
    send_text(session, ann, chat, "fourth")
    assert (row_of(session, bob, chat).preview, row_of(session, bob, chat).unread) == ("fourth", 4)


def test_a_group_row_skips_hidden_messages_but_never_reaches_before_joining(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, name="Club")
    post_in_group(session, group, ann, "before cat came")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    send_text(session, bob, group, "welcome cat")
    send_text(session, ann, group, "hello")
    last = conversations.readable(session, cat, group).last_seq

    hide(session, cat, group, last)
    row = row_of(session, cat, group)
    assert (row.preview, row.preview_sender) == ("welcome cat", "Bob")
    hide(session, cat, group, last - 1)
    # The line of cat's arrival, never the message from before it.
    assert row_of(session, cat, group).preview_kind == "system"
