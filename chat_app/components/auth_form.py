"""The frame both /auth forms share: their inputs, the form's own error, the submit button."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.components.form_field import Field, form_fields
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr


def auth_form(
    *fields: Field,
    errors: Mapping[str, str | Var[str]] | None = None,
    error: Var[str] | str,
    error_id: str,
    submit: str,
    submit_id: str,
    on_submit: Any,
    extra: rx.Component | None = None,
) -> rx.Component:
    """A form of the /auth page (login, registration).

    Args:
        *fields: The inputs, in order.
        errors: Field name to error text, shown under each input.
        error: An error about no one field, shown above the button.
        error_id: DOM id of that error.
        submit: i18n key of the button's label.
        submit_id: DOM id of the button (it spins while AuthState is busy).
        on_submit: The AuthState handler that gets the form's data.
        extra: Shown after the inputs (an input that is there only sometimes).

    Returns:
        The form.
    """
    return rx.form(
        rx.vstack(
            *form_fields(*fields, errors=errors),
            extra if extra is not None else rx.fragment(),
            rx.cond(
                Var.create(error) != "",
                rx.callout(error, id=error_id, color_scheme="red", role="alert", width="100%"),
            ),
            rx.button(
                tr(submit),
                id=submit_id,
                type="submit",
                size="3",
                width="100%",
                loading=AuthState.busy,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )
