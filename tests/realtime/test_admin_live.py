"""An administrator's action reaches the account's open tabs live (both profiles).

Disabling a user and deleting an account end the account's sessions: every open tab of
that user goes to /auth at once, without any action of its own, whichever worker it is on.
"""

from __future__ import annotations

import pytest

from chat_app.i18n import text
from chat_app.states.admin_user_actions import AdminUserActionsState
from chat_app.states.admin_users import AdminUsersState
from tests.realtime.conftest import Backend
from tests.realtime.helpers import (
    AUTH,
    STORAGE_KEYS,
    TOKEN_KEY,
    open_chat,
    register,
    session_token,
    unique_username,
)
from tests.realtime.test_auth_events import redirected_to
from tests.support.admins import promote_in
from tests.support.event_client import EventClient

USERS = AdminUsersState.get_full_name()
ACTIONS = AdminUserActionsState.get_full_name()


async def _admin_page(backend: Backend) -> EventClient:
    """A new administrator's tab on /admin, its users list loaded."""
    name = unique_username("admin")
    tab = await register(backend.url, name)
    promote_in(backend.database_url, name)
    admin = EventClient(backend.url, local_storage={TOKEN_KEY: session_token(tab)})
    admin.storage_keys |= STORAGE_KEYS
    await tab.close()
    await admin.connect("/admin")
    await admin.wait_for(lambda c: c.var(USERS, "rows") not in (None, []))
    return admin


async def _row_id(admin: EventClient, username: str) -> int:
    await admin.call(USERS, "search", {"query": username})
    await admin.wait_for(
        lambda c: [row["username"] for row in c.var(USERS, "rows") or []] == [username]
    )
    return admin.var(USERS, "rows")[0]["id"]


@pytest.mark.parametrize("action", ["disable", "delete"])
async def test_the_accounts_open_tabs_go_to_auth_live(backend: Backend, action: str):
    name = unique_username("victim")
    laptop = await register(backend.url, name)
    phone = await open_chat(backend.url, session_token(laptop))
    admin = await _admin_page(backend)
    user_id = await _row_id(admin, name)
    for tab in (laptop, phone):
        tab.events.clear()

    await admin.call(ACTIONS, "ask", {"action": action, "user_id": user_id})
    await admin.wait_for(lambda c: c.var(ACTIONS, "pending_action") == action)
    await admin.call(ACTIONS, "confirm", {})

    expected = "disabled" if action == "disable" else "deleted"
    for tab in (laptop, phone):
        await tab.wait_for(lambda c: redirected_to(c, "/auth"))
        assert tab.var(AUTH, "session_token") == ""
        assert tab.var(AUTH, "username") == ""
        # Told why, not "your session has ended" (a password retyped would not help).
        await tab.wait_for(lambda c: c.var(AUTH, "notice") == text(f"account_{expected}"))
    await admin.wait_for(lambda c: (c.var(USERS, "rows") or [{}])[0].get("status") == expected)
    for tab in (laptop, phone, admin):
        await tab.close()
