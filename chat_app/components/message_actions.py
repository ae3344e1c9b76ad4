"""A message's menu (the ⋯ beside its bubble: react, reply, copy, forward, edit, delete),
its dialogs, what is left.

The button is faint until the pointer is over the message or the button has the keyboard's
focus (assets/styles.css); on a touch screen, which has no hover, it is always shown.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from chat_app.components.confirm_row import confirm_row
from chat_app.components.focus_return import COMPOSER_ID, focus_on_close
from chat_app.components.group_message import collapsed
from chat_app.components.icon_button import icon_button
from chat_app.components.reactions import quick_reactions
from chat_app.states.conversation import ConversationState
from chat_app.states.forwarding import ForwardState
from chat_app.states.message_actions import (
    CANCEL_DELETE_ID,
    EDIT_FIELD_ID,
    MessageActionsState,
)
from chat_app.states.replies import ReplyState
from chat_app.states.safe_text import copy_to_clipboard
from chat_app.states.ui import UiState, tr


def is_deleted(message: Any) -> rx.Var:
    """The message was deleted for everyone (read so, or since)."""
    return message.deleted | ConversationState.deleted_seqs.contains(message.seq)


def as_now(message: Any) -> rx.Var:
    """The message as it is now: changed since the rows were read, or as read."""
    changed = ConversationState.changed
    return rx.cond(changed.contains(message.seq), changed[message.seq], message)


def _changeable(message: Any) -> rx.Var:
    """A stored message, still there, in a conversation the viewer still writes in."""
    return (
        (message.seq > 0)
        & (message.kind != "system")
        & ~is_deleted(message)
        & ~ConversationState.read_only
    )


def _mine(message: Any) -> rx.Var:
    return message.sender_id == ConversationState.my_id


def _may_delete(message: Any) -> rx.Var:
    manager = (ConversationState.my_role == "owner") | (ConversationState.my_role == "admin")
    return _mine(message) | (ConversationState.is_group & manager)


def message_menu(message: Any) -> rx.Component:
    """The ⋯ button of a stored message: react; reply; copy a text; forward; edit one's
    text; delete (for everyone if allowed; for oneself always)."""
    return rx.cond(
        _changeable(message),
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
            icon_button(
                "ellipsis",
                icon_size=18,
                variant="ghost",
                color_scheme="gray",
                size="1",
                aria_label=tr("message_actions_label"),
                class_name="message-actions",
            ),
        ),
        rx.dropdown_menu.content(
            *quick_reactions(message),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                rx.icon("reply", size=14),
                tr("message_reply"),
                class_name="reply-to-message",
                on_click=ReplyState.reply_to(ConversationState.conversation_id, message.seq),
            ),
            rx.cond(
                UiState.can_copy & (message.kind == "text") & ~collapsed(message),
                rx.dropdown_menu.item(
                    rx.icon("copy", size=14),
                    tr("message_copy"),
                    class_name="copy-message",
                    # Its text as shown now (after an edit, the new one), copied in the
                    # browser; "Copied" only once the browser took it.
                    on_click=copy_to_clipboard(
                        cast(Any, as_now(message)).body,
                        then=UiState.say_copied("message"),
                    ),
                ),
            ),
            rx.dropdown_menu.item(
                rx.icon("forward", size=14),
                tr("message_forward"),
                class_name="forward-message",
                on_click=ForwardState.ask_forward(ConversationState.conversation_id, message.seq),
            ),
            rx.cond(
                _mine(message) & (message.kind == "text"),
                rx.dropdown_menu.item(
                    rx.icon("pencil", size=14),
                    tr("message_edit"),
                    class_name="edit-message",
                    on_click=MessageActionsState.ask_edit(
                        ConversationState.conversation_id, message.seq
                    ),
                ),
            ),
            rx.cond(
                _may_delete(message),
                rx.dropdown_menu.item(
                    rx.icon("trash-2", size=14),
                    tr("message_delete_everyone"),
                    color_scheme="red",
                    class_name="delete-for-everyone",
                    on_click=MessageActionsState.ask_delete(
                        ConversationState.conversation_id, message.seq, False
                    ),
                ),
            ),
            rx.dropdown_menu.item(
                rx.icon("eraser", size=14),
                tr("message_delete_for_me"),
                class_name="delete-for-me",
                on_click=MessageActionsState.ask_delete(
                    ConversationState.conversation_id, message.seq, True
                ),
            ),
            class_name="message-menu",
            on_close_auto_focus=MessageActionsState.menu_closed,
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
            rx.alert_dialog.title(
                rx.cond(
                    MessageActionsState.confirm_for_me,
                    tr("message_hide_title"),
                    tr("message_delete_title"),
                )
            ),
            rx.alert_dialog.description(
                rx.cond(
                    MessageActionsState.confirm_for_me,
                    tr("message_hide_text"),
                    tr("message_delete_text"),
                ),
                size="2",
            ),
            rx.box(
                confirm_row(
                    MessageActionsState.cancel_delete,
                    tr("message_delete_confirm"),
                    MessageActionsState.delete_message,
                    "confirm-delete-message",
                    cancel_id=CANCEL_DELETE_ID,
                    color_scheme="red",
                ),
                margin_top="1em",
            ),
            max_width="min(28em, calc(100vw - 2em))",
            on_close_auto_focus=focus_on_close(COMPOSER_ID, text_field=True),
        ),
        open=MessageActionsState.confirming_delete,
        on_open_change=lambda is_open: rx.cond(
            is_open, rx.noop(), MessageActionsState.cancel_delete()
        ),
    )


def edit_dialog() -> rx.Component:
    """The message's text to change, Save and Cancel (one dialog for the whole list)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("message_edit_title")),
            rx.form(
                rx.text_area(
                    name="body",
                    id=EDIT_FIELD_ID,
                    # Named for screen readers ("textbox" alone before).
                    aria_label=tr("message_edit_title"),
                    default_value=MessageActionsState.edit_text,
                    # A new field per message: it starts from that message's text.
                    key=MessageActionsState.edit_seq,
                    auto_focus=True,
                    # Enter saves, Shift+Enter makes a new line (on touch screens Enter
                    # is a new line and Save saves), as in the composer.
                    enter_key_submit=rx.cond(UiState.touch_screen, False, True),
                    rows="4",
                    width="100%",
                    dir="auto",
                ),
                rx.cond(
                    MessageActionsState.edit_error != "",
                    rx.text(
                        MessageActionsState.edit_error,
                        id="edit-message-error",
                        color_scheme="red",
                        size="2",
                        role="alert",
                    ),
                ),
                rx.hstack(
                    # Not a submit button, though inside the form: Cancel saves nothing.
                    rx.button(
                        tr("button_cancel"),
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=MessageActionsState.cancel_edit,
                    ),
                    rx.button(tr("message_edit_save"), id="save-edited-message", type="submit"),
                    justify="end",
                    margin_top="1em",
                ),
                on_submit=MessageActionsState.save_edit,
                reset_on_submit=False,
            ),
            max_width="min(36em, calc(100vw - 2em))",
            on_close_auto_focus=focus_on_close(COMPOSER_ID, text_field=True),
        ),
        open=MessageActionsState.editing,
        on_open_change=lambda is_open: rx.cond(
            is_open, rx.noop(), MessageActionsState.cancel_edit()
        ),
    )
