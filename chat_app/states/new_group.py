"""The "New group" dialog: a name, friends picked from a list filtered on the server, create.

A created group is pushed to every member's tabs (`chat_list.group_created`), and only the
creating tab opens it.
"""

from __future__ import annotations

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.push import notify_users
from chat_app.services import friend_picker, groups
from chat_app.services.errors import DomainError
from chat_app.services.people_views import ContactView
from chat_app.services.sessions import SessionKey
from chat_app.settings import SETTINGS
from chat_app.states.chat_list import ChatListState, group_created
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.links import with_avatar_link
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# A name is at most 64 characters (the service says so); what is typed is kept to this.
NAME_KEPT = 256


class NewGroupState(rx.State):
    """What the dialog shows: its name field, the friends offered and those picked."""

    dialog_open: bool = False
    group_name: str = ""
    query: str = ""
    # At most friend_picker.PICKER_MAX, filtered by `query` in the database.
    offered: list[ContactView] = []
    # At most the group's member limit (the creator aside).
    picked: list[ContactView] = []
    error: str = ""
    # The last close opened the group it created: the focus goes to its composer, not back
    # to the New group button (components/focus_return.py).
    opened_group: bool = False
    _user_id: int | None = None
    _link_key: SessionKey | None = None

    @rx.var
    def picked_ids(self) -> list[int]:
        """The picked friends' ids (the offered rows' check marks)."""
        return [contact.user_id for contact in self.picked]

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id is None or self._user_id != user_id:
            self._reset()
            self._user_id = user_id
        self._link_key = link_key

    def _reset(self) -> None:
        self.dialog_open = False
        self.group_name = self.query = self.error = ""
        self.offered, self.picked = [], []
        if self.opened_group:
            self.opened_group = False

    async def _offer(self, viewer_id: int) -> None:
        found = await call_service(
            friend_picker.friends_matching, viewer_id=viewer_id, query=self.query
        )
        self.offered = [with_avatar_link(contact, self._link_key) for contact in found]

    @rx.event
    @signed_in
    async def open_dialog(self, viewer_id: int):
        """Open an empty dialog offering the first friends by name."""
        self._reset()
        self.dialog_open = True
        await self._offer(viewer_id)

    @rx.event
    def close_dialog(self):
        """Close the dialog, forgetting what was entered."""
        self._reset()

    @rx.event
    def set_open(self, is_open: bool):
        """Follow the dialog's own close (Escape, a click outside)."""
        if not is_open:
            self._reset()

    @rx.event
    def set_group_name(self, name: str):
        """Keep the name as typed (checked by the service on create)."""
        self.group_name = name[:NAME_KEPT] if isinstance(name, str) else ""
        self.error = ""

    @rx.event
    @signed_in
    async def filter_friends(self, viewer_id: int, query: str):
        """Offer the viewer's friends whose name holds `query` (filtered in the database)."""
        if not self.dialog_open:
            return
        self.query = friend_picker.clean_query(query)
        await self._offer(viewer_id)

    @rx.event
    @signed_in
    async def toggle_friend(self, viewer_id: int, user_id: int):
        """Pick an offered friend, or un-pick a picked one.

        Only a friend this dialog offers (read for this viewer) can be picked: a forged id
        is ignored, and the service checks the friendship again on create.
        """
        if any(contact.user_id == user_id for contact in self.picked):
            self.picked = [contact for contact in self.picked if contact.user_id != user_id]
            return
        offered = next((c for c in self.offered if c.user_id == user_id), None)
        if offered is not None and len(self.picked) < SETTINGS.group_member_limit - 1:
            self.picked = [*self.picked, offered]
            self.error = ""

    @rx.event
    @signed_in
    async def create(self, viewer_id: int):
        """Create the group; it shows at the top of every member's list, opened here."""
        if not self.dialog_open:
            return None
        try:
            change = await call_service(
                groups.create_group,
                creator_id=viewer_id,
                name=self.group_name,
                member_ids=[contact.user_id for contact in self.picked],
            )
        except DomainError as error:
            # In the dialog, as a state var: the name is never part of an event or a Var.
            self.error = text(error.code, await language_of(self))
            return None
        self._reset()
        self.opened_group = True
        conversation_id = change.conversation_id
        await (await self.get_state(ChatListState))._read(viewer_id, self._link_key)
        own_tab = tab_token(self)
        await notify_users(
            change.member_ids, ChatListState, group_created(conversation_id), except_tab=own_tab
        )
        # The composer that the group's opening shows takes the focus (none was shown
        # before it, so the dialog's close had none to give it to).
        return [
            ComposerState.clear,
            ComposerState.focus_next_box,
            ConversationState.open_conversation(conversation_id),
        ]
