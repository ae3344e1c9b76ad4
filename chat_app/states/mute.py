"""Which conversations this tab's user muted: no toasts or sounds there (a mention still toasts).

The ids come with the chat list's rows when it is read (no statement of their own) and
change live on every tab of the user when one of them mutes or unmutes. The header's
button, the row's icon and its grey unread count read them here; the tab title's count
(states/unread.py) leaves them out.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.push import notify_users
from chat_app.services import groups
from chat_app.services.errors import DomainError
from chat_app.services.sessions import SessionKey
from chat_app.states.safe_text import toast_error
from chat_app.states.service_call import call_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.unread import UnreadState
from chat_app.states.viewer import signed_in

# Nobody has more conversations than this listed; a longer list is cut (forged or stale).
MUTED_MAX = 10_000


class MuteState(rx.State):
    """The ids of the user's muted conversations (a short list: re-sent only on a change)."""

    # A Field, so the page sees an array var (`contains`).
    muted_ids: rx.Field[list[int]] = rx.field(default_factory=list)
    _user_id: int | None = None

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._hold(())

    async def _read(self, user_id: int | None, conversation_ids: Iterable[int]) -> None:
        """The chat list of `user_id` was read: exactly these conversations are muted."""
        if self._user_id != user_id:  # assigned, the state is saved again (auth.py)
            self._user_id = user_id
        await self._show(conversation_ids)

    def _hold(self, conversation_ids: Iterable[int]) -> list[int]:
        muted = sorted(set(conversation_ids))[:MUTED_MAX]
        if muted != self.muted_ids:
            self.muted_ids = muted
        return muted

    async def _show(self, conversation_ids: Iterable[int]) -> None:
        muted = self._hold(conversation_ids)
        (await self.get_state(UnreadState))._show_muted(frozenset(muted))

    async def _mark(self, conversation_id: int, muted: bool) -> None:
        held = set(self.muted_ids)
        await self._show(held | {conversation_id} if muted else held - {conversation_id})

    @rx.event
    @signed_in
    async def set_muted(self, viewer_id: int, conversation_id: int, muted: bool):
        """Mute or unmute a conversation of the user's, on every tab of theirs."""
        if not isinstance(muted, bool) or not isinstance(conversation_id, int):
            return None
        try:
            change = await call_service(
                groups.set_muted, viewer_id=viewer_id, conversation_id=conversation_id, muted=muted
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        await self._mark(change.conversation_id, muted)
        own_tab = tab_token(self)
        changed = _mute_changed(viewer_id, change.conversation_id, muted)
        await notify_users([viewer_id], MuteState, changed, except_tab=own_tab)
        return None


def _mute_changed(
    user_id: int, conversation_id: int, muted: bool
) -> Callable[[MuteState], Awaitable[None]]:
    # A partial, not a closure: it may travel to the worker holding a tab's socket.
    return functools.partial(_show_mute, user_id, conversation_id, muted)


async def _show_mute(user_id: int, conversation_id: int, muted: bool, state: MuteState) -> None:
    # Only for the same user: the tab may have changed hands since the push was queued.
    if state._user_id == user_id:
        await state._mark(conversation_id, muted)
