"""/setup: a signed-in user becomes the first administrator of an upgraded server."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app.components.language_gate import once_language_known
from chat_app.components.setup_card import setup_card
from chat_app.states.ui import tr


def setup_title() -> StringVar:
    """The document title of /setup, in the tab's language."""
    return tr("setup_title")


def setup_page() -> rx.Component:
    """The page body of /setup."""
    return once_language_known(rx.center(setup_card(), min_height="100dvh", padding="1em"))
