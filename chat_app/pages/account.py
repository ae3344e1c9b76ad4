"""/account: my nickname, my devices, deleting my account. Anonymous visitors go to /auth."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app.components.chat_href import chat_href
from chat_app.components.delete_account_form import delete_account_form
from chat_app.components.device_list import device_list
from chat_app.components.nickname_form import nickname_form
from chat_app.components.signed_in_gate import signed_in_gate
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr


def account_title() -> StringVar:
    """The document title of /account, in the tab's language."""
    return tr("account_title")


def _section(heading: str, hint: str | None, *children: rx.Component, **props) -> rx.Component:
    return rx.vstack(
        rx.heading(tr(heading), size="4", as_="h2"),
        rx.text(tr(hint), color_scheme="gray", size="2") if hint else rx.fragment(),
        *children,
        spacing="3",
        width="100%",
        padding_y="1em",
        **props,
    )


def _body() -> rx.Component:
    # The document never scrolls (styles.css): this page scrolls in a box of its own.
    return rx.box(_sections(), id="account-scroller", height="100dvh", overflow_y="auto")


def _sections() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(
                rx.icon("arrow-left", size=16),
                tr("account_back"),
                href=chat_href(),
                id="account-back",
                class_name="back-link",
                display="inline-flex",
                align_items="center",
                gap="0.25em",
            ),
            width="100%",
        ),
        rx.heading(tr("account_title"), size="6", as_="h1"),
        rx.text("@", AuthState.username, color_scheme="gray", overflow_wrap="anywhere"),
        _section("account_nickname_heading", None, nickname_form(), id="account-nickname-section"),
        _section(
            "account_devices_heading",
            "account_devices_hint",
            device_list(),
            id="account-devices-section",
        ),
        _section(
            "account_delete_heading",
            "account_delete_hint",
            delete_account_form(),
            id="account-delete-section",
        ),
        id="account-page",
        spacing="2",
        width="100%",
        max_width="40em",
        margin_x="auto",
        padding="1em",
        # Long names and addresses wrap: nothing pushes a phone's page sideways.
        min_width="0",
        overflow_x="hidden",
    )


def account_page() -> rx.Component:
    """The page body of /account."""
    return signed_in_gate(_body())
