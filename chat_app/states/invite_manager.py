"""Managing invite links: the server's (admin page) or a group's (its settings panel).

The scope is chosen on the server: "server" by an explicit open on the admin page, a group
only as the group the tab's members panel shows (never an id the client names). Every
action goes through the invite services, which check again that the viewer is an active
administrator, or an owner or admin of the group. A tab holds at most one page of invites;
a new link is shown once, in this tab, and forgotten when the manager closes.
"""

from __future__ import annotations

import functools
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.push import notify_users
from chat_app.services import invites, public_links
from chat_app.services.errors import DomainError, ValidationFailed
from chat_app.services.invite_views import InviteView
from chat_app.services.sessions import SessionKey
from chat_app.states.auth import on_sign_out
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

SERVER, GROUP = "server", "group"
DEFAULT_EXPIRY = "7d"
DEFAULT_USES = "10"
# "1000" is the most uses: a longer value is not a number of uses.
USES_KEPT = 4


class InviteManagerState(rx.State):
    """One page of the scope's invites, the new link's form, and the link just made."""

    manager_open: bool = False
    # The group whose invites are shown (0: the server's, or none).
    shown_group: int = 0
    # At most invites.PAGE_SIZE.
    invites: list[InviteView] = []
    page: int = 0
    total: int = 0
    expiry: str = DEFAULT_EXPIRY
    uses: str = DEFAULT_USES
    # The link just created: shown once, never stored anywhere else.
    new_link: str = ""
    error: str = ""
    _scope: str = ""
    _user_id: int | None = None

    @rx.var
    def has_more(self) -> bool:
        """Whether older invites follow this page."""
        return (self.page + 1) * invites.PAGE_SIZE < self.total

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id is None or user_id != self._user_id:
            self._close()
            self._user_id = user_id

    def _close(self) -> None:
        self.manager_open, self.shown_group, self._scope = False, 0, ""
        self.invites, self.page, self.total = [], 0, 0
        self.expiry, self.uses, self.new_link, self.error = DEFAULT_EXPIRY, DEFAULT_USES, "", ""

    async def _group(self) -> int | None:
        """The scope's group id, None for the server; 0 when the scope is gone (closed)."""
        if self._scope == SERVER:
            return None
        panel = await self.get_state(GroupPanelState)
        if (
            self._scope != GROUP
            or not panel.panel_open
            or panel._conversation_id != self.shown_group
        ):
            self._close()
            return 0
        return self.shown_group

    async def _refused(self, error: DomainError) -> None:
        # The link shown once belongs to the last attempt that made one: beside this
        # refusal it would read as the refused attempt's.
        self.new_link = ""
        code = error.code
        if isinstance(error, ValidationFailed) and error.field_errors:
            code = next(iter(error.field_errors.values()))
        self.error = text(code, await language_of(self))

    async def _read(self, viewer_id: int, page: int) -> bool:
        group = await self._group()
        if group == 0:
            return False
        try:
            found, total = await call_service(
                invites.list_invites, actor_id=viewer_id, conversation_id=group, page=page
            )
        except DomainError as error:
            self.invites, self.total, self.page = [], 0, 0
            await self._refused(error)
            return False
        self.invites, self.total, self.page = found, total, page
        return True

    @rx.event
    @signed_in
    async def open_for_server(self, viewer_id: int):
        """Show the server's invites (administrators; others see a refusal and no list)."""
        self._close()
        self._scope = SERVER
        self.manager_open = await self._read(viewer_id, 0)

    @rx.event
    @signed_in
    async def toggle_for_group(self, viewer_id: int):
        """Show the invites of the group the members panel shows (owner, admins), or hide them."""
        panel = await self.get_state(GroupPanelState)
        showing = self.manager_open and self.shown_group == panel._conversation_id
        self._close()
        if showing or not panel.panel_open or not panel._conversation_id:
            return
        self._scope, self.shown_group = GROUP, panel._conversation_id
        self.manager_open = await self._read(viewer_id, 0)

    @rx.event
    @signed_in
    async def close_manager(self, viewer_id: int):
        """Hide the invites and forget the link shown."""
        self._close()

    @rx.event
    @signed_in
    async def set_expiry(self, viewer_id: int, expiry: str):
        """Choose the new link's lifetime (one of the offered ones)."""
        if isinstance(expiry, str) and expiry in invites.EXPIRY_CHOICES:
            self.expiry = expiry

    @rx.event
    @signed_in
    async def set_uses(self, viewer_id: int, uses: str):
        """Keep the number of uses as typed (checked by the service on create)."""
        self.uses = uses[:USES_KEPT] if isinstance(uses, str) else ""

    @rx.event
    @signed_in
    async def create(self, viewer_id: int):
        """Make a link with the chosen expiry and uses; show it once."""
        group = await self._group() if self.manager_open else 0
        if group == 0:
            return
        # `isdecimal`, not `isdigit`: "²" is a digit that int() refuses; full-width digits (typed
        # with a Chinese input method) are decimals it reads.
        uses = int(self.uses) if self.uses.isdecimal() else 0
        try:
            created = await call_service(
                invites.create,
                actor_id=viewer_id,
                conversation_id=group,
                expiry=self.expiry,
                max_uses=uses,
            )
        except DomainError as error:
            await self._refused(error)
            return
        origin = public_links.page_origin(self.router.page.full_raw_path)
        self.new_link = public_links.link(invites.link_path(created.token), origin=origin)
        self.error = ""
        await self._read(viewer_id, 0)

    @rx.event
    @signed_in
    async def revoke(self, viewer_id: int, invite_id: int):
        """Revoke one of the scope's invites (a forged id is refused by the service)."""
        group = await self._group() if self.manager_open else 0
        if group == 0:
            return
        try:
            await call_service(
                invites.revoke, actor_id=viewer_id, invite_id=invite_id, conversation_id=group
            )
        except DomainError as error:
            await self._refused(error)
            return
        self.error = ""
        await self._read(viewer_id, self.page)

    @rx.event
    @signed_in
    async def more(self, viewer_id: int):
        """Show the next (older) page instead of this one."""
        if self.manager_open and self.has_more:
            await self._read(viewer_id, self.page + 1)

    @rx.event
    @signed_in
    async def newer(self, viewer_id: int):
        """Show the previous (newer) page instead of this one."""
        if self.manager_open and self.page > 0:
            await self._read(viewer_id, self.page - 1)


async def show_use_live(conversation_id: int) -> None:
    """An invite of this scope was used: its managers' open lists read their page again.

    Before, an administrator watching the list saw "0 / 2" after a newcomer had joined
    through the link. Sent to the scope's managers (the server's administrators, or the
    group's owner and admins); each tab re-reads only if it shows that scope, as its own
    user (the service checks their rights again).

    Args:
        conversation_id: The invite's group, or 0 for the server's invites.
    """
    managers = await call_service(invites.manager_ids, conversation_id=conversation_id)
    if managers:
        change = functools.partial(_read_again_if_shown, conversation_id=conversation_id)
        await notify_users(managers, InviteManagerState, change)


async def _read_again_if_shown(state: InviteManagerState, conversation_id: int) -> list[Any]:
    shown = state.shown_group if state._scope == GROUP else 0
    if state.manager_open and state._scope and state._user_id and shown == conversation_id:
        await state._read(state._user_id, state.page)
    return []


async def _forget_links(state: rx.State) -> None:
    """Signed out: the link just made (it lets anyone in) and the list go with the user."""
    (await state.get_state(InviteManagerState))._close()


on_sign_out(_forget_links)
