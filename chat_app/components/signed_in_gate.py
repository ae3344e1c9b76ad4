"""A private page's body: "logged out" without a token, a spinner until the user is known."""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.components.language_gate import once_language_known
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr


def _logged_out() -> rx.Component:
    # Shown live when another tab of this browser logs out (the token is synced), or when
    # this session was ended elsewhere (the notice says why).
    return rx.center(
        rx.vstack(
            rx.heading(tr("logged_out_title"), size="5"),
            rx.cond(AuthState.notice != "", rx.text(AuthState.notice, id="logged-out-notice")),
            rx.link(tr("logged_out_link"), href=routes.AUTH, id="logged-out-link"),
            align="center",
        ),
        height="100dvh",
    )


def signed_in_gate(body: rx.Component) -> rx.Component:
    """Show `body` once the tab's user is known (the page's on_load sends others to /auth)."""
    return once_language_known(
        rx.cond(
            AuthState.session_token == "",
            _logged_out(),
            rx.cond(
                AuthState.username == "",
                rx.center(rx.spinner(size="3"), aria_label=tr("loading"), height="100dvh"),
                body,
            ),
        )
    )
