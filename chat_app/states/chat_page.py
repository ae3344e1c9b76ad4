"""The chat page's load: one event for what each state of the page loads on (re)connect.

Reflex runs each on_load handler as its own event: its own state transaction, delta and
frame. A page that loads eight states that way costs a connecting tab eight rounds of
event processing, and five thousand tabs reconnecting after a restart pay it all at once.
Here one handler asks each state to load itself (their plain `_load` methods: each state
keeps its own concern) and the tab gets one delta. The presence sentinel stays its own
event: it is a background task that lives as long as the socket.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app import routes
from chat_app.states.admin_access import AdminAccessState
from chat_app.states.auth import AuthState
from chat_app.states.chime import ChimeState
from chat_app.states.conversation import ConversationState
from chat_app.states.conversation_dialogs import close_dialogs, dialog_open
from chat_app.states.friends import FriendsState
from chat_app.states.message_search import MessageSearchState
from chat_app.states.presence import PresenceState
from chat_app.states.replies import ReplyState
from chat_app.states.resend import ResendState
from chat_app.states.ui import UiState
from chat_app.states.unread import UnreadState


def _as_list(events: Any) -> list[Any]:
    if events is None:
        return []
    return list(events) if isinstance(events, list) else [events]


class ChatPageState(rx.State):
    """Loads the chat page's states on every page load and reconnect (no vars of its own)."""

    @rx.event
    async def load(self):
        """On load of /: each state of the page loads, in the order the page needs them.

        Language, device, login, friend pane, unread counts, the open conversation, the
        quote being answered, the outbox, presence, the sound setting, whether the user is
        an administrator and the message search (results are the tab's user's: a new user
        sees none). An anonymous tab goes to /auth; the states still load, so each forgets
        what a previous user of the tab left in it.

        Returns:
            The redirect, and what the loads chain (marking the open conversation seen,
            re-sending the outbox).
        """
        ui = await self.get_state(UiState)
        ui._detect_language()
        ui._detect_device()
        auth = await self.get_state(AuthState)
        events: list[Any] = []
        user = await auth._current_user(register=True)
        if user is None:
            events.append(rx.redirect(routes.AUTH, replace=True))
        await (await self.get_state(FriendsState))._load()
        await (await self.get_state(UnreadState))._load()
        conversation = await self.get_state(ConversationState)
        shown = conversation.conversation_id
        if shown and conversation._back_pressed() and await dialog_open(self):
            # Back closes the dialog over the conversation, not the conversation under it.
            await close_dialogs(self)
            events.append(conversation._entry_again())
        else:
            events += _as_list(await conversation._load())
        if shown and not conversation.conversation_id:
            await close_dialogs(self)  # closed by Back, or gone: nothing may act on it
        await (await self.get_state(ReplyState))._restore(user.id if user else None)
        events += _as_list(await (await self.get_state(ResendState))._resume())
        await (await self.get_state(PresenceState))._load()
        await (await self.get_state(ChimeState))._load()
        await (await self.get_state(AdminAccessState))._load()  # the menu's "Administration"
        await (await self.get_state(MessageSearchState))._load()
        return events
