"""The toast that tells a tab about messages in a conversation it does not show.

The name is cut to what a phone's toast shows beside the words around it
(`text_rules.clip_name`) and shown literally (`safe_text`).
"""

from __future__ import annotations

from reflex_base.event import EventSpec

from chat_app.i18n import text
from chat_app.services.text_rules import clip_name
from chat_app.states.safe_text import toast_info


def conversation_toast_id(conversation_id: int) -> str:
    """The one toast a conversation has at a time: new messages and mentions replace each other."""
    return f"new-messages-{conversation_id}"


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
