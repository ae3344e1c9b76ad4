"""The form that changes my nickname, filled with the current one."""

from __future__ import annotations

import reflex as rx

from chat_app.components.form_field import browser_cap
from chat_app.states.auth import NICKNAME_MAX, AuthState
from chat_app.states.my_account import MyAccountState
from chat_app.states.ui import tr


def nickname_form() -> rx.Component:
    """A labelled input with the nickname, its hint or refusal, and Save."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    id="account-nickname",
                    name="nickname",
                    # Keyed by the name: a change made elsewhere refills the input.
                    key=AuthState.nickname,
                    default_value=AuthState.nickname,
                    max_length=browser_cap(NICKNAME_MAX),
                    # The section's heading says "Nickname" already: no second label.
                    aria_label=tr("account_nickname_heading"),
                    aria_describedby="account-nickname-note",
                    size="3",
                    flex="1",
                    min_width="0",
                ),
                rx.button(tr("button_save"), id="account-nickname-save", type="submit", size="3"),
                width="100%",
            ),
            rx.cond(
                MyAccountState.nickname_error != "",
                rx.text(
                    MyAccountState.nickname_error,
                    id="account-nickname-note",
                    color_scheme="red",
                    size="2",
                    role="alert",
                ),
                rx.text(
                    tr("account_nickname_hint"),
                    id="account-nickname-note",
                    color_scheme="gray",
                    size="1",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=MyAccountState.save_nickname,
        reset_on_submit=False,
        width="100%",
    )
