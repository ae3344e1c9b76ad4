"""One person in a list: avatar, nickname, @username, and the actions given."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.avatar import avatar_with_corner
from chat_app.components.name_text import name_text


def contact_row(
    contact: Any, *actions: rx.Component, status: rx.Component | None = None
) -> rx.Component:
    """A list row for a contact var (fields user_id, username, nickname); actions at the right.

    `status` (a presence dot) sits on the avatar's lower right corner.
    """
    return rx.hstack(
        avatar_with_corner(contact.nickname, contact.avatar_url, status),
        rx.vstack(
            name_text(contact.nickname, weight="medium", trim="both"),
            name_text("@" + contact.username, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
            flex="1",
            # Stretched, so each name is cut at the column's edge, not at its own width.
            align="stretch",
        ),
        *actions,
        data_username=contact.username,
        align="center",
        width="100%",
        padding="0.5em 1em",
        min_height="52px",
    )
