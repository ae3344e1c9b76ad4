"""Logging out from the user menu: warn while messages wait in the outbox, then forget them.

Everything personal in the tab's browser storage goes at logout (ARCHITECTURE §6c): the
outbox, the issued client id, the draft, the places and drafts kept per conversation and the
recently used emoji; the session itself is AuthState's.
"""

from __future__ import annotations

import reflex as rx

from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.emoji_picker import EmojiPickerState
from chat_app.states.outbox import OutboxState
from chat_app.states.place import PlaceState
from chat_app.states.replies import ReplyState


class SignOutState(rx.State):
    """The logout actions of the user menu."""

    @rx.event
    async def log_out(self, confirmed: bool):
        """Log this device out; first ask when messages have not been sent yet."""
        outbox = await self.get_state(OutboxState)
        if outbox.unsent_count and confirmed is not True:
            outbox.logout_warning_open = True
            return None
        await self._forget_browser_data()
        return AuthState.logout

    @rx.event
    async def log_out_everywhere(self):
        """Log out every device of the user (the red menu item says what it does)."""
        await self._forget_browser_data()
        return AuthState.logout_everywhere

    async def _forget_browser_data(self) -> None:
        (await self.get_state(OutboxState))._forget()
        (await self.get_state(ComposerState))._clear_text()
        (await self.get_state(EmojiPickerState))._forget()
        (await self.get_state(PlaceState))._forget()
        (await self.get_state(ReplyState))._forget()
