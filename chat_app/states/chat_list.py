"""The Chats tab: the tab's user's direct and group conversations, newest activity first.

`rows` is read whole from the database (on load, after a friend or group change, after a
pin) and is re-sent only then; a message moves its row up through `ListOrderState`'s buckets
(list_order.py) and replaces its last line through `ConversationState`'s `last_*` buckets,
never by re-sending `rows`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.push import notify_users
from chat_app.services import chat_list, groups
from chat_app.services.chat_list import ChatRowView
from chat_app.services.errors import DomainError
from chat_app.services.sessions import SessionKey
from chat_app.states.chat_preview import GROUP, ChatRow, chat_row
from chat_app.states.conversation import ConversationState
from chat_app.states.links import picture_link
from chat_app.states.list_order import ListOrderState
from chat_app.states.mute import MuteState
from chat_app.states.safe_text import toast_error
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in, viewer_id_of


class ChatListState(rx.State):
    """The rows of the Chats tab, in the order they were read."""

    rows: list[ChatRow] = []
    # The conversations pinned to the top (rows read with them first; a Field, so the page
    # sees an array var: `contains`).
    pinned_ids: rx.Field[list[int]] = rx.field(default_factory=list)
    _user_id: int | None = None
    _link_key: SessionKey | None = None  # the login session this tab signs links for

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        """Told by the session guard who the tab's user is (states/viewer.py)."""
        if self._user_id != user_id:
            if self.rows:
                self.rows = []
            if self.pinned_ids:
                self.pinned_ids = []
            self._user_id = user_id
        if self._link_key != link_key:
            self._link_key = link_key

    async def _read(self, user_id: int | None, link_key: SessionKey | None) -> None:
        """Read the user's rows again (None: nobody's); moved rows fall back in place."""
        self._follow_viewer(user_id, link_key)
        found: tuple[ChatRowView, ...] = ()
        if user_id is not None:
            found = await call_service(chat_list.chat_rows, viewer_id=user_id)
        language = await language_of(self)
        rows = [
            chat_row(row, picture_link(self._link_key, row.avatar_file_id), language, user_id)
            for row in found
        ]
        if rows != self.rows:
            self.rows = rows
        pinned = [row.conversation_id for row in found if row.pinned]
        if pinned != self.pinned_ids:
            self.pinned_ids = pinned
        first = rows[0].conversation_id if rows else 0
        groups = frozenset(row.conversation_id for row in rows if row.kind == GROUP)
        (await self.get_state(ListOrderState))._read_again(first)
        muted = (row.conversation_id for row in found if row.muted)
        await (await self.get_state(MuteState))._read(user_id, muted)
        (await self.get_state(ConversationState))._rows_read(first, groups)

    @rx.event
    async def load(self):
        """On page load (and after every reconnect): the rows as the database has them."""
        viewer_id = await viewer_id_of(self)
        if viewer_id is not None:
            await self._read(viewer_id, self._link_key)

    @rx.event
    @signed_in
    async def set_pinned(self, viewer_id: int, conversation_id: int, pinned: bool):
        """Pin a conversation to the top of the user's list, or unpin it, on all their tabs."""
        if not isinstance(pinned, bool) or not isinstance(conversation_id, int):
            return None
        try:
            await call_service(
                groups.set_pinned,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                pinned=pinned,
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        await self._read(viewer_id, self._link_key)
        changed = functools.partial(_read_again_for, viewer_id)
        await notify_users([viewer_id], ChatListState, changed, except_tab=tab_token(self))
        return None


def group_created(conversation_id: int) -> Callable[[ChatListState], Awaitable[None]]:
    """The push that shows a new group in a member's tab (at the top: newest activity).

    A partial of a module-level function, not a closure: it may travel, pickled, to the
    worker holding the tab's socket (realtime/push_relay.py).
    """
    return functools.partial(_show_created, conversation_id)


async def _show_created(conversation_id: int, state: ChatListState) -> None:
    # The tab's own user's rows: the group is among them once its membership is stored.
    shown = any(row.conversation_id == conversation_id for row in state.rows)
    if state._user_id is not None and not shown:
        await state._read(state._user_id, state._link_key)


async def _read_again_for(user_id: int, state: ChatListState) -> None:
    # Only for the same user: the tab may have changed hands since the push was queued.
    if state._user_id == user_id:
        await state._read(user_id, state._link_key)
