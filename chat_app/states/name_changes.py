"""A user's new nickname, shown live in the tabs of everyone who sees it.

Friends' panes (friend list, chat rows) are read again like after any change to them
(FriendsState._publish). Every tab of a friend or fellow group member also gets one push
into its conversation state: the open direct chat's header takes the new name, the open
group's look-up reads that one person again (states/group_timeline.py) and the members
panel renames their row; a tab listing groups reads its rows again (a group's preview names
its last sender). Nothing rides on the messages, so a rename costs a tab the same whatever
its history. People in a block with the user are not in the audience
(services/profile_names.py): they keep seeing the username.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from chat_app.realtime.push import notify_users
from chat_app.services.people_views import FriendsChange
from chat_app.services.profile_names import NicknameChange
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState
from chat_app.states.chat_preview import GROUP
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.tab_identity import tab_token


async def show_new_name(user_id: int, nickname: str, state: ConversationState) -> None:
    """Applied to one tab of someone who sees `user_id`: the new name where the tab shows it.

    Module-level (bound with functools.partial): it pickles, so it may travel to the worker
    holding the tab's socket (realtime/push_relay.py).

    Args:
        user_id: Who was renamed.
        nickname: Their new nickname (held as a var's value only, never a Var).
        state: The tab's conversation state.
    """
    if state._user_id is None or state._user_id == user_id:
        return
    lists = await state.get_state(ChatListState)
    if any(row.kind == GROUP for row in lists.rows):
        await lists._read(state._user_id, lists._link_key)
    if state.open_friend_id == user_id and not state.is_group:
        state.open_friend_nickname = nickname
    if not state.is_group:
        return  # no look-up, no members panel: nothing more to load
    await state._person_renamed(user_id)
    panel = await state.get_state(GroupPanelState)
    if panel.panel_open and any(member.user_id == user_id for member in panel.members):
        panel.members = [
            replace(member, nickname=nickname) if member.user_id == user_id else member
            for member in panel.members
        ]


async def _refresh_own_name(state: AuthState) -> None:
    """Applied to the renamed user's other tabs: the header reads the name again."""
    await state._current_user(fresh=True)


async def publish_rename(state: FriendsState, change: NicknameChange) -> None:
    """Push a committed rename to the renamed user's other tabs and to its audience.

    Args:
        state: The renaming tab's friends state (its own tab already shows the name).
        change: What the service committed.
    """
    own_tab = tab_token(state)
    await notify_users([change.user_id], AuthState, _refresh_own_name, except_tab=own_tab)
    if change.friend_ids:
        await state._publish(FriendsChange(change.friend_ids))
    audience = change.friend_ids | change.group_member_ids
    if audience:
        shown = functools.partial(show_new_name, change.user_id, change.nickname)
        await notify_users(sorted(audience), ConversationState, shown)
