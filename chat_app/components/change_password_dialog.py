"""Dialog to change the password (the other devices are logged out afterwards)."""

from __future__ import annotations

import reflex as rx

from chat_app.components.focus_return import focus_on_close
from chat_app.components.form_field import Field, form_fields
from chat_app.states.password_change import PasswordChangeState
from chat_app.states.ui import tr

FIELDS = (
    Field("current_password", "current-password", "current-password"),
    Field("new_password", "new-password", "new-password", hint="hint_password"),
    Field("new_password_confirm", "new-password-confirm", "new-password"),
)


def change_password_dialog() -> rx.Component:
    """The dialog, opened from the user menu."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("menu_change_password")),
            rx.form(
                rx.vstack(
                    *form_fields(*FIELDS, errors=PasswordChangeState.password_errors),
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
                on_submit=PasswordChangeState.change_password,
                reset_on_submit=False,
            ),
            on_close_auto_focus=focus_on_close("user-menu"),
        ),
        open=PasswordChangeState.password_dialog_open,
        on_open_change=PasswordChangeState.set_password_dialog_open,
    )
