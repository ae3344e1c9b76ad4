"""/: the chat. Anonymous visitors are sent to /auth by the page's on_load."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app import routes
from chat_app.components.chat_shell import chat_shell
from chat_app.components.language_gate import once_language_known
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr
from chat_app.states.unread import UnreadState


def _logged_out() -> rx.Component:
    # Shown live when another tab of this browser logs out (the token is synced).
    return rx.center(
        rx.vstack(
            rx.heading(tr("logged_out_title"), size="5"),
            rx.cond(AuthState.notice != "", rx.text(AuthState.notice)),
            rx.link(tr("logged_out_link"), href=routes.AUTH, id="logged-out-link"),
            align="center",
        ),
        height="100dvh",
    )


def chat_title() -> StringVar:
    """The document title: "(3) Chat" while 3 messages are unread, in the tab's language."""
    total = UnreadState.unread_total
    return rx.cond(total > 0, "(" + total.to_string() + ") " + tr("app_name"), tr("app_name")).to(
        str
    )


def chat_page() -> rx.Component:
    """The page body of /."""
    return once_language_known(
        rx.cond(
            AuthState.session_token == "",
            _logged_out(),
            rx.cond(
                AuthState.username == "",
                rx.center(rx.spinner(size="3"), aria_label=tr("loading"), height="100dvh"),
                chat_shell(),
            ),
        )
    )
