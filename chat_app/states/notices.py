"""The toast that tells a tab about messages in a conversation it does not show.

The name is cut to what a phone's toast shows beside the words around it
(`text_rules.clip_name`) and shown literally (`safe_text`).
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventSpec
from reflex_base.vars.base import Var

from chat_app.i18n import text
from chat_app.services.text_rules import clip_name
from chat_app.states.safe_text import toast_info

_TOAST_ID_PREFIX = "new-messages-"


def conversation_toast_id(conversation_id: int) -> str:
    """The one toast a conversation has at a time: new messages and mentions replace each other."""
    return f"{_TOAST_ID_PREFIX}{conversation_id}"


def close_conversation_toast(conversation_id: Var[int]) -> EventSpec:
    """Close a conversation's toast in the browser, as the conversation is opened.

    "29 new messages from Ann" stayed over the top of Ann's conversation for its seconds
    after a tap on her row had opened it; it has said all it had to say by then.

    Args:
        conversation_id: The conversation's id (a component's var, never user text).

    Returns:
        The browser-side event (no round trip).
    """
    return rx.toast.dismiss(_TOAST_ID_PREFIX + conversation_id.to(str))


def new_messages_toast(conversation_id: int, count: int, nickname: str, language: str) -> EventSpec:
    """One toast per conversation: "New message from Ann", then "3 new messages from Ann".

    Sonner replaces the toast that has the same id, so a burst of messages shows one toast
    whose count goes up instead of a stack that covers the screen.

    Args:
        conversation_id: The conversation the messages arrived in (the toast's id).
        count: Its unread messages in this tab, this one included.
        nickname: The sender's nickname.
        language: The tab's language.

    Returns:
        The toast event.
    """
    key = "notice_new_message" if count <= 1 else "notice_new_messages"
    message = text(key, language, nickname=clip_name(nickname), count=count)
    return toast_info(message, id=conversation_toast_id(conversation_id))
