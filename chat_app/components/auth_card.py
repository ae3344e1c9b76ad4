"""The /auth card: a notice (e.g. "session ended"), then login and register tabs."""

from __future__ import annotations

import reflex as rx

from chat_app.components.login_form import login_form
from chat_app.components.page_card import page_card
from chat_app.components.register_form import register_form
from chat_app.states.auth import AuthState
from chat_app.states.setup import SetupState
from chat_app.states.ui import tr


def _refusal(key: str) -> rx.Component:
    return rx.callout(tr(key), id="registration-refusal", icon="info", width="100%")


def _register_or_refusal() -> rx.Component:
    """The form, or, while registering without an invite is refused, why (asked first)."""
    return rx.fragment(
        rx.match(
            SetupState.registration_refusal,
            ("registration_invite_only", _refusal("registration_invite_only")),
            ("registration_closed", _refusal("registration_closed")),
            register_form(),
        )
    )


# Mounted while hidden (Radix leaves a force-mounted tab's content shown: hidden here).
_KEPT: dict = {"force_mount": True, "style": {"&[data-state='inactive']": {"display": "none"}}}


def auth_card() -> rx.Component:
    """Login and registration in two tabs, like the original app."""
    return page_card(
        rx.heading(tr("app_name"), size="7"),
        rx.cond(
            AuthState.notice != "",
            rx.callout(AuthState.notice, id="auth-notice", icon="info", width="100%"),
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(tr("tab_login"), value="login", id="tab-login"),
                rx.tabs.trigger(tr("tab_register"), value="register", id="tab-register"),
            ),
            # Both stay on the page, the other one hidden: unmounted, a tab's form lost what
            # was typed in it when the other tab was looked at.
            rx.tabs.content(rx.box(login_form(), padding_top="1em"), value="login", **_KEPT),
            rx.tabs.content(
                rx.box(_register_or_refusal(), padding_top="1em"), value="register", **_KEPT
            ),
            default_value="login",
            width="100%",
        ),
    )
