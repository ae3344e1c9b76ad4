"""Where a "Back to chat" link goes: to the open conversation when the tab has one."""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.states.conversation import ConversationState


def chat_href() -> rx.Var:
    """The chat's address, with the open conversation's history entry while one is open.

    A plain `/` would read as the back gesture off that entry (states/history_entry.py)
    and close the conversation the person left the chat from.

    Returns:
        The link's address, as the tab's state has it.
    """
    showing = ConversationState.conversation_id > 0
    return rx.cond(showing, routes.CHAT_WITH_CONVERSATION, routes.CHAT)
