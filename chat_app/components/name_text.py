"""A name on one line: cut with an ellipsis when it is too long, whole in its tooltip.

A deleted account has no nickname any more (services/account_status.py): an empty name
reads "Deleted user" in the tab's language, wherever a person's name is shown.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.states.ui import tr


def shown_name(name: Any) -> Var:
    """A person's name as shown: "Deleted user" for a deleted account's empty nickname."""
    return rx.cond(Var.create(name) == "", tr("deleted_user"), name)


def name_text(name: Any, *, person: bool = True, **props: Any) -> rx.Component:
    """`name` (a string var) on one line, never wider than its box, with the full text as title.

    A nickname or username of 32 unbroken characters is wider than a phone's list row;
    without this it runs under the buttons beside it and makes its pane scroll sideways.
    Only mouse users see the title: screens that show a name cut must show it whole
    somewhere else too (the conversation header does).

    Args:
        name: The text (nickname, "@" + username).
        person: The text is a person's name (an empty one is a deleted account's).
        **props: More props for the text (size, weight, id, ...).

    Returns:
        The text component.
    """
    if person:
        name = shown_name(name)
    return rx.text(
        name,
        title=name,
        white_space="nowrap",
        overflow="hidden",
        text_overflow="ellipsis",
        # A flex child's minimum width is its content's by default: let it shrink.
        min_width="0",
        max_width="100%",
        **props,
    )
