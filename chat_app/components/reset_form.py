"""The card of /reset/[token]: whose password the link sets and the two password fields."""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.components.form_field import Field, form_fields
from chat_app.components.page_card import page_card
from chat_app.states.password_reset import PasswordResetState
from chat_app.states.ui import tr

FIELDS = (
    Field("new_password", "reset-password", "new-password", hint="hint_password"),
    Field("new_password_confirm", "reset-password-confirm", "new-password"),
)


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                tr("reset_for_before"),
                rx.el.strong("@", PasswordResetState.username, id="reset-username"),
                tr("reset_for_after"),
            ),
            *form_fields(*FIELDS, errors=PasswordResetState.errors),
            rx.button(
                tr("reset_submit"),
                id="reset-submit",
                type="submit",
                size="3",
                width="100%",
                loading=PasswordResetState.busy,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=PasswordResetState.submit,
        reset_on_submit=False,
        width="100%",
    )


def _invalid() -> rx.Component:
    return rx.vstack(
        rx.callout(tr("reset_invalid"), id="reset-invalid", color_scheme="red", role="alert"),
        rx.link(tr("reset_to_login"), href=routes.AUTH, id="reset-to-login"),
        spacing="4",
        width="100%",
    )


def reset_card() -> rx.Component:
    """The link's form, the one refusal, or a spinner while the link is being checked."""
    return page_card(
        rx.heading(tr("reset_title"), size="6"),
        rx.cond(
            PasswordResetState.invalid,
            _invalid(),
            rx.cond(
                PasswordResetState.username != "",
                _form(),
                rx.center(rx.spinner(size="3"), width="100%"),
            ),
        ),
    )
