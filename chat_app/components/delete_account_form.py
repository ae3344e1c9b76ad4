"""Delete my account: the password, a box to tick, and a red button."""

from __future__ import annotations

import reflex as rx

from chat_app.components.form_field import Field, form_fields
from chat_app.states.account_deletion import DeleteAccountState
from chat_app.states.ui import tr

PASSWORD = Field("password", "delete-account-password", "current-password")


def delete_account_form() -> rx.Component:
    """The form; its refusal (wrong password, throttle, last administrator) under it."""
    return rx.form(
        rx.vstack(
            *form_fields(PASSWORD),
            rx.el.label(
                rx.checkbox(name="confirm", id="delete-account-confirm"),
                rx.text(tr("account_delete_confirm"), size="2"),
                display="flex",
                gap="0.5em",
                align_items="flex-start",
            ),
            rx.cond(
                DeleteAccountState.delete_error != "",
                rx.text(
                    DeleteAccountState.delete_error,
                    id="delete-account-error",
                    color_scheme="red",
                    size="2",
                    role="alert",
                ),
            ),
            rx.button(
                tr("account_delete_button"),
                id="delete-account-submit",
                type="submit",
                color_scheme="red",
                loading=DeleteAccountState.busy,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=DeleteAccountState.delete_account,
        reset_on_submit=False,
        width="100%",
    )
