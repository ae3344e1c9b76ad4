"""/reset/[token]: set a new password through a one-time link from an administrator."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app.components.language_gate import once_language_known
from chat_app.components.reset_form import reset_card
from chat_app.states.ui import tr


def reset_title() -> StringVar:
    """The document title of the reset page, in the tab's language."""
    return tr("reset_title")


def reset_page() -> rx.Component:
    """The page body of /reset/[token]."""
    return once_language_known(rx.center(reset_card(), min_height="100dvh", padding="1em"))
