"""The load of /admin: administrators get every section read; anybody else is sent away.

A signed-out tab goes to /auth, a signed-in non-administrator's to the chat; both forget
whatever admin data the tab held, so the page renders none.
"""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.states.admin_access import AdminAccessState, forget_admin_data, refuse
from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.admin_users import AdminUsersState
from chat_app.states.auth import AuthState
from chat_app.states.ui import UiState


class AdminPageState(rx.State):
    """Loads the administration page's states on every page load and reconnect."""

    @rx.event
    async def load(self):
        """On load of /admin: check the viewer, then read the users and the sections.

        Returns:
            The way to /auth or to the chat for anybody who is not an administrator.
        """
        ui = await self.get_state(UiState)
        ui._detect_language()
        ui._detect_device()
        user = await (await self.get_state(AuthState))._current_user(register=True)
        access = await self.get_state(AdminAccessState)
        if user is None:
            await forget_admin_data(self)
            return rx.redirect(routes.AUTH, replace=True)
        if not await access._load():
            return await refuse(self)
        users = await self.get_state(AdminUsersState)
        # The search box comes back empty: so does the list (an earlier search stayed on).
        users._forget()
        await users._read(user.id)
        await (await self.get_state(AdminOverviewState))._load(user.id)
        return None
