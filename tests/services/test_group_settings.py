"""Groups: the avatar, deleting, muting and hiding; each bad input refused, nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from chat_app.models import Conversation, ConversationMember, Message, StoredFile, User, utc_now
from chat_app.services import group_events, group_members, groups
from chat_app.services.errors import Forbidden, NotFound, RateLimited, Refused
from tests.support.groups import (
    avatar_file,
    events,
    make_admin,
    make_group,
    make_people,
    refused,
    refused_for,
    roles,
)
from tests.support.users import make_user, send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    return make_people(session, "ann bob cat eve", "ann-bob ann-cat")


# ----- avatar -----


def test_an_admin_sets_an_uploaded_picture_and_a_replaced_one_is_reported(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    first = avatar_file(session, ann, "a" * 32)
    groups.set_avatar(session=session, actor_id=ann, conversation_id=group, file_id=first)
    second = avatar_file(session, ann, "b" * 32)
    change = groups.set_avatar(session=session, actor_id=ann, conversation_id=group, file_id=second)
    assert change.storage_keys == ("a" * 32 + "-thumb",)
    assert session.get(StoredFile, first) is None
    session.rollback()
    assert (
        session.exec(select(Conversation.avatar_file_id).where(Conversation.id == group)).one()
        == second
    )
    assert [e["event"] for e in events(session, group)][-2:] == ["avatar", "avatar"]
    cleared = groups.set_avatar(session=session, actor_id=ann, conversation_id=group, file_id=None)
    assert cleared.storage_keys == ("b" * 32 + "-thumb",)


def test_an_avatar_must_be_an_unused_picture_the_actor_uploaded(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    bobs = avatar_file(session, bob, "c" * 32)
    text = avatar_file(session, ann, "d" * 32, mime="text/plain", thumbnail_key=None)
    in_chat = avatar_file(session, ann, "e" * 32, conversation_id=group)
    own_avatar = avatar_file(session, ann, "f" * 32)
    user = session.get(User, ann)
    assert user is not None
    user.avatar_file_id = own_avatar
    session.add(user)
    session.commit()
    for file_id, error, code in [
        (bobs, NotFound, "file_gone"),
        (in_chat, NotFound, "file_gone"),
        (own_avatar, NotFound, "file_gone"),
        ("0" * 32, NotFound, "file_gone"),
        ("short", NotFound, "file_gone"),
        (42, NotFound, "file_gone"),
        (text, Refused, "avatar_not_image"),
    ]:
        refused(
            session,
            error,
            code,
            groups.set_avatar,
            session=session,
            actor_id=ann,
            conversation_id=group,
            file_id=file_id,
        )


def test_a_plain_member_cannot_change_the_avatar(session, users):
    group = make_group(session, users["ann"], users["bob"])
    mine = avatar_file(session, users["bob"], "a" * 32)
    refused_for(
        session,
        Forbidden,
        "group_admins_only",
        groups.set_avatar,
        users["bob"],
        group,
        file_id=mine,
    )


# ----- delete -----


def test_the_owner_deletes_the_group_with_its_messages_and_files(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    other = make_group(session, ann, bob, name="Other")
    avatar = avatar_file(session, ann, "a" * 32)
    groups.set_avatar(session=session, actor_id=ann, conversation_id=group, file_id=avatar)
    sent = avatar_file(
        session, bob, "b" * 32, conversation_id=group, storage_key="b" * 32, thumbnail_key=None
    )
    session.add(
        Message(
            conversation_id=group,
            seq=99,
            sender_id=bob,
            client_id="c1",
            kind="file",
            body="x",
            file_id=sent,
            created_at=utc_now(),
        )
    )
    session.commit()
    group_members.leave(session=session, actor_id=cat, conversation_id=group)
    change = groups.delete_group(session=session, actor_id=ann, conversation_id=group)
    assert change.event == "deleted"
    assert set(change.removed_ids) == {ann, bob, cat}
    assert set(change.storage_keys) == {"a" * 32 + "-thumb", "b" * 32}
    session.rollback()
    assert session.get(Conversation, group) is None
    for table, column in [
        (Message, Message.conversation_id),
        (ConversationMember, ConversationMember.conversation_id),
        (StoredFile, StoredFile.conversation_id),
    ]:
        assert session.exec(select(table).where(col(column) == group)).first() is None
    assert session.get(StoredFile, avatar) is None
    assert roles(session, other) == {ann: "owner", bob: "member"}


def test_only_the_owner_deletes(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    make_admin(session, group, ann, bob)
    refused_for(
        session,
        Forbidden,
        "group_owner_only",
        groups.delete_group,
        bob,
        group,
    )


# ----- mute and hide -----


def test_any_member_mutes_any_conversation_and_only_their_own_row_changes(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    change = groups.set_muted(session=session, viewer_id=bob, conversation_id=group, muted=True)
    assert change.member_ids == (bob,)
    session.rollback()
    muted = dict(
        session.exec(
            select(ConversationMember.user_id, ConversationMember.muted).where(
                ConversationMember.conversation_id == group
            )
        ).all()
    )
    assert muted == {ann: False, bob: True}
    for bad in (None, "true", 1):
        refused(
            session,
            Refused,
            "error",
            groups.set_muted,
            session=session,
            viewer_id=bob,
            conversation_id=group,
            muted=bad,
        )


def test_a_direct_conversation_can_be_muted_by_its_members(session, users):
    ann, bob = users["ann"], users["bob"]
    direct = session.exec(select(Conversation.id).where(Conversation.kind == "direct")).first()
    assert direct is not None
    send_text(session, ann, direct)
    groups.set_muted(session=session, viewer_id=bob, conversation_id=direct, muted=True)
    muted = session.exec(
        select(ConversationMember.user_id).where(
            ConversationMember.conversation_id == direct, ConversationMember.muted
        )
    ).all()
    assert muted == [bob]


def test_a_member_pins_any_conversation_for_themselves_only(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    change = groups.set_pinned(session=session, viewer_id=bob, conversation_id=group, pinned=True)
    assert (change.event, change.member_ids) == ("pinned", (bob,))
    session.rollback()
    pinned = dict(
        session.exec(
            select(ConversationMember.user_id, ConversationMember.pinned).where(
                ConversationMember.conversation_id == group
            )
        ).all()
    )
    assert pinned == {ann: False, bob: True}
    for bad in (None, "true", 1):
        refused(
            session,
            Refused,
            "error",
            groups.set_pinned,
            session=session,
            viewer_id=bob,
            conversation_id=group,
            pinned=bad,
        )
    # Not a member, or a forged id: nothing to pin.
    outsider = make_user(session, "zed")
    for viewer, conversation in ((outsider, group), (bob, 10**9), (bob, "1"), (bob, None)):
        refused(
            session,
            NotFound,
            "conversation_gone",
            groups.set_pinned,
            session=session,
            viewer_id=viewer,
            conversation_id=conversation,
            pinned=True,
        )


def test_only_a_departed_member_hides_a_group(session, users):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    refused(
        session,
        Refused,
        "group_leave_first",
        groups.hide,
        session=session,
        viewer_id=bob,
        conversation_id=group,
    )
    refused(
        session,
        NotFound,
        "conversation_gone",
        groups.hide,
        session=session,
        viewer_id=users["eve"],
        conversation_id=group,
    )
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    change = groups.hide(session=session, viewer_id=bob, conversation_id=group)
    assert change.member_ids == (bob,)
    session.rollback()
    hidden = session.exec(
        select(ConversationMember.hidden).where(
            ConversationMember.conversation_id == group, ConversationMember.user_id == bob
        )
    ).one()
    assert hidden is True


def test_changes_to_groups_are_limited_per_user_and_minute(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    now = utc_now()
    # A line in every member's timeline and a push to all their tabs each: renames and
    # role changes share one count (a security review stored 400 lines in 4 s).
    for number in range(group_events.CHANGES_PER_MINUTE // 2):
        groups.rename(
            session=session, actor_id=ann, conversation_id=group, name=f"T{number}", now=now
        )
        role = "admin" if number % 2 == 0 else "member"
        group_members.set_role(
            session=session, actor_id=ann, conversation_id=group, user_id=bob, role=role, now=now
        )
    lines = len(events(session, group))
    with pytest.raises(RateLimited) as refused:
        groups.rename(session=session, actor_id=ann, conversation_id=group, name="again", now=now)
    assert refused.value.code == "too_many_group_changes"
    assert len(events(session, group)) == lines
    # Another user's count is their own; a minute later Ann's is free again.
    group_members.set_role(
        session=session,
        actor_id=ann,
        conversation_id=group,
        user_id=cat,
        role="admin",
        now=now + timedelta(minutes=1, seconds=1),
    )
    groups.rename(session=session, actor_id=cat, conversation_id=group, name="Cat's", now=now)
