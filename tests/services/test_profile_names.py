"""Changing my nickname: registration's rules, nothing stored when refused, who sees it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.models import Block, User, utc_now
from chat_app.services import friends, group_members, profile_names
from chat_app.services.errors import NotFound, ValidationFailed
from tests.services.test_var_markers import MARKER_NICKNAMES
from tests.support.groups import make_group, make_people

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    # ann is friends with bob and cat; dan and eve meet her only in the group.
    return make_people(session, "ann bob cat dan eve fay", "ann-bob ann-cat dan-eve ann-dan")


def _nickname(session: Session, user_id: int) -> str:
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user.nickname


def test_a_new_nickname_is_stored_normalised(session: Session, users):
    change = profile_names.change_nickname(
        session=session, user_id=users["ann"], nickname="  Anne\u0301 李 "
    )
    assert change.nickname == "Anné 李"
    assert _nickname(session, users["ann"]) == "Anné 李"


@pytest.mark.parametrize(
    ("nickname", "code"),
    [
        *((marker, "nickname_invalid") for marker in MARKER_NICKNAMES),
        ("Ann\x00", "nickname_invalid"),
        ("An\nn", "nickname_invalid"),
        ("Ann\u202e", "nickname_invalid"),
        ("\u3164", "nickname_invalid"),
        ("   ", "nickname_required"),
        ("x" * 33, "nickname_too_long"),
        (None, "nickname_invalid"),
        (["Ann"], "nickname_invalid"),
        ({"nickname": "Ann"}, "nickname_invalid"),
    ],
)
def test_a_refused_nickname_stores_nothing(session: Session, users, nickname: object, code: str):
    with pytest.raises(ValidationFailed) as refused:
        profile_names.change_nickname(session=session, user_id=users["ann"], nickname=nickname)
    assert refused.value.field_errors == {"nickname": code}
    assert _nickname(session, users["ann"]) == "Ann"


def test_a_deleted_or_unknown_user_cannot_be_renamed(session: Session, users):
    user = session.get(User, users["fay"])
    assert user is not None
    user.deleted_at = utc_now()
    session.commit()
    with pytest.raises(NotFound):
        profile_names.change_nickname(session=session, user_id=users["fay"], nickname="Fay 2")
    with pytest.raises(NotFound):
        profile_names.change_nickname(session=session, user_id=10**9, nickname="Ghost")


def test_friends_and_fellow_group_members_see_it_but_no_one_in_a_block(session: Session, users):
    ann, bob, cat, dan, eve, fay = (users[n] for n in ("ann", "bob", "cat", "dan", "eve", "fay"))
    make_group(session, ann, bob, dan)
    # Eve is in a group with Ann (through Dan), but Ann blocked her.
    make_group(session, dan, ann, eve)
    session.add(Block(blocker_id=ann, blocked_id=eve, created_at=utc_now()))
    # Cat blocked Ann: she sees Ann by username, whatever the nickname.
    friends.block_user(session=session, viewer_id=cat, target_id=ann)
    session.commit()

    change = profile_names.change_nickname(session=session, user_id=ann, nickname="Annie")

    assert change.friend_ids == {bob, dan}
    assert change.group_member_ids == {bob, dan}
    assert fay not in change.friend_ids | change.group_member_ids


def test_members_who_left_a_group_are_not_told(session: Session, users):
    ann, bob, cat, dan = (users[n] for n in ("ann", "bob", "cat", "dan"))
    group = make_group(session, ann, bob, dan)
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=dan)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=dan)
    change = profile_names.change_nickname(session=session, user_id=ann, nickname="Annie")
    assert change.group_member_ids == {bob}
    assert change.friend_ids == {bob, cat}
