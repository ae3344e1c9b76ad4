"""Group changes made from the members panel, seen live by other members' tabs (raw clients).

A rename shows in another member's open group (header and timeline) and in every member's
list; a removed member's open tab turns read-only and gets no later message; a deleted
group leaves every member's list and closes, with a toast, where it was open.
"""

from __future__ import annotations

from typing import Any

from chat_app.states.chat_list import ChatListState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.new_group import NewGroupState
from tests.realtime.helpers import (
    CONVERSATION,
    befriend,
    register,
    send_text,
    shown,
    toasts,
    unique_username,
)
from tests.support.event_client import EventClient

CHATS = ChatListState.get_full_name()
NEW_GROUP = NewGroupState.get_full_name()
PANEL = GroupPanelState.get_full_name()
ACTIONS = GroupActionsState.get_full_name()


def _names(tab: EventClient, group: int) -> list[str]:
    return [row["name"] for row in tab.var(CHATS, "rows") or [] if row["conversation_id"] == group]


def _bodies(tab: EventClient) -> list[str]:
    return [message["body"] for message in shown(tab)]


async def _group_of(owner: EventClient, member_ids: list[int], name: str) -> int:
    """A group made in the owner's New group dialog; it opens in the owner's tab."""
    await owner.call(NEW_GROUP, "open_dialog", {})
    await owner.wait_for(lambda c: len(c.var(NEW_GROUP, "offered") or []) == len(member_ids))
    for user_id in member_ids:
        await owner.call(NEW_GROUP, "toggle_friend", {"user_id": user_id})
    await owner.wait_for(lambda c: len(c.var(NEW_GROUP, "picked") or []) == len(member_ids))
    await owner.call(NEW_GROUP, "set_group_name", {"name": name})
    await owner.call(NEW_GROUP, "create", {})
    await owner.wait_for(lambda c: c.var(CONVERSATION, "group_name") == name)
    return owner.var(CONVERSATION, "conversation_id")


async def _open(tab: EventClient, group: int) -> None:
    await tab.wait_for(lambda c: bool(_names(c, group)))
    await tab.call(CONVERSATION, "open_conversation", {"conversation_id": group})
    await tab.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == group)


async def _people(backend: Any) -> tuple[EventClient, EventClient, EventClient, int, int]:
    ann = await register(backend.url, unique_username("pann"))
    bob = await register(backend.url, unique_username("pbob"))
    cat = await register(backend.url, unique_username("pcat"))
    _, bob_id = await befriend(ann, bob)
    _, cat_id = await befriend(ann, cat)
    for tab in (ann, bob, cat):
        await tab.call(CHATS, "load", {})
    return ann, bob, cat, bob_id, cat_id


async def test_rename_remove_and_delete_show_live_in_other_members_tabs(backend):
    ann, bob, cat, bob_id, cat_id = await _people(backend)
    group = await _group_of(ann, [bob_id, cat_id], "Live team")
    await _open(bob, group)
    await _open(cat, group)
    await ann.call(PANEL, "open_panel", {})
    await ann.wait_for(lambda c: len(c.var(PANEL, "members") or []) == 3)

    # A rename: another member's open group and every member's list follow.
    await ann.call(ACTIONS, "set_new_name", {"name": "Renamed 队"})
    await ann.call(ACTIONS, "rename", {})
    await bob.wait_for(lambda c: c.var(CONVERSATION, "group_name") == "Renamed 队")
    await bob.wait_for(lambda c: "renamed the group to “Renamed 队”" in _bodies(c)[-1])
    for tab in (ann, bob, cat):
        await tab.wait_for(lambda c: _names(c, group) == ["Renamed 队"])
    seqs = [message["seq"] for message in shown(bob)]
    assert seqs == sorted(set(seqs))

    # A removal: the removed member's open tab turns read-only and hears nothing more.
    await ann.call(ACTIONS, "remove_member", {"user_id": cat_id})
    await cat.wait_for(lambda c: c.var(CONVERSATION, "read_only") is True)
    await cat.wait_for(lambda c: _bodies(c)[-1].endswith("removed you"))
    await bob.wait_for(lambda c: c.var(CONVERSATION, "member_count") == 2)
    await send_text(bob, "after cat left")
    await ann.wait_for(lambda c: "after cat left" in _bodies(c))
    await bob.wait_for(lambda c: "after cat left" in _bodies(c))
    assert not any("after cat left" in frame for frame in cat.frames)

    # A deletion: gone from every list; closed, with a toast, where it was open.
    await ann.call(PANEL, "open_panel", {})
    await ann.wait_for(lambda c: c.var(PANEL, "panel_open") is True)
    await ann.call(ACTIONS, "ask_delete", {})
    await ann.wait_for(lambda c: c.var(ACTIONS, "confirm_delete") is True)
    await ann.call(ACTIONS, "delete_group", {})
    for tab in (ann, bob, cat):
        await tab.wait_for(lambda c: _names(c, group) == [])
    await bob.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == 0)
    await bob.wait_for(lambda c: any("was deleted" in toast for toast in toasts(c)))
    for tab in (ann, bob, cat):
        await tab.close()
