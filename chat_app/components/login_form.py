"""The login form of /auth."""

from __future__ import annotations

import reflex as rx

from chat_app.components.form_field import form_field
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr


def login_form() -> rx.Component:
    """Username and password, with the generic error shown above the button."""
    return rx.form(
        rx.vstack(
            form_field(
                label=tr("field_username"),
                name="username",
                field_id="login-username",
                autocomplete="username",
                max_length=64,
            ),
            form_field(
                label=tr("field_password"),
                name="password",
                field_id="login-password",
                input_type="password",
                autocomplete="current-password",
                max_length=256,
            ),
            rx.cond(
                AuthState.login_error != "",
                rx.callout(
                    AuthState.login_error,
                    id="login-error",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.button(
                tr("button_login"),
                id="login-submit",
                type="submit",
                size="3",
                width="100%",
                loading=AuthState.busy,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=AuthState.login,
        reset_on_submit=False,
        width="100%",
    )
