"""/auth: login and registration."""

from __future__ import annotations

import reflex as rx

from chat_app.components.auth_card import auth_card


def auth_page() -> rx.Component:
    """The page body of /auth."""
    return rx.center(auth_card(), min_height="100dvh", padding="1em")
