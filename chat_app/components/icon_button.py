"""Icon buttons whose icons have one size for each button size, everywhere in the app.

Reflex's `rx.icon_button` gives its icon a size of its own choosing (36 px inside a 40 px
button, 12 px inside a 24 px one) over any size the icon asked for. The header showed 36 px
icons beside a 24 px bell (which, inside a `cond`, escaped the rule) and a message's ⋯ was a
12 px smudge on a phone. Every icon button of the app is made here instead.
"""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx
from reflex_components_lucide import Icon

# The icon's side in px for each of Radix's button sizes (24, 32, 40 and 48 px squares):
# about half the button, as chat apps draw their toolbar icons.
ICON_PX = {"1": 16, "2": 18, "3": 22, "4": 26}
ButtonSize = Literal["1", "2", "3", "4"]


def icon_px(size: ButtonSize) -> int:
    """The icon size for a button of Radix size `size` ("1"-"4").

    Args:
        size: The button's size.

    Returns:
        The icon's side in px.
    """
    return ICON_PX[size]


def icon_button(
    icon: str | rx.Component,
    *,
    size: ButtonSize = "2",
    icon_size: int | None = None,
    **props: Any,
) -> rx.Component:
    """An icon button whose icon keeps `ICON_PX[size]` px (or `icon_size`).

    Args:
        icon: A lucide icon's name, or a component (a `cond` of two icons, say) whose icons
            were given their size with `icon_px`.
        size: The button's Radix size ("1"-"4").
        icon_size: Another side in px for a named icon.
        **props: The button's other props (id, variant, label, handlers).

    Returns:
        The button.
    """
    first = rx.icon(icon) if isinstance(icon, str) else icon
    button = rx.icon_button(first, size=size, **props)
    if isinstance(first, Icon):
        # Put back after `IconButton.create`, which sets it from the button's size.
        first.size = icon_size or icon_px(size)  # pyright: ignore[reportAttributeAccessIssue]
    return button
