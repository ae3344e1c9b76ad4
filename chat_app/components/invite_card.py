"""The card of an invite link's page: what it offers and the form that uses it."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components import login_form, register_form
from chat_app.components.auth_form import auth_form
from chat_app.components.chat_href import chat_href
from chat_app.components.page_card import page_card
from chat_app.states.auth import AuthState
from chat_app.states.invite_page import GROUP, INVALID, SERVER, InvitePageState
from chat_app.states.ui import said, said_by_field, tr

_SIGNED_IN = InvitePageState.signed_in_as != ""


def _register() -> rx.Component:
    return rx.vstack(
        rx.text(tr("invite_register_intro"), size="2", color_scheme="gray"),
        auth_form(
            *register_form.FIELDS,
            errors=said_by_field(AuthState.register_errors, register_form.FIELD_NAMES),
            error=said(AuthState.register_error),
            error_id="register-error",
            submit="button_register",
            submit_id="invite-register-submit",
            on_submit=InvitePageState.register,
        ),
        width="100%",
        spacing="3",
    )


def _login() -> rx.Component:
    return rx.vstack(
        rx.text(tr("invite_login_intro"), size="2", color_scheme="gray"),
        auth_form(
            *login_form.FIELDS,
            error=said(AuthState.login_error),
            error_id="login-error",
            submit="button_login",
            submit_id="invite-login-submit",
            on_submit=InvitePageState.login,
        ),
        width="100%",
        spacing="3",
    )


def _switch(label: str, switch_id: str) -> rx.Component:
    return rx.button(
        tr(label),
        id=switch_id,
        variant="ghost",
        size="2",
        type="button",
        on_click=InvitePageState.toggle_login,
    )


def _group_forms() -> rx.Component:
    """Registering (when the invite creates accounts) or logging in, then joining."""
    return rx.cond(
        InvitePageState.show_login,
        rx.vstack(
            _login(),
            rx.cond(
                InvitePageState.may_register, _switch("invite_new_account", "invite-show-register")
            ),
            width="100%",
        ),
        rx.vstack(
            _register(),
            _switch("invite_have_account_login", "invite-show-login"),
            width="100%",
        ),
    )


def _signed_in_group() -> rx.Component:
    return rx.vstack(
        rx.text(InvitePageState.signed_in_line, id="invite-signed-in", size="2"),
        rx.button(
            tr("invite_join_group"),
            id="invite-join",
            size="3",
            width="100%",
            on_click=InvitePageState.join,
        ),
        width="100%",
    )


def _to_chat() -> rx.Component:
    return rx.link(tr("invite_open_chat"), href=chat_href(), id="invite-open-chat", size="3")


def _body() -> Any:
    return rx.match(
        InvitePageState.kind,
        (INVALID, _to_chat()),
        (SERVER, rx.cond(_SIGNED_IN, _to_chat(), _register())),
        (GROUP, rx.cond(_SIGNED_IN, _signed_in_group(), _group_forms())),
        rx.center(rx.spinner(size="3"), width="100%"),
    )


def invite_card() -> rx.Component:
    """The heading, one message about the link if any, and what the visitor can do."""
    return page_card(
        rx.heading(tr("app_name"), size="7"),
        rx.cond(
            InvitePageState.heading != "",
            rx.heading(InvitePageState.heading, id="invite-heading", size="5"),
        ),
        rx.cond(
            InvitePageState.message != "",
            rx.callout(
                InvitePageState.message,
                id="invite-message",
                icon="info",
                color_scheme=rx.cond(InvitePageState.kind == INVALID, "red", "blue"),
                width="100%",
            ),
        ),
        _body(),
    )
