"""Group membership and roles: add, remove, leave, admins, ownership, the timeline's seqs."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from chat_app.models import Block, Conversation, ConversationMember, ReadCursor, User, utc_now
from chat_app.services import friends, group_members
from chat_app.services.errors import Forbidden, NotFound, Refused
from tests.support.groups import (
    MANY_GROUPS,
    events,
    make_admin,
    make_group,
    make_people,
    refused,
    refused_for,
    roles,
)

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    """ann is friends with everyone but eve; bob with cat and eve too."""
    friendships = "ann-bob ann-cat ann-dan ann-fay bob-cat bob-eve"
    return make_people(session, "ann bob cat dan eve fay", friendships)


def add(session: Session, actor: int, group: int, user_ids: object, **kw):
    kw.setdefault("settings", MANY_GROUPS)
    return group_members.add_members(
        session=session, actor_id=actor, conversation_id=group, user_ids=user_ids, **kw
    )


def remove(session: Session, actor: int, group: int, user: object):
    return group_members.remove_member(
        session=session, actor_id=actor, conversation_id=group, user_id=user
    )


def member_row(session: Session, group: int, user: int) -> ConversationMember:
    session.rollback()
    row = session.exec(
        select(ConversationMember).where(
            ConversationMember.conversation_id == group, ConversationMember.user_id == user
        )
    ).one()
    session.refresh(row)
    return row


# ----- add -----


def test_an_admin_adds_their_own_friends_who_see_the_line_that_added_them(session, users):
    ann, bob, cat, eve = users["ann"], users["bob"], users["cat"], users["eve"]
    group = make_group(session, ann, bob)
    make_admin(session, group, ann, bob)
    change = add(session, bob, group, [cat, eve])
    assert roles(session, group) == {ann: "owner", bob: "admin", cat: "member", eve: "member"}
    last = events(session, group)[-1]
    assert (last["event"], last["actor"], last["users"]) == ("added", bob, [cat, eve])
    assert member_row(session, group, eve).joined_seq == last["seq"] - 1
    assert set(change.member_ids) == {ann, bob, cat, eve}
    assert change.messages[0].seq == last["seq"]


def test_a_plain_member_cannot_add(session, users):
    group = make_group(session, users["ann"], users["bob"])
    refused(
        session, Forbidden, "group_admins_only", add, session, users["bob"], group, [users["cat"]]
    )


def test_only_the_actors_friends_without_a_block_can_be_added(session, users):
    ann, bob, cat, dan, eve = (users[n] for n in ("ann", "bob", "cat", "dan", "eve"))
    group = make_group(session, ann, bob)
    make_admin(session, group, ann, bob)
    # dan is ann's friend, not bob's; eve is bob's friend, not ann's.
    refused(session, Refused, "group_not_friend", add, session, bob, group, [dan])
    refused(session, Refused, "group_not_friend", add, session, ann, group, [eve])
    refused(session, Refused, "group_not_friend", add, session, ann, group, [999_999])
    # A block either way: the same refusal as a stranger.
    session.add(Block(blocker_id=cat, blocked_id=bob, created_at=utc_now()))
    session.commit()
    refused(session, Refused, "group_not_friend", add, session, bob, group, [cat])
    friends.block_user(session=session, viewer_id=ann, target_id=dan)
    refused(session, Refused, "group_not_friend", add, session, ann, group, [dan])


@pytest.mark.parametrize("user_ids", [None, [], "3", [0], [True], [1.0], [10**30]])
def test_malformed_user_lists_are_refused(session, users, user_ids):
    group = make_group(session, users["ann"], users["bob"])
    with pytest.raises(Refused):
        add(session, users["ann"], group, user_ids)


def test_a_current_member_or_the_same_user_twice_is_refused(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob)
    refused(session, Refused, "group_already_member", add, session, ann, group, [bob])
    refused(session, Refused, "group_already_member", add, session, ann, group, [ann])
    refused(session, Refused, "group_already_member", add, session, ann, group, [cat, cat])


def test_adding_past_the_member_limit_is_refused(session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    three = dataclasses.replace(MANY_GROUPS, group_member_limit=3)
    group = make_group(session, ann, bob)
    refused(session, Refused, "group_full", add, session, ann, group, [cat, dan], settings=three)
    add(session, ann, group, [cat], settings=three)
    refused(session, Refused, "group_full", add, session, ann, group, [dan], settings=three)


def test_a_member_who_left_comes_back_with_a_new_joined_seq_and_nothing_unread(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    group_members.leave(session=session, actor_id=cat, conversation_id=group)
    left = member_row(session, group, cat)
    assert left.left_seq == events(session, group)[-1]["seq"]
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    add(session, ann, group, [cat])
    back = member_row(session, group, cat)
    assert back.left_at is None
    assert back.left_seq is None
    assert back.role == "member"
    assert back.joined_seq == events(session, group)[-1]["seq"] - 1
    cursor = session.exec(
        select(ReadCursor.last_read_seq).where(
            ReadCursor.user_id == cat, ReadCursor.conversation_id == group
        )
    ).one()
    assert cursor == back.joined_seq


# ----- remove -----


def test_the_owner_removes_anyone_but_themselves_and_the_removed_are_told(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    make_admin(session, group, ann, bob)
    change = remove(session, ann, group, bob)
    assert roles(session, group) == {ann: "owner", cat: "member"}
    assert change.removed_ids == (bob,)
    assert set(change.member_ids) == {ann, cat}
    last = events(session, group)[-1]
    assert (last["event"], last["users"]) == ("removed", [bob])
    assert member_row(session, group, bob).left_seq == last["seq"]
    refused(session, Refused, "group_not_yourself", remove, session, ann, group, ann)


def test_an_admin_removes_members_but_neither_the_owner_nor_another_admin(session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    group = make_group(session, ann, bob, cat, dan)
    make_admin(session, group, ann, bob)
    make_admin(session, group, ann, cat)
    refused(session, Forbidden, "group_cannot_remove_owner", remove, session, bob, group, ann)
    refused(session, Forbidden, "group_owner_only", remove, session, bob, group, cat)
    remove(session, bob, group, dan)
    assert dan not in roles(session, group)


def test_a_plain_member_cannot_remove(session, users):
    group = make_group(session, users["ann"], users["bob"], users["cat"])
    refused(
        session, Forbidden, "group_admins_only", remove, session, users["bob"], group, users["cat"]
    )


@pytest.mark.parametrize("target", [None, "2", True, 0, 10**30, 999_999])
def test_removing_a_forged_or_absent_user_is_refused(session, users, target):
    group = make_group(session, users["ann"], users["bob"])
    refused(session, NotFound, "group_member_gone", remove, session, users["ann"], group, target)


def test_removing_someone_who_already_left_is_refused(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    refused(session, NotFound, "group_member_gone", remove, session, ann, group, bob)


# ----- leave and ownership -----


def test_an_owner_who_leaves_hands_over_to_the_oldest_admin(session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    group = make_group(session, ann, bob, cat, dan)
    make_admin(session, group, ann, dan)
    make_admin(session, group, ann, cat)
    change = group_members.leave(session=session, actor_id=ann, conversation_id=group)
    assert roles(session, group) == {bob: "member", cat: "owner", dan: "admin"}
    handed, left = events(session, group)[-2:]
    assert (handed["event"], handed["actor"], handed["users"]) == ("owner", ann, [cat])
    assert (left["event"], left["users"], left["seq"]) == ("left", [ann], handed["seq"] + 1)
    assert [m.seq for m in change.messages] == [handed["seq"], left["seq"]]
    assert change.removed_ids == (ann,)
    assert member_row(session, group, ann).left_seq == left["seq"]


def test_without_admins_the_oldest_member_inherits_and_the_last_leaves_an_empty_group(
    session, users
):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob)
    add(session, ann, group, [cat])
    group_members.leave(session=session, actor_id=ann, conversation_id=group)
    assert roles(session, group) == {bob: "owner", cat: "member"}
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    assert roles(session, group) == {cat: "owner"}
    change = group_members.leave(session=session, actor_id=cat, conversation_id=group)
    assert roles(session, group) == {}
    assert change.member_ids == ()
    assert [e["event"] for e in events(session, group)][-1] == "left"


def test_the_owner_makes_and_unmakes_admins(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    make_admin(session, group, ann, bob)
    last = events(session, group)[-1]
    assert (last["event"], last["users"], last["role"]) == ("role", [bob], "admin")
    set_role = group_members.set_role
    refused_for(
        session,
        Forbidden,
        "group_owner_only",
        set_role,
        bob,
        group,
        user_id=cat,
        role="admin",
    )
    refused_for(
        session,
        Refused,
        "group_role_unchanged",
        set_role,
        ann,
        group,
        user_id=bob,
        role="admin",
    )
    for bad_role in ("owner", "root", None, ["admin"]):
        refused_for(
            session,
            Refused,
            "error",
            set_role,
            ann,
            group,
            user_id=cat,
            role=bad_role,
        )
    refused_for(
        session,
        Refused,
        "group_not_yourself",
        set_role,
        ann,
        group,
        user_id=ann,
        role="member",
    )
    set_role(session=session, actor_id=ann, conversation_id=group, user_id=bob, role="member")
    assert roles(session, group)[bob] == "member"


def test_the_owner_hands_over_to_a_current_member_and_becomes_an_admin(session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    group = make_group(session, ann, bob, cat, dan)
    make_admin(session, group, ann, cat)
    hand_over = group_members.hand_over
    refused_for(
        session,
        Forbidden,
        "group_owner_only",
        hand_over,
        cat,
        group,
        user_id=cat,
    )
    remove(session, ann, group, dan)
    refused_for(
        session,
        NotFound,
        "group_member_gone",
        hand_over,
        ann,
        group,
        user_id=dan,
    )
    change = hand_over(session=session, actor_id=ann, conversation_id=group, user_id=bob)
    assert roles(session, group) == {ann: "admin", bob: "owner", cat: "admin"}
    assert change.event == "owner"
    last = events(session, group)[-1]
    assert (last["event"], last["actor"], last["users"]) == ("owner", ann, [bob])


def test_a_disabled_owner_hands_every_owned_group_over(session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    first = make_group(session, ann, bob, cat)
    make_admin(session, first, ann, cat)
    second = make_group(session, ann, dan)
    alone = make_group(session, ann, bob)
    group_members.leave(session=session, actor_id=bob, conversation_id=alone)
    not_owned = make_group(session, bob, cat)
    changes = group_members.hand_over_owned(session=session, user_id=ann)
    assert {c.conversation_id for c in changes} == {first, second}
    assert roles(session, first) == {ann: "member", bob: "member", cat: "owner"}
    assert roles(session, second) == {ann: "member", dan: "owner"}
    assert roles(session, alone) == {ann: "owner"}
    assert roles(session, not_owned) == {bob: "owner", cat: "member"}
    # A deleted account's rows go with it; its groups already have an owner.
    user = session.get(User, ann)
    session.delete(user)
    session.commit()
    assert roles(session, first) == {bob: "member", cat: "owner"}


def test_system_lines_number_the_timeline_without_gaps_and_refusals_use_no_seq(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob)
    add(session, ann, group, [cat])
    with pytest.raises(Refused):
        add(session, ann, group, [cat])
    with pytest.raises(Forbidden):
        remove(session, bob, group, cat)
    make_admin(session, group, ann, bob)
    group_members.leave(session=session, actor_id=ann, conversation_id=group)
    lines = events(session, group)
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert [line["event"] for line in lines] == ["created", "added", "role", "owner", "left"]
    last_seq = session.exec(select(Conversation.last_seq).where(Conversation.id == group)).one()
    assert last_seq == len(lines)
