"""Groups: create and rename, and outsiders or forged ids: each refused, nothing stored."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from chat_app.models import (
    Block,
    Conversation,
    utc_now,
)
from chat_app.services import friends, group_directory, group_members, groups
from chat_app.services.errors import Forbidden, NotFound, RateLimited, Refused
from chat_app.settings import load_settings
from tests.support.groups import (
    MANY_GROUPS,
    events,
    make_admin,
    make_group,
    make_people,
    refused,
    refused_for,
    roles,
    stored,
)

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    """ann is friends with everyone; bob with cat too; eve is nobody's friend."""
    return make_people(session, "ann bob cat dan eve", "ann-bob ann-cat ann-dan bob-cat")


def create(session: Session, creator: int, members: object, name: object = "Team", **kw):
    kw.setdefault("settings", MANY_GROUPS)
    return groups.create_group(
        session=session, creator_id=creator, name=name, member_ids=members, **kw
    )


# ----- create -----


def test_the_creator_owns_a_new_group_of_friends_and_the_timeline_says_so(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    change = create(session, ann, [bob, cat], name="  家族 Family  ")
    group = session.get(Conversation, change.conversation_id)
    assert group is not None
    assert (group.kind, group.name, group.creator_id, group.last_seq) == (
        "group",
        "家族 Family",
        ann,
        1,
    )
    assert roles(session, group.id) == {ann: "owner", bob: "member", cat: "member"}
    (created,) = events(session, change.conversation_id)
    assert created["event"] == "created"
    assert (created["actor"], created["users"], created["seq"], created["sender"]) == (
        ann,
        [bob, cat],
        1,
        ann,
    )
    assert len(created["client_id"]) == 32
    assert change.event == "created"
    assert set(change.member_ids) == {ann, bob, cat}
    assert change.messages[0].kind == "system"
    assert change.messages[0].seq == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "group_name_required"),
        ("   ", "group_name_required"),
        ("x" * 65, "group_name_too_long"),
        ("bad\x07bell", "group_name_invalid"),
        ("line\nbreak", "group_name_invalid"),
        ("evil\u202egpj.exe", "group_name_invalid"),
        ("isolate\u2067x\u2069", "group_name_invalid"),
        ("zero\u200bwidth", "group_name_invalid"),
        ("<reflex.Var>{}</reflex.Var>", "group_name_invalid"),
        ("x</REFLEX.var>", "group_name_invalid"),
        ("\u3164", "group_name_invalid"),
        (None, "group_name_invalid"),
        (42, "group_name_invalid"),
        (["Team"], "group_name_invalid"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_stored(session, users, name, code):
    refused(session, Refused, code, create, session, users["ann"], [users["bob"]], name=name)


def test_a_name_of_64_characters_in_any_script_is_accepted(session, users):
    name = "群" * 32 + "ñ" * 16 + "ع" * 16
    change = create(session, users["ann"], [users["bob"]], name=name)
    group = session.get(Conversation, change.conversation_id)
    assert group is not None
    assert group.name == name


def test_members_must_be_friends_without_a_block_either_way(session, users):
    ann, bob, cat, eve = users["ann"], users["bob"], users["cat"], users["eve"]
    refused(session, Refused, "group_not_friend", create, session, ann, [bob, eve])
    # ann blocks cat: the block ends the friendship, and a friendship with a block either
    # way is refused the same way as a stranger.
    session.add(Block(blocker_id=cat, blocked_id=ann, created_at=utc_now()))
    session.commit()
    refused(session, Refused, "group_not_friend", create, session, ann, [cat])
    refused(session, Refused, "group_not_friend", create, session, cat, [ann])
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    refused(session, Refused, "group_not_friend", create, session, ann, [bob])


@pytest.mark.parametrize(
    "members",
    [None, "2", 2, {}, [], [0], [-1], [True], ["2"], [2.0], [10**30], [999_999]],
)
def test_malformed_or_forged_member_lists_are_refused(session, users, members):
    error_codes = {"group_needs_members", "group_not_friend"}
    before = stored(session)
    with pytest.raises(Refused) as raised:
        create(session, users["ann"], members)
    assert raised.value.code in error_codes
    assert stored(session) == before


def test_someone_twice_or_the_creator_among_the_members_is_refused(session, users):
    ann, bob = users["ann"], users["bob"]
    refused(session, Refused, "group_already_member", create, session, ann, [bob, bob])
    refused(session, Refused, "group_already_member", create, session, ann, [bob, ann])


def test_the_member_limit_counts_the_creator(session, users):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    three = dataclasses.replace(MANY_GROUPS, group_member_limit=3)
    refused(session, Refused, "group_full", create, session, ann, [bob, cat, dan], settings=three)
    create(session, ann, [bob, cat], settings=three)


def test_the_member_limit_setting_defaults_to_256():
    assert load_settings({}).group_member_limit == 256
    assert load_settings({"CHAT_GROUP_MEMBER_LIMIT": "10"}).group_member_limit == 10


def test_creating_groups_is_rate_limited(session, users):
    two = dataclasses.replace(MANY_GROUPS, group_creations_per_hour=2)
    for _ in range(2):
        create(session, users["ann"], [users["bob"]], settings=two)
    refused(
        session,
        RateLimited,
        "too_many_groups",
        create,
        session,
        users["ann"],
        [users["bob"]],
        settings=two,
    )


# ----- rename -----


def test_the_owner_and_admins_rename_and_the_timeline_records_the_new_name(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    make_admin(session, group, ann, bob)
    change = groups.rename(session=session, actor_id=bob, conversation_id=group, name=" Équipe ")
    assert session.exec(select(Conversation.name).where(Conversation.id == group)).one() == "Équipe"
    last = events(session, group)[-1]
    assert (last["event"], last["actor"], last["name"]) == ("renamed", bob, "Équipe")
    assert change.messages[0].seq == last["seq"]
    assert set(change.member_ids) == {ann, bob, cat}


def test_a_plain_member_cannot_rename(session, users):
    group = make_group(session, users["ann"], users["bob"])
    refused_for(
        session,
        Forbidden,
        "group_admins_only",
        groups.rename,
        users["bob"],
        group,
        name="Mine",
    )


@pytest.mark.parametrize("name", ["", "a\u202eb", "<reflex.Var>x</reflex.Var>", "x" * 65])
def test_renaming_to_a_bad_name_is_refused(session, users, name):
    group = make_group(session, users["ann"], users["bob"])
    with pytest.raises(Refused):
        groups.rename(session=session, actor_id=users["ann"], conversation_id=group, name=name)


# ----- outsiders, forged ids, removed members -----


def _every_action(session, actor, group, other):
    return [
        (groups.rename, {"name": "x"}),
        (groups.set_avatar, {"file_id": None}),
        (groups.delete_group, {}),
        (group_members.add_members, {"user_ids": [other]}),
        (group_members.remove_member, {"user_id": other}),
        (group_members.leave, {}),
        (group_members.set_role, {"user_id": other, "role": "admin"}),
        (group_members.hand_over, {"user_id": other}),
    ]


@pytest.mark.parametrize("forged", [None, "1", 0, -3, True, 10**30, 1.5, 999_999])
def test_forged_group_ids_are_not_found(session, users, forged):
    make_group(session, users["ann"], users["bob"])
    for action, args in _every_action(session, users["ann"], forged, users["bob"]):
        refused_for(
            session,
            NotFound,
            "conversation_gone",
            action,
            users["ann"],
            forged,
            **args,
        )
    with pytest.raises(NotFound):
        group_directory.members_page(
            session=session, viewer_id=users["ann"], conversation_id=forged
        )


def test_outsiders_and_removed_members_get_not_found_for_every_action(session, users):
    ann, bob, cat, eve = users["ann"], users["bob"], users["cat"], users["eve"]
    group = make_group(session, ann, bob, cat)
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=cat)
    for outsider in (eve, cat):
        for action, args in _every_action(session, outsider, group, bob):
            refused_for(
                session,
                NotFound,
                "conversation_gone",
                action,
                outsider,
                group,
                **args,
            )
        with pytest.raises(NotFound):
            group_directory.members_page(session=session, viewer_id=outsider, conversation_id=group)
        refused(
            session,
            NotFound,
            "conversation_gone",
            groups.set_muted,
            session=session,
            viewer_id=outsider,
            conversation_id=group,
            muted=True,
        )


def test_a_direct_conversation_is_not_a_group(session, users):
    ann, bob = users["ann"], users["bob"]
    direct = session.exec(select(Conversation.id).where(Conversation.kind == "direct")).first()
    for action, args in _every_action(session, ann, direct, bob):
        refused_for(
            session,
            NotFound,
            "conversation_gone",
            action,
            ann,
            direct,
            **args,
        )
