"""The logged-in layout: header with the user menu, friend pane, conversation pane."""

from __future__ import annotations

import reflex as rx

from chat_app.components.change_password_dialog import change_password_dialog
from chat_app.components.friend_pane import friend_pane
from chat_app.components.user_menu import user_menu
from chat_app.i18n import text


def _conversation_pane() -> rx.Component:
    return rx.center(
        rx.text(text("conversation_empty"), color_scheme="gray"),
        id="conversation-pane",
        flex="1",
        min_width="0",
        display=["none", "none", "flex"],
    )


def chat_shell() -> rx.Component:
    """The page body for a logged-in user."""
    return rx.flex(
        rx.hstack(
            rx.heading(text("app_name"), size="5"),
            rx.spacer(),
            rx.color_mode.button(),
            user_menu(),
            align="center",
            padding="0.5em 1em",
            border_bottom="1px solid var(--gray-a5)",
            width="100%",
        ),
        rx.flex(friend_pane(), _conversation_pane(), flex="1", min_height="0", width="100%"),
        change_password_dialog(),
        direction="column",
        height="100dvh",
        width="100%",
    )
