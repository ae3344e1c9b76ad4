"""The members panel, handlers called directly: what each role sees and may do.

Refusals (a plain member's admin action, an outsider, forged ids, no session) are shown in
the panel in the viewer's language and change nothing stored.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from chat_app.i18n import ZH
from chat_app.services.people_views import ContactView
from chat_app.states import group_panel
from chat_app.states.auth import AuthState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.ui import UiState
from tests.support.group_tabs import befriend_first, group_of, open_panel, people, record_pushes
from tests.support.groups import stored
from tests.support.tabs import redirect_targets, run


def _stored(engine):
    with Session(engine) as session:
        return stored(session)


def _listed(panel: GroupPanelState) -> list[tuple[str, str]]:
    return [(member.username, member.role) for member in panel.members]


async def test_the_panel_pages_and_searches_members_on_the_server(tab_factory, engine, monkeypatch):
    monkeypatch.setattr(group_panel, "PAGE_SIZE", 2)
    ann, bob, cat, dan = await people(tab_factory, "ann", "bob", "cat", "dan")
    befriend_first(engine, [ann, bob, cat, dan])
    group = await group_of(engine, ann, bob, cat, dan)
    await open_panel(ann, group)
    panel = ann.panel
    assert panel.panel_open
    assert panel.my_role == "owner"
    assert _listed(panel) == [("ann", "owner"), ("bob", "member")]
    assert (panel.members_total, panel.has_more, panel.members_range) == (4, True, "1-2 of 4")
    await run(panel.more_members)
    assert _listed(panel) == [("cat", "member"), ("dan", "member")]
    assert not panel.has_more
    await run(panel.previous_members)
    assert [m.username for m in panel.members] == ["ann", "bob"]
    await run(panel.search_members, "CA")
    assert _listed(panel) == [("cat", "member")]
    assert panel.members_offset == 0
    # Never more than a page in the tab's state, whatever the group's size.
    assert len(panel.members) <= group_panel.PAGE_SIZE


async def test_an_owner_renames_adds_promotes_and_removes(tab_factory, engine, monkeypatch):
    pushes = record_pushes(monkeypatch)
    ann, bob, cat, dan = await people(tab_factory, "ann", "bob", "cat", "dan")
    befriend_first(engine, [ann, bob, cat, dan])
    group = await group_of(engine, ann, bob, cat)
    await open_panel(ann, group)

    await run(ann.actions.set_new_name, "Team 二")
    await run(ann.actions.rename)
    assert ann.conversation.group_name == "Team 二"
    rows = (await ann.chat_list()).rows
    assert [row.name for row in rows if row.conversation_id == group] == ["Team 二"]

    await run(ann.actions.open_picker)
    # Bob and Cat are in the group already: only Dan can be added.
    assert [c.username for c in ann.actions.offered] == ["dan"]
    await run(ann.actions.filter_friends, "da")
    await run(ann.actions.toggle_pick, dan.user_id)
    await run(ann.actions.add_picked)
    assert ann.panel.error == ""
    assert ann.conversation.member_count == 4
    assert ("dan", "member") in _listed(ann.panel)

    await run(ann.actions.set_role, bob.user_id, "admin")
    assert ("bob", "admin") in _listed(ann.panel)
    await run(ann.actions.remove_member, cat.user_id)
    assert "cat" not in [m.username for m in ann.panel.members]
    assert ann.conversation.member_count == 3
    # Every change went to the members' tabs (and the removed one's) as it happened.
    assert [ids for ids, _ in pushes.made][-1] == (
        ann.user_id,
        bob.user_id,
        dan.user_id,
        cat.user_id,
    )


async def test_the_name_field_starts_with_the_groups_name_and_its_own_name_renames_nothing(
    tab_factory, engine
):
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob, name="Trip 旅行")
    await open_panel(ann, group)
    await run(ann.actions.set_new_name, "left over from before")
    await run(ann.actions.start_forms)
    assert (ann.actions.new_name, ann.actions.can_rename) == ("Trip 旅行", False)

    # Rename without a change (or with spaces only around it): no "renamed" line is written.
    before = _stored(engine)
    await run(ann.actions.set_new_name, " Trip 旅行 ")
    assert not ann.actions.can_rename
    await run(ann.actions.rename)
    assert _stored(engine) == before

    await run(ann.actions.set_new_name, "Trip 2")
    assert ann.actions.can_rename
    await run(ann.actions.rename)
    # The field now holds the new name, which is the group's: nothing more to rename.
    assert (ann.actions.new_name, ann.actions.can_rename) == ("Trip 2", False)
    assert ann.conversation.group_name == "Trip 2"


async def test_leaving_is_asked_first(tab_factory, engine):
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    await open_panel(ann, group)
    await run(ann.actions.ask_leave)
    assert ann.actions.confirm_leave
    await run(ann.actions.cancel_leave)
    assert not ann.actions.confirm_leave
    assert ann.panel.my_role == "owner"
    await open_panel(bob, group)
    await run(bob.actions.ask_leave)
    await run(bob.actions.leave)
    assert (bob.actions.confirm_leave, bob.panel.my_role) == (False, "")


async def test_a_plain_member_and_forged_ids_are_refused_in_the_panel(tab_factory, engine):
    ann, bob, cat = await people(tab_factory, "ann", "bob", "cat")
    befriend_first(engine, [ann, bob, cat])
    group = await group_of(engine, ann, bob, cat)
    await open_panel(bob, group)
    assert bob.panel.my_role == "member"
    before = _stored(engine)
    admins_only = "Only the group's owner and admins can do that."
    owner_only = "Only the group's owner can do that."
    for handler, args, message in [
        (bob.actions.remove_member, (cat.user_id,), admins_only),
        (bob.actions.set_role, (cat.user_id, "admin"), owner_only),
        (bob.actions.hand_over, (cat.user_id,), owner_only),
        (bob.actions.set_new_name, ("Mine",), ""),
        (bob.actions.rename, (), admins_only),
        (bob.actions.ask_delete, (), ""),
        (bob.actions.delete_group, (), owner_only),
    ]:
        bob.panel.error = ""
        await run(handler, *args)
        assert bob.panel.error == message
    assert _stored(engine) == before

    await open_panel(ann, group)
    (await ann.conversation.get_state(UiState)).language = "zh"
    for forged in (0, -1, 10**12, bob.user_id * 1000):
        ann.panel.error = ""
        await run(ann.actions.remove_member, forged)
        assert ann.panel.error == ZH["group_member_gone"]
    await run(ann.actions.remove_member, ann.user_id)
    assert ann.panel.error == ZH["group_not_yourself"]
    await run(ann.actions.set_role, bob.user_id, "owner")  # no such role: ignored
    await run(ann.actions.delete_group)  # no warning shown first: ignored
    assert _stored(engine) == before


async def test_an_outsider_cannot_reach_a_group_through_the_panel(tab_factory, engine):
    ann, bob, zed = await people(tab_factory, "ann", "bob", "zed")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    before = _stored(engine)
    # Zed's tab cannot open it, so the panel does not open either.
    await run(zed.conversation.open_conversation, group)
    await run(zed.panel.open_panel)
    assert not zed.panel.panel_open
    # Even a panel forged open on the group (its backend var) is refused by every service.
    zed.panel.panel_open = True
    zed.panel._conversation_id = group
    zed.actions.confirm_delete = True
    zed.actions.picker_open = True
    zed.actions.new_name = "Mine"
    zed.actions.picked = [ContactView(user_id=bob.user_id, username="bob", nickname="Bob")]
    for handler, args in [
        (zed.actions.remove_member, (bob.user_id,)),
        (zed.actions.set_role, (bob.user_id, "admin")),
        (zed.actions.hand_over, (bob.user_id,)),
        (zed.actions.rename, ()),
        (zed.actions.leave, ()),
        (zed.actions.delete_group, ()),
        (zed.actions.hide, ()),
        (zed.actions.add_picked, ()),
    ]:
        zed.panel.error = ""
        await run(handler, *args)
        assert zed.panel.error == "That conversation is no longer available."
    await run(zed.panel.search_members, "")
    assert zed.panel.members == []
    assert _stored(engine) == before


@pytest.mark.parametrize(
    ("state_class", "handler", "args"),
    [
        (GroupPanelState, "open_panel", ()),
        (GroupPanelState, "set_open", (False,)),
        (GroupPanelState, "search_members", ("a",)),
        (GroupPanelState, "more_members", ()),
        (GroupPanelState, "previous_members", ()),
        (GroupActionsState, "open_picker", ()),
        (GroupActionsState, "close_picker", ()),
        (GroupActionsState, "start_forms", ()),
        (GroupActionsState, "set_new_name", ("x",)),
        (GroupActionsState, "cancel_delete", ()),
        (GroupActionsState, "reject_picture", (1,)),
        (GroupActionsState, "filter_friends", ("b",)),
        (GroupActionsState, "toggle_pick", (1,)),
        (GroupActionsState, "add_picked", ()),
        (GroupActionsState, "remove_member", (1,)),
        (GroupActionsState, "set_role", (1, "admin")),
        (GroupActionsState, "hand_over", (1,)),
        (GroupActionsState, "rename", ()),
        (GroupActionsState, "ask_leave", ()),
        (GroupActionsState, "cancel_leave", ()),
        (GroupActionsState, "leave", ()),
        (GroupActionsState, "ask_delete", ()),
        (GroupActionsState, "delete_group", ()),
        (GroupActionsState, "hide", ()),
        (GroupActionsState, "upload_picture", ([],)),
    ],
)
async def test_handlers_without_a_session_go_to_login_and_change_nothing(
    tab_factory, engine, state_class, handler, args
):
    ann, bob = await people(tab_factory, "ann", "bob")
    befriend_first(engine, [ann, bob])
    group = await group_of(engine, ann, bob)
    before = _stored(engine)
    intruder = tab_factory(state_class, token="intruder")
    (await intruder.get_state(AuthState)).session_token = "forged"
    panel = await intruder.get_state(GroupPanelState)
    panel.panel_open, panel._conversation_id = True, group
    actions = await intruder.get_state(GroupActionsState)
    actions.confirm_delete = actions.picker_open = True
    assert redirect_targets(await run(getattr(intruder, handler), *args)) == ["/auth"]
    assert _stored(engine) == before
