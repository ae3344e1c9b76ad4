"""A message's menu (the ⋯ beside its bubble), the confirmation of a deletion, what is left.

The button is faint until the pointer is over the message or the button has the keyboard's
focus (assets/styles.css); on a touch screen, which has no hover, it is always shown.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.confirm_row import confirm_row
from chat_app.states.conversation import ConversationState
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.ui import tr


def is_deleted(message: Any) -> rx.Var:
    """The message was deleted for everyone (read so, or since)."""
    return message.deleted | ConversationState.deleted_seqs.contains(message.seq)


def _may_delete(message: Any) -> rx.Var:
    manager = (ConversationState.my_role == "owner") | (ConversationState.my_role == "admin")
    return (
        (message.seq > 0)
        & (message.kind != "system")
        & ~is_deleted(message)
        & ~ConversationState.read_only
        & ((message.sender_id == ConversationState.my_id) | (ConversationState.is_group & manager))
    )


def message_menu(message: Any) -> rx.Component:
    """The ⋯ button of a stored message its viewer may delete, else nothing."""
    return rx.cond(
        _may_delete(message),
        rx.box(
            _menu(message),
            align_self="center",
            flex_shrink="0",
            margin_x="0.25em",
        ),
    )


def _menu(message: Any) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=18),
                variant="ghost",
                color_scheme="gray",
                size="1",
                aria_label=tr("message_actions_label"),
                class_name="message-actions",
            ),
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.icon("trash-2", size=14),
                tr("message_delete_everyone"),
                color_scheme="red",
                class_name="delete-for-everyone",
                on_click=MessageActionsState.ask_delete(
                    ConversationState.conversation_id, message.seq
                ),
            ),
        ),
    )


def deleted_body() -> rx.Component:
    """In place of a deleted message's content."""
    return rx.hstack(
        rx.icon("ban", size=14),
        rx.text(tr("message_deleted"), size="2", font_style="italic", text_align="start"),
        align="center",
        spacing="1",
        color="var(--gray-11)",
        class_name="deleted-message",
    )


def delete_dialog() -> rx.Component:
    """Asks before a message is deleted for everyone (one dialog for the whole list)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("message_delete_title")),
            rx.alert_dialog.description(tr("message_delete_text"), size="2"),
            rx.box(
                confirm_row(
                    MessageActionsState.cancel_delete,
                    tr("message_delete_confirm"),
                    MessageActionsState.delete_message,
                    "confirm-delete-message",
                    color_scheme="red",
                ),
                margin_top="1em",
            ),
            max_width="min(28em, calc(100vw - 2em))",
        ),
        open=MessageActionsState.confirming_delete,
        on_open_change=lambda is_open: rx.cond(
            is_open, rx.noop(), MessageActionsState.cancel_delete()
        ),
    )
