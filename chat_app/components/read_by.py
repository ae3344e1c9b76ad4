"""The "Read by N" under the sender's own messages in a group, and the dialog of who read it.

The counts come from the conversation state (states/group_reads.py); the list of readers
is asked for on a click, one page at a time (states/readers_dialog.py).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.components.avatar import avatar
from chat_app.components.focus_return import COMPOSER_ID, focus_on_close
from chat_app.components.name_text import name_text
from chat_app.states.conversation import ConversationState
from chat_app.states.readers_dialog import ReadersState
from chat_app.states.ui import tr


def group_read_status(message: Any) -> rx.Component:
    """An own message's status in a group: "Read" by all, "Read by N", or "Sent"."""
    count = Var.create(ConversationState.read_counts.get(message.seq, 0)).to(int)
    return rx.cond(
        message.seq <= ConversationState.reads_all_upto,
        rx.text(tr("status_read"), class_name="message-status"),
        rx.cond(
            count > 0,
            rx.button(
                tr("status_read_by") + Var.create(count).to(str),
                class_name="message-status read-by",
                size="1",
                variant="ghost",
                on_click=ReadersState.show_readers(message.seq),
            ),
            rx.text(tr("status_sent"), class_name="message-status"),
        ),
    )


def _reader(reader: Any) -> rx.Component:
    return rx.hstack(
        avatar(reader.nickname, size="2", src=reader.avatar_url),
        name_text(reader.nickname, size="2"),
        align="center",
        class_name="reader",
        min_width="0",
    )


def readers_dialog() -> rx.Component:
    """Who has read the message whose "Read by N" was clicked (one dialog per page)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("readers_title")),
            rx.vstack(
                rx.foreach(ReadersState.readers, _reader),
                rx.cond(
                    ReadersState.readers_more,
                    rx.button(
                        tr("readers_more"),
                        id="readers-more",
                        variant="soft",
                        size="1",
                        on_click=ReadersState.more_readers,
                    ),
                ),
                rx.dialog.close(rx.button(tr("button_close"), variant="soft", color_scheme="gray")),
                id="readers-list",
                spacing="2",
                max_height="60vh",
                overflow_y="auto",
            ),
            max_width="360px",
            on_close_auto_focus=focus_on_close(COMPOSER_ID, text_field=True),
        ),
        open=ReadersState.readers_open,
        on_open_change=ReadersState.set_readers_open,
    )
