"""/auth: login and registration."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app.components.auth_card import auth_card
from chat_app.components.language_gate import once_language_known
from chat_app.states.ui import tr


def auth_title() -> StringVar:
    """The document title of /auth, in the tab's language."""
    return tr("app_name")


def auth_page() -> rx.Component:
    """The page body of /auth."""
    return once_language_known(rx.center(auth_card(), min_height="100dvh", padding="1em"))
