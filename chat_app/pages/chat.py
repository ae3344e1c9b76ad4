"""/: the chat. Anonymous visitors are sent to /auth by the page's on_load."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app.components.chat_shell import chat_shell
from chat_app.components.signed_in_gate import signed_in_gate
from chat_app.states.ui import tr
from chat_app.states.unread import UnreadState


def chat_title() -> StringVar:
    """The document title: "(3) Chat" while 3 messages are unread, in the tab's language."""
    total = UnreadState.unread_total
    return rx.cond(total > 0, "(" + total.to_string() + ") " + tr("app_name"), tr("app_name")).to(
        str
    )


def chat_page() -> rx.Component:
    """The page body of /."""
    return signed_in_gate(chat_shell())
