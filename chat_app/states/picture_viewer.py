"""Which picture of the open conversation is shown full size.

The full-size picture was a dialog the browser alone knew open, so a phone's Back, which
closes a dialog over a chat before the chat (states/chat_page.py), closed the whole
conversation under it. The dialog is now opened through this state, where the page's load
sees it. It names the picture by its conversation and seq: a later chat's message with the
same seq is not opened by it.
"""

from __future__ import annotations

import reflex as rx

from chat_app.services.errors import NotFound
from chat_app.services.validation import valid_id
from chat_app.states.conversation import ConversationState


class PictureViewerState(rx.State):
    """The picture shown full size: (conversation, seq), or (0, 0) for none."""

    viewing_conversation: int = 0
    viewing_seq: int = 0

    @rx.event
    async def show(self, seq: int, shown: bool):
        """The picture of message `seq` of the open conversation opened (or closed)."""
        if shown is not True:
            self._close()
            return
        conversation_id = (await self.get_state(ConversationState)).conversation_id
        try:
            seq = valid_id(seq)
        except NotFound:
            return
        if conversation_id:
            self.viewing_conversation, self.viewing_seq = conversation_id, seq

    def _close(self) -> None:
        if self.viewing_seq or self.viewing_conversation:
            self.viewing_conversation = self.viewing_seq = 0
