"""The registration form of /auth, with an error next to each field."""

from __future__ import annotations

import reflex as rx

from chat_app.components.auth_form import auth_form
from chat_app.components.form_field import Field, form_fields
from chat_app.states.auth import NICKNAME_MAX, USERNAME_MAX, AuthState
from chat_app.states.setup import SETUP_CODE_MAX, SetupState
from chat_app.states.ui import said, said_by_field

FIELDS = (
    Field("username", "register-username", "username", USERNAME_MAX, "hint_username"),
    Field("nickname", "register-nickname", "nickname", NICKNAME_MAX, "hint_nickname"),
    Field("password", "register-password", "new-password", hint="hint_password"),
    Field("password_confirm", "register-password-confirm", "new-password"),
)
# Only for the first account of a server others can reach (states/setup.py).
SETUP_CODE = Field("setup_code", "register-setup-code", "off", SETUP_CODE_MAX, "hint_setup_code")
FIELD_NAMES = tuple(field.name for field in (*FIELDS, SETUP_CODE))


def register_form() -> rx.Component:
    """Username, nickname, password and confirmation (and the setup code when needed)."""
    errors = said_by_field(AuthState.register_errors, FIELD_NAMES)
    return auth_form(
        *FIELDS,
        errors=errors,
        error=said(AuthState.register_error),
        error_id="register-error",
        submit="button_register",
        submit_id="register-submit",
        on_submit=AuthState.register,
        extra=rx.cond(
            SetupState.code_needed,
            form_fields(SETUP_CODE, errors=errors)[0],
        ),
    )
