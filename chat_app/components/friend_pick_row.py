"""One friend offered by a picker (New group, Add members): a check box, picture and names."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.avatar import avatar
from chat_app.components.name_text import name_text


def friend_pick_row(contact: Any, picked: Any, on_toggle: Any, class_name: str) -> rx.Component:
    """A row the whole of which toggles the friend (a label around the check box).

    Args:
        contact: The offered contact (a ContactView var).
        picked: Whether it is picked (a boolean var).
        on_toggle: The event that picks or un-picks it.
        class_name: The row's class (tests find rows by it).

    Returns:
        The row, keyed by the friend's id.
    """
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=picked, on_change=lambda _checked: on_toggle),
            avatar(contact.nickname, size="1", src=contact.avatar_url),
            # Both give way when they do not fit, each in proportion to its length.
            name_text(contact.nickname, size="2", flex="1 1 auto"),
            name_text("@" + contact.username, person=False, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            width="100%",
        ),
        key=contact.user_id,
        data_username=contact.username,
        class_name=class_name,
        # As wide as the list, never wider: the names in it are cut, not the list widened.
        style={
            "display": "block",
            "cursor": "pointer",
            # Room at the sides for a cut name's ink (name_text), inside the list.
            "padding": "0.25em 0.25em",
            "width": "100%",
            "min_width": "0",
        },
    )
