"""The /setup card: become the administrator with the setup code, or "one exists already"."""

from __future__ import annotations

import reflex as rx

from chat_app.components.chat_href import chat_href
from chat_app.components.form_field import Field, form_fields
from chat_app.components.page_card import page_card
from chat_app.states.setup import SETUP_CODE_MAX, SetupState
from chat_app.states.ui import tr

CODE = Field("setup_code", "setup-code", "off", SETUP_CODE_MAX)


def _claim_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(tr("setup_intro"), id="setup-intro"),
            *form_fields(CODE),
            rx.cond(
                SetupState.setup_error != "",
                rx.callout(
                    SetupState.setup_error,
                    id="setup-error",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.button(tr("setup_claim"), id="setup-submit", type="submit", size="3", width="100%"),
            spacing="4",
            width="100%",
        ),
        on_submit=SetupState.claim,
        reset_on_submit=False,
        width="100%",
    )


def setup_card() -> rx.Component:
    """The claim form while no administrator exists, else a plain statement that one does."""
    return page_card(
        rx.heading(tr("setup_title"), size="6"),
        rx.cond(
            SetupState.admin_exists,
            rx.callout(
                tr("setup_admin_exists"), id="setup-admin-exists", icon="info", width="100%"
            ),
            _claim_form(),
        ),
        rx.link(tr("setup_back"), href=chat_href(), id="setup-back", class_name="back-link"),
    )
