"""The login form of /auth."""

from __future__ import annotations

import reflex as rx

from chat_app.components.auth_form import auth_form
from chat_app.components.form_field import Field
from chat_app.states.auth import USERNAME_MAX, AuthState
from chat_app.states.ui import said

FIELDS = (
    Field("username", "login-username", "username", server_limit=USERNAME_MAX),
    Field("password", "login-password", "current-password"),
)


def login_form() -> rx.Component:
    """Username and password, with the generic error shown above the button."""
    return auth_form(
        *FIELDS,
        error=said(AuthState.login_error),
        error_id="login-error",
        submit="button_login",
        submit_id="login-submit",
        on_submit=AuthState.login,
    )
