"""What an administrator does to one user of the list: disable, enable, roles, resets, delete.

Each action names a row of the page the tab was sent (AdminUsersState keeps their ids on the
server); a forged or stale id is refused with a toast and the list is read again. The
services check the administrator's role again and write the audit entry in the same
transaction. Destructive actions wait for a confirmation. After a disable or a delete the
user's open tabs go to /auth live and what else changed is published
(states/account_changes.py).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.services import account_status, admin_rights, password_resets, public_links
from chat_app.services.errors import DomainError
from chat_app.states.account_changes import publish_account_change
from chat_app.states.admin_access import (
    admin_only,
    is_admin,
    on_access_lost,
    refuse,
    role_changed,
)
from chat_app.states.admin_users import AdminUsersState
from chat_app.states.safe_text import toast_error, toast_success
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of

# Run at once; the others ask first.
DIRECT_ACTIONS = frozenset({"enable", "promote", "reset"})
CONFIRMED_ACTIONS = frozenset({"disable", "demote", "delete"})
# What the person's open tabs say on /auth after they were signed out by these actions:
# "Your session has ended" alone sends them to retype a password that no longer works.
ENDED_NOTICES = {"disable": "account_disabled", "delete": "account_deleted"}


class AdminUserActionsState(rx.State):
    """The action waiting for its confirmation, and the last password link made."""

    # "" when nothing waits; else one of CONFIRMED_ACTIONS.
    pending_action: str = ""
    pending_username: str = ""
    # The one-time link of the last reset (shown until closed), and whose it is.
    reset_link: str = ""
    reset_username: str = ""
    _pending_user_id: int = 0

    def _forget(self) -> None:
        self.pending_action = self.pending_username = ""
        self.reset_link = self.reset_username = ""
        self._pending_user_id = 0

    @rx.event
    @admin_only
    async def ask(self, viewer_id: int, action: str, user_id: int):
        """Start an action on a listed user: at once, or after the confirmation."""
        users = await self.get_state(AdminUsersState)
        if not isinstance(action, str) or action not in DIRECT_ACTIONS | CONFIRMED_ACTIONS:
            return None
        if not users._lists(user_id):
            return await self._stale(viewer_id)
        if action in DIRECT_ACTIONS:
            return await self._run(viewer_id, action, user_id)
        row = next(row for row in users.rows if row.id == user_id)
        self.pending_action, self.pending_username = action, row.username
        self._pending_user_id = user_id
        return None

    @rx.event
    @admin_only
    async def confirm(self, viewer_id: int):
        """Do the action that waited for its confirmation."""
        action, user_id = self.pending_action, self._pending_user_id
        self.pending_action, self.pending_username, self._pending_user_id = "", "", 0
        if action not in CONFIRMED_ACTIONS:
            return None
        if not (await self.get_state(AdminUsersState))._lists(user_id):
            return await self._stale(viewer_id)
        return await self._run(viewer_id, action, user_id)

    @rx.event
    @admin_only
    async def cancel(self, viewer_id: int):
        """Drop the action that waited."""
        self.pending_action, self.pending_username, self._pending_user_id = "", "", 0

    @rx.event
    @admin_only
    async def close_reset_link(self, viewer_id: int):
        """Hide the password link (it stays valid; only this tab forgets it)."""
        self.reset_link = self.reset_username = ""

    async def _stale(self, viewer_id: int) -> list[Any]:
        await (await self.get_state(AdminUsersState))._read(viewer_id)
        return [toast_error(text("admin_user_gone", await language_of(self)))]

    async def _run(self, viewer_id: int, action: str, user_id: int) -> list[Any]:
        language = await language_of(self)
        users = await self.get_state(AdminUsersState)
        try:
            events = await self._apply(viewer_id, action, user_id)
        except DomainError as error:
            await users._read(viewer_id)
            return [toast_error(text(error.code, language))]
        if user_id == viewer_id and not await is_admin(viewer_id):
            return events + await refuse(self)  # they removed their own role or account
        await users._read(viewer_id)
        if action != "reset":
            events.append(toast_success(text(f"admin_done_{action}", language)))
        return events

    async def _apply(self, viewer_id: int, action: str, user_id: int) -> list[Any]:
        """Call the service for `action`; after the commit, push what it changed."""
        if action in ("promote", "demote"):
            await call_service(
                admin_rights.set_admin,
                actor_id=viewer_id,
                target_id=user_id,
                admin=action == "promote",
            )
            tab = tab_token(self)
            await role_changed(user_id, action == "promote", except_tab=tab)
            return []
        if action == "reset":
            token = await call_service(
                password_resets.create_reset, actor_id=viewer_id, target_id=user_id
            )
            origin = public_links.page_origin(self.router.page.host)
            users = await self.get_state(AdminUsersState)
            self.reset_username = next(row.username for row in users.rows if row.id == user_id)
            self.reset_link = public_links.link(f"{routes.RESET_PREFIX}/{token}", origin=origin)
            return []
        if action == "delete":
            change = await call_service(
                account_status.delete_account, actor_id=viewer_id, target_id=user_id
            )
        else:
            change = await call_service(
                account_status.set_disabled,
                actor_id=viewer_id,
                target_id=user_id,
                disabled=action == "disable",
            )
        return await publish_account_change(
            self, change, ended_because=ENDED_NOTICES.get(action, "")
        )


async def _forget(state: rx.State) -> None:
    (await state.get_state(AdminUserActionsState))._forget()


on_access_lost(_forget)
