"""The registration form of /auth, with an error next to each field."""

from __future__ import annotations

import reflex as rx

from chat_app.components.form_field import form_field
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr


def register_form() -> rx.Component:
    """Username, nickname, password and confirmation."""
    errors = AuthState.register_errors
    return rx.form(
        rx.vstack(
            form_field(
                label=tr("field_username"),
                name="username",
                field_id="register-username",
                error=errors.get("username", ""),
                hint=tr("hint_username"),
                autocomplete="username",
                max_length=32,
            ),
            form_field(
                label=tr("field_nickname"),
                name="nickname",
                field_id="register-nickname",
                error=errors.get("nickname", ""),
                hint=tr("hint_nickname"),
                autocomplete="nickname",
                max_length=64,
            ),
            form_field(
                label=tr("field_password"),
                name="password",
                field_id="register-password",
                error=errors.get("password", ""),
                hint=tr("hint_password"),
                input_type="password",
                autocomplete="new-password",
                max_length=256,
            ),
            form_field(
                label=tr("field_password_confirm"),
                name="password_confirm",
                field_id="register-password-confirm",
                error=errors.get("password_confirm", ""),
                input_type="password",
                autocomplete="new-password",
                max_length=256,
            ),
            rx.cond(
                AuthState.register_error != "",
                rx.callout(
                    AuthState.register_error,
                    id="register-error",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.button(
                tr("button_register"),
                id="register-submit",
                type="submit",
                size="3",
                width="100%",
                loading=AuthState.busy,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=AuthState.register,
        reset_on_submit=False,
        width="100%",
    )
