"""What a message's menu does: delete it for everyone (after a confirmation).

The deletion is pushed to every tab of every member who may have the message on screen
(`MessageChange.reader_ids`), the deleting user's other tabs included. A push carries the
seq only: the tab covers the bubble (states/message_changes.py) and, when it was the
conversation's newest message, writes the chat list row's line anew.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import notify_users
from chat_app.services import message_deletion
from chat_app.services.errors import DomainError
from chat_app.services.views import MessageChange
from chat_app.states.conversation import ConversationState
from chat_app.states.safe_text import toast_error
from chat_app.states.service_call import call_slow_service
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in


class MessageActionsState(rx.State):
    """The message the "delete for everyone" dialog asks about (0s: the dialog is closed)."""

    confirm_conversation: int = 0
    confirm_seq: int = 0

    @rx.var
    def confirming_delete(self) -> bool:
        """Whether the dialog is open."""
        return self.confirm_seq > 0

    @rx.event
    @signed_in
    async def ask_delete(self, viewer_id: int, conversation_id: int, seq: int):
        """Open the dialog for one message (untrusted ids: the deletion checks them)."""
        # The payload's types are checked before any handler runs (states/event_arguments.py).
        if conversation_id > 0 and seq > 0:
            self.confirm_conversation, self.confirm_seq = conversation_id, seq

    @rx.event
    def cancel_delete(self):
        """Close the dialog, deleting nothing."""
        self.confirm_conversation = self.confirm_seq = 0

    @rx.event
    @signed_in
    async def delete_message(self, viewer_id: int):
        """Delete the message the dialog asked about, for everyone, on every tab."""
        conversation_id, seq = self.confirm_conversation, self.confirm_seq
        self.confirm_conversation = self.confirm_seq = 0
        if not seq:
            return None
        try:
            # A thread: an attachment's bytes may live in Azure Blob Storage.
            change = await call_slow_service(
                message_deletion.delete_for_everyone,
                storage=PROFILE.storage,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
            )
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        conversation = await self.get_state(ConversationState)
        if change is None:  # deleted already (another tab, an admin): show it so here too
            if conversation.conversation_id == conversation_id:
                conversation._show_deleted([seq])
            return None
        await _show_change(change, conversation)
        await notify_users(
            change.reader_ids,
            ConversationState,
            _change_arrived(change),
            except_tab=tab_token(self),
        )
        return None


def _change_arrived(change: MessageChange) -> Callable[[ConversationState], Awaitable[list[Any]]]:
    # A partial, not a closure: it may travel to the worker holding a tab's socket.
    return functools.partial(_apply_pushed, change)


async def _apply_pushed(change: MessageChange, state: ConversationState) -> list[Any]:
    # Only for a reader: the tab may have changed hands since the push was queued.
    if state._user_id in change.reader_ids:
        await _show_change(change, state)
    return []


async def _show_change(change: MessageChange, state: ConversationState) -> None:
    if change.was_last:
        await state._line_deleted(change.conversation_id, change.message)
    if state.conversation_id == change.conversation_id:
        state._show_deleted([change.message.seq])
