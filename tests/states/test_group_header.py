"""Opening a group: its name, size and the viewer's role in the header; a departed member
reads the history without a composer; a direct chat shows no group header.
"""

from __future__ import annotations

from sqlmodel import Session

from chat_app.services import conversations, group_members, groups
from tests.support.tabs import named_tabs, run
from tests.support.users import make_friends

NAME = "三年级 Class 🎒"


async def test_a_group_opens_with_its_name_size_and_role_and_a_departed_member_reads_only(
    tab_factory, engine
):
    (ann, ann_id), (bob, bob_id), (cat, cat_id) = await named_tabs(tab_factory, "ann", "bob", "cat")
    with Session(engine) as session:
        make_friends(session, ann_id, bob_id)
        make_friends(session, ann_id, cat_id)
        group = groups.create_group(
            session=session, creator_id=ann_id, name=NAME, member_ids=[bob_id, cat_id]
        ).conversation_id

    await run(ann.open_conversation, group)
    assert (ann.is_group, ann.group_name, ann.member_count, ann.my_role) == (
        True,
        NAME,
        3,
        "owner",
    )
    assert not ann.read_only
    await run(bob.open_conversation, group)
    assert (bob.my_role, bob.read_only) == ("member", False)

    with Session(engine) as session:
        group_members.remove_member(
            session=session, actor_id=ann_id, conversation_id=group, user_id=bob_id
        )
    # Bob's open tab was away (a reload): its catch-up finds him removed, and no longer
    # learns how many are in the group.
    await run(bob.load)
    assert (bob.read_only, bob.member_count, bob.my_role) == (True, 0, "")
    await run(bob.open_conversation, group)
    assert bob.read_only
    assert (bob.is_group, bob.member_count, bob.my_role) == (True, 0, "")
    await run(ann.open_conversation, group)
    assert ann.member_count == 2

    # A direct chat after a group: the group's header is gone.
    with Session(engine) as session:
        make_friends(session, bob_id, cat_id)
        direct = conversations.direct_with(session=session, viewer_id=cat_id, friend_id=bob_id)
    await run(cat.open_conversation, group)
    await run(cat.open_conversation, direct)
    assert (cat.is_group, cat.group_name, cat.member_count, cat.my_role) == (False, "", 0, "")
    assert cat.open_friend_id == bob_id


async def test_an_outsider_opening_a_group_by_id_sees_nothing_of_it(tab_factory, engine):
    (_ann, ann_id), (_bob, bob_id), (eve, _eve_id) = await named_tabs(
        tab_factory, "ann", "bob", "eve"
    )
    with Session(engine) as session:
        make_friends(session, ann_id, bob_id)
        group = groups.create_group(
            session=session, creator_id=ann_id, name=NAME, member_ids=[bob_id]
        ).conversation_id
    await run(eve.open_conversation, group)
    assert (eve.conversation_id, eve.is_group, eve.group_name) == (0, False, "")
