"""What the members panel lets a viewer do to the group it shows.

Every handler acts on the group the panel was opened on (kept server-side by
`GroupPanelState`), never on an id the client names; member ids are checked by the services,
which read the actor's role under the group's lock: a tab's idea of its role decides only
which buttons it shows. A refusal is shown in the panel in the viewer's language; a
committed change is published to every tab it concerns (states/group_changes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.services import friend_picker, group_members, group_pictures, groups
from chat_app.services.errors import DomainError
from chat_app.services.group_views import GroupChange
from chat_app.services.people_views import ContactView
from chat_app.settings import SETTINGS
from chat_app.states.group_changes import publish
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.links import with_avatar_link
from chat_app.states.service_call import call_file_service, call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

PICTURE_UPLOAD_ID = "group-picture-upload"
# A name is at most 64 characters (the service says so); what is typed is kept to this.
NAME_KEPT = 256
_ROLES = ("admin", "member")


class GroupActionsState(rx.State):
    """The panel's forms: the friends offered and picked to add, the new name, the warning."""

    picker_open: bool = False
    # At most friend_picker.PICKER_MAX, filtered in the database as the viewer types.
    offered: list[ContactView] = []
    # At most the group's member limit.
    picked: list[ContactView] = []
    new_name: str = ""
    confirm_delete: bool = False
    confirm_leave: bool = False
    # The group's name when the field was last filled: renaming to it would change nothing.
    _current_name: str = ""

    @rx.var
    def can_rename(self) -> bool:
        """Whether the name typed differs from the group's (Rename is offered only then)."""
        typed = self.new_name.strip()
        return bool(typed) and typed != self._current_name

    @rx.var
    def picked_ids(self) -> list[int]:
        """The picked friends' ids (the offered rows' check marks)."""
        return [contact.user_id for contact in self.picked]

    def _reset_forms(self, group_name: str = "") -> None:
        """Close the picker and questions; the name field holds the group's current name."""
        self.picker_open = self.confirm_delete = self.confirm_leave = False
        self.offered, self.picked, self.new_name = [], [], group_name
        self._current_name = group_name

    async def _panel(self) -> GroupPanelState | None:
        """The open panel, or None (a forged event with no panel open does nothing)."""
        panel = await self.get_state(GroupPanelState)
        if not panel.panel_open or not panel._conversation_id:
            self._reset_forms()
            return None
        return panel

    async def _act(
        self, viewer_id: int, service: Callable[..., GroupChange], **arguments: Any
    ) -> list[Any] | None:
        """Run a group service on the panel's group as the viewer; publish what it changed."""
        panel = await self._panel()
        if panel is None:
            return None
        name = panel._group_name
        try:
            change = await call_service(
                service, actor_id=viewer_id, conversation_id=panel._conversation_id, **arguments
            )
        except DomainError as error:
            await panel._refused(error)
            return None
        panel.error = ""
        events = await publish(self, change, name)
        # The name as the publish read it again: a rename's field holds the new one.
        self._reset_forms(panel._group_name)
        return events

    @rx.event
    @signed_in
    async def start_forms(self, viewer_id: int):
        """Start the just-opened panel's forms afresh, the name field holding the group's name."""
        panel = await self._panel()
        if panel is not None:
            self._reset_forms(panel._group_name)

    # ----- adding friends -----

    async def _offer(self, viewer_id: int, query: str) -> None:
        panel = await self.get_state(GroupPanelState)
        found = await call_service(
            friend_picker.friends_matching,
            viewer_id=viewer_id,
            query=query,
            outside_group=panel._conversation_id,
        )
        key = panel._link_key
        self.offered = [with_avatar_link(contact, key) for contact in found]

    @rx.event
    @signed_in
    async def open_picker(self, viewer_id: int):
        """Offer the viewer's first friends by name to add (none already in the group)."""
        if await self._panel() is None:
            return
        self._reset_forms()
        self.picker_open = True
        await self._offer(viewer_id, "")

    @rx.event
    @signed_in
    async def close_picker(self, viewer_id: int):
        """Forget the friends offered and picked."""
        self._reset_forms()

    @rx.event
    @signed_in
    async def filter_friends(self, viewer_id: int, query: str):
        """Offer the viewer's friends whose name holds `query` (filtered in the database)."""
        if self.picker_open and await self._panel() is not None:
            await self._offer(viewer_id, friend_picker.clean_query(query))

    @rx.event
    @signed_in
    async def toggle_pick(self, viewer_id: int, user_id: int):
        """Pick an offered friend, or un-pick a picked one (a forged id is ignored)."""
        if any(contact.user_id == user_id for contact in self.picked):
            self.picked = [contact for contact in self.picked if contact.user_id != user_id]
            return
        offered = next((c for c in self.offered if c.user_id == user_id), None)
        if offered is not None and len(self.picked) < SETTINGS.group_member_limit - 1:
            self.picked = [*self.picked, offered]

    @rx.event
    @signed_in
    async def add_picked(self, viewer_id: int):
        """Add the picked friends (the service checks each friendship and the role again)."""
        if not self.picker_open:
            return None
        user_ids = [contact.user_id for contact in self.picked]
        return await self._act(viewer_id, group_members.add_members, user_ids=user_ids)

    # ----- members -----

    @rx.event
    @signed_in
    async def remove_member(self, viewer_id: int, user_id: int):
        """Remove a member (owner or admin; never the owner, an admin only by the owner)."""
        return await self._act(viewer_id, group_members.remove_member, user_id=user_id)

    @rx.event
    @signed_in
    async def set_role(self, viewer_id: int, user_id: int, role: str):
        """Make a member an admin, or an admin a member again (the owner)."""
        if role not in _ROLES:
            return None
        return await self._act(viewer_id, group_members.set_role, user_id=user_id, role=role)

    @rx.event
    @signed_in
    async def hand_over(self, viewer_id: int, user_id: int):
        """Make another member the owner (the owner, who becomes an admin)."""
        return await self._act(viewer_id, group_members.hand_over, user_id=user_id)

    # ----- the group -----

    @rx.event
    @signed_in
    async def set_new_name(self, viewer_id: int, name: str):
        """Keep the name as typed (checked by the service on rename)."""
        self.new_name = name[:NAME_KEPT] if isinstance(name, str) else ""

    @rx.event
    @signed_in
    async def rename(self, viewer_id: int):
        """Rename the group to the name typed (owner or admin); its own name changes nothing."""
        if not self.can_rename:
            return None
        return await self._act(viewer_id, groups.rename, name=self.new_name)

    @rx.event
    @signed_in
    async def ask_leave(self, viewer_id: int):
        """Ask before leaving: coming back takes another member's adding."""
        if await self._panel() is not None:
            self.confirm_leave = True

    @rx.event
    @signed_in
    async def cancel_leave(self, viewer_id: int):
        """Stay in the group."""
        self.confirm_leave = False

    @rx.event
    @signed_in
    async def leave(self, viewer_id: int):
        """Leave the group; its history stays, read-only (an owner's role passes on)."""
        # Refused too (the group is gone meanwhile), the question goes; the error says why.
        self.confirm_leave = False
        return await self._act(viewer_id, group_members.leave)

    @rx.event
    @signed_in
    async def ask_delete(self, viewer_id: int):
        """Show the warning before deleting (the owner's button)."""
        if await self._panel() is not None:
            self.confirm_delete = True

    @rx.event
    @signed_in
    async def cancel_delete(self, viewer_id: int):
        """Keep the group."""
        self.confirm_delete = False

    @rx.event
    @signed_in
    async def delete_group(self, viewer_id: int):
        """Delete the group for everyone, once the warning was shown (the owner)."""
        if not self.confirm_delete:
            return None
        return await self._act(viewer_id, groups.delete_group)

    @rx.event
    @signed_in
    async def hide(self, viewer_id: int):
        """Remove a group the viewer left or was removed from from their list."""
        panel = await self._panel()
        if panel is None:
            return None
        try:
            change = await call_service(
                groups.hide, viewer_id=viewer_id, conversation_id=panel._conversation_id
            )
        except DomainError as error:
            await panel._refused(error)
            return None
        return await publish(self, change)

    # ----- the picture -----

    @rx.event
    @signed_in
    async def reject_picture(self, viewer_id: int, count: int):
        """The browser refused the picked file (too large)."""
        panel = await self.get_state(GroupPanelState)
        limit = SETTINGS.max_upload_mb
        panel.error = text("file_too_large", await language_of(self), limit=limit)

    @rx.event
    @signed_in
    async def upload_picture(self, viewer_id: int, files_: list[rx.UploadFile]):
        """Make the uploaded image the group's picture (owner or admin)."""
        panel = await self._panel()
        if panel is None or not isinstance(files_, list) or not files_:
            return None
        try:
            change = await call_file_service(
                viewer_id,
                group_pictures.set_picture,
                actor_id=viewer_id,
                conversation_id=panel._conversation_id,
                source=files_[0].file,
                name=files_[0].filename,
                storage=PROFILE.storage,
            )
        except DomainError as error:
            limit = SETTINGS.max_upload_mb
            panel.error = text(error.code or "error", await language_of(self), limit=limit)
            return None
        panel.error = ""
        return await publish(self, change, to_own_tab=True)
