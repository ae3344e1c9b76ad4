"""/: the chat. Anonymous visitors are sent to /auth by the page's on_load."""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.components.chat_shell import chat_shell
from chat_app.i18n import text
from chat_app.states.auth import AuthState


def _logged_out() -> rx.Component:
    # Shown live when another tab of this browser logs out (the token is synced).
    return rx.center(
        rx.vstack(
            rx.heading(text("logged_out_title"), size="5"),
            rx.cond(AuthState.notice != "", rx.text(AuthState.notice)),
            rx.link(text("logged_out_link"), href=routes.AUTH, id="logged-out-link"),
            align="center",
        ),
        height="100dvh",
    )


def chat_page() -> rx.Component:
    """The page body of /."""
    return rx.cond(
        AuthState.session_token == "",
        _logged_out(),
        rx.cond(
            AuthState.username == "",
            rx.center(rx.spinner(size="3"), aria_label=text("loading"), height="100dvh"),
            chat_shell(),
        ),
    )
