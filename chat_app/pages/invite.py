"""/invite/<token>: what an invite link offers, and registering or joining through it."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app.components.invite_card import invite_card
from chat_app.components.language_gate import once_language_known
from chat_app.states.ui import tr


def invite_title() -> StringVar:
    """The document title of an invite's page, in the tab's language."""
    return tr("invite_page_title")


def invite_page() -> rx.Component:
    """The page body of /invite/<token>."""
    return once_language_known(rx.center(invite_card(), min_height="100dvh", padding="1em"))
