"""A committed group change, shown live in every tab of everyone it concerns.

The acting tab applies the change to itself at once; every other tab of the group's
members, and of those the change took out, gets it pushed (one fan-out, never awaited).
In each tab: the change's system lines join the open timeline like any new message (the
message buffer merges by id: in order, never twice), the open group's header and the panel
are read again for that viewer, and the chat list is read again when its row changed.
A member the change took out reads on, read-only, and is pushed nothing more; a deleted
group closes where it was open, with a toast, and leaves every list.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import notify_users
from chat_app.services import history
from chat_app.services.errors import NotFound
from chat_app.services.group_views import GroupChange
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.outbox import OutboxState
from chat_app.states.place import PlaceState
from chat_app.states.safe_text import toast_info
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.unread import UnreadState

# Changes that alter what a chat list row shows (its name or picture) or whether it is there.
_ROW_EVENTS = frozenset({"renamed", "avatar", "deleted", "hidden"})


async def publish(
    state: rx.State, change: GroupChange, group_name: str = "", *, to_own_tab: bool = False
) -> list[Any]:
    """Show a committed change in the acting tab and push it to every tab it concerns.

    Args:
        state: A state of the acting tab.
        change: What the service committed.
        group_name: The group's name as it was (a deleted group's toast names it).
        to_own_tab: Push to the acting tab too instead of changing it here. An upload
            needs it: its handler's update reaches the tab in the HTTP response, which the
            browser may apply after newer socket updates (a message that came meanwhile
            would be overwritten), so the change must come over the socket, in turn.

    Returns:
        The frontend events of the acting tab (a toast where a deleted group was open).
    """
    if change.storage_keys:
        # Their rows went with the commit: nothing links to these contents any more.
        await asyncio.to_thread(_delete_contents, change.storage_keys)
    actor = (await state.get_state(AuthState)).nickname
    own_tab = "" if to_own_tab else tab_token(state)
    shown = group_changed(change, actor, group_name)
    events = [] if to_own_tab else await shown(await state.get_state(ConversationState))
    await notify_users(
        (*change.member_ids, *change.removed_ids), ConversationState, shown, except_tab=own_tab
    )
    return events


def _delete_contents(keys: tuple[str, ...]) -> None:
    for key in keys:
        PROFILE.storage.delete(key)


def group_changed(
    change: GroupChange, actor_nickname: str, group_name: str
) -> Callable[[ConversationState], Awaitable[list[Any]]]:
    """The push of a group change to one tab.

    A partial of a module-level function, not a closure: it may travel, pickled, to the
    worker holding the tab's socket (realtime/push_relay.py).
    """
    return functools.partial(_show_change, change, actor_nickname, group_name)


async def _show_change(
    change: GroupChange, actor_nickname: str, group_name: str, state: ConversationState
) -> list[Any]:
    viewer_id = state._user_id
    if viewer_id is None:
        return []
    key = change.conversation_id
    if change.event == "deleted":
        return await _show_deleted(state, key, group_name)
    events: list[Any] = []
    for message in change.messages:
        # A system line is nobody's unread message: shown, never counted or toasted.
        events += await state._receive(message, key, actor_nickname, False)
    if change.event == "hidden" and state.conversation_id == key:
        state._close()
    elif state.conversation_id == key:
        await _refresh_header(state, viewer_id)
    lists = await state.get_state(ChatListState)
    row = next((row for row in lists.rows if row.conversation_id == key), None)
    # Not listed yet (added), or greyed when no longer (removed, left, or added back).
    stale = row is None or row.departed != (viewer_id in change.removed_ids)
    if change.event in _ROW_EVENTS or stale:
        await lists._read(viewer_id, lists._link_key)
    await (await state.get_state(GroupPanelState))._group_changed(change, viewer_id)
    return events


async def _refresh_header(state: ConversationState, viewer_id: int) -> None:
    """Read the open group's header for this viewer; a departed one reads on, read-only."""
    try:
        header, writable = await call_service(
            history.group_header, viewer_id=viewer_id, conversation_id=state.conversation_id
        )
    except NotFound:
        state._close()
        return
    state._show_group(header, state._link_key)
    if state.read_only == writable:
        state.read_only = not writable


async def _forget_in_browser(state: ConversationState, viewer_id: int, key: int) -> None:
    """What this browser keeps for a deleted group: unsent messages, its draft and place.

    They have nowhere to go any more, and would otherwise be re-sent (and refused) on every
    page load until the storage caps pushed them out.
    """
    outbox_state = await state.get_state(OutboxState)
    outbox = outbox_state._read(viewer_id)
    if outbox.of_conversation(key):
        outbox.entries = [entry for entry in outbox.entries if entry.conversation_id != key]
        outbox_state._write(outbox)
    place_state = await state.get_state(PlaceState)
    places = place_state._read(viewer_id)
    if places.take(key) is not None:
        place_state._write(places)


async def _show_deleted(state: ConversationState, key: int, group_name: str) -> list[Any]:
    viewer_id = state._user_id
    events: list[Any] = []
    if state.conversation_id == key:
        state._close()
        events.append(toast_info(text("group_deleted", await language_of(state), name=group_name)))
    if viewer_id is not None:
        await _forget_in_browser(state, viewer_id, key)
    (await state.get_state(UnreadState))._set(key, 0)
    lists = await state.get_state(ChatListState)
    await lists._read(viewer_id, lists._link_key)
    change = GroupChange(key, "deleted", ())
    if viewer_id is not None:
        await (await state.get_state(GroupPanelState))._group_changed(change, viewer_id)
    return events
