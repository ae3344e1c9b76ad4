"""A disabled or deleted account, shown live everywhere it matters (after the commit).

The account's open tabs go to /auth (its sessions are gone), the groups it owned or left
are published like any group change, its former friends' panes are read again, and the
contents it no longer links to (a deleted user's picture) are deleted from storage. Used by
the admin page; a user deleting their own account needs the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import notify_users
from chat_app.services.account_status import AccountChange
from chat_app.states.auth import end_tabs_of
from chat_app.states.friends import FriendsState, _snapshot_setter
from chat_app.states.group_changes import publish


def _delete_contents(keys: tuple[str, ...]) -> None:
    for key in keys:
        PROFILE.storage.delete(key)


async def publish_account_change(
    state: rx.State, change: AccountChange, *, ended_because: str = ""
) -> list[Any]:
    """Push what disabling, enabling or deleting an account changed to every tab concerned.

    Args:
        state: A state of the acting tab.
        change: What the service committed.
        ended_because: When the account's sessions were ended (disable, delete), the
            i18n key of the notice its tabs show on /auth, so the person learns why they
            were signed out; its tabs go there, the acting tab too when it was the
            account's own. Empty: the sessions stay.

    Returns:
        The acting tab's frontend events (from the group changes).
    """
    if change.storage_keys:
        await asyncio.to_thread(_delete_contents, change.storage_keys)
    if ended_because:
        await end_tabs_of(change.user_id, why=ended_because)
    for friend_id in sorted(change.friend_ids):
        # Each former friend's tabs read their own pane again (the account left it).
        await notify_users([friend_id], FriendsState, _snapshot_setter(friend_id, []))
    events: list[Any] = []
    for group_change in change.group_changes:
        events += await publish(state, group_change)
    return events
