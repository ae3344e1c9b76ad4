"""Dialog to change the password (the other devices are logged out afterwards)."""

from __future__ import annotations

import reflex as rx

from chat_app.components.form_field import form_field
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr


def change_password_dialog() -> rx.Component:
    """The dialog, opened from the user menu."""
    errors = AuthState.password_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("menu_change_password")),
            rx.form(
                rx.vstack(
                    form_field(
                        label=tr("field_current_password"),
                        name="current_password",
                        field_id="current-password",
                        error=errors.get("current_password", ""),
                        input_type="password",
                        autocomplete="current-password",
                        max_length=256,
                    ),
                    form_field(
                        label=tr("field_new_password"),
                        name="new_password",
                        field_id="new-password",
                        error=errors.get("new_password", ""),
                        hint=tr("hint_password"),
                        input_type="password",
                        autocomplete="new-password",
                        max_length=256,
                    ),
                    form_field(
                        label=tr("field_new_password_confirm"),
                        name="new_password_confirm",
                        field_id="new-password-confirm",
                        error=errors.get("new_password_confirm", ""),
                        input_type="password",
                        autocomplete="new-password",
                        max_length=256,
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(tr("button_cancel"), variant="soft", color_scheme="gray")
                        ),
                        rx.button(tr("button_save"), id="change-password-submit", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="4",
                ),
                on_submit=AuthState.change_password,
                reset_on_submit=False,
            ),
        ),
        open=AuthState.password_dialog_open,
        on_open_change=AuthState.set_password_dialog_open,
    )
