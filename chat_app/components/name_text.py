"""A name on one line: cut with an ellipsis when it is too long, whole in its tooltip."""

from __future__ import annotations

from typing import Any

import reflex as rx


def name_text(name: Any, **props: Any) -> rx.Component:
    """`name` (a string var) on one line, never wider than its box, with the full text as title.

    A nickname or username of 32 unbroken characters is wider than a phone's list row;
    without this it runs under the buttons beside it and makes its pane scroll sideways.
    Only mouse users see the title: screens that show a name cut must show it whole
    somewhere else too (the conversation header does).

    Args:
        name: The text (nickname, "@" + username).
        **props: More props for the text (size, weight, id, ...).

    Returns:
        The text component.
    """
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
