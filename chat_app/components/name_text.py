"""A name on one line: cut with an ellipsis when it is too long, whole in its tooltip.

A deleted account has no nickname any more (services/account_status.py): an empty name
reads "Deleted user" in the tab's language, wherever a person's name is shown.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.states.ui import tr

# A box that clips its text must hold all of each letter's ink, not only its advance: T, V
# and W draw a little to the left of where the text starts (DejaVu Sans's T 0.06 em), and
# a trimmed leading (Radix's `trim="both"`) clips at the capitals' height and the baseline,
# which cut a T's bar ("Tom" read "Iom"), Chinese characters' tops and every descender. The
# padding gives the ink room inside the clip; the equal negative margin keeps the layout
# (vertically only for trimmed text: a box of a set height would lose the padding's space).
_INK_ROOM_INLINE = "0.125em"
_INK_ROOM_BLOCK = "0.3em"  # DejaVu Sans: ascent 0.93 em, capitals 0.73, descent 0.24


def one_line_cut(*, trimmed: bool = False) -> dict[str, Any]:
    """Props for text kept on one line and cut with an ellipsis, every letter whole.

    Args:
        trimmed: The text's leading is trimmed (`trim="both"`): room above and below too.

    Returns:
        The style props, to spread into a text component.
    """
    block = _INK_ROOM_BLOCK if trimmed else "0"
    return {
        "white_space": "nowrap",
        "overflow": "hidden",
        "text_overflow": "ellipsis",
        "padding": f"{block} {_INK_ROOM_INLINE}",
        "margin": f"-{block} -{_INK_ROOM_INLINE}",
    }


def lines_cut(lines: int) -> dict[str, str]:
    """Style for text that wraps and stops after `lines` lines, with an ellipsis.

    Args:
        lines: The most lines shown.

    Returns:
        The style, for a component's `style`.
    """
    return {
        "display": "-webkit-box",
        "-webkit-line-clamp": str(lines),
        "-webkit-box-orient": "vertical",
        "overflow": "hidden",
    }


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
        **one_line_cut(trimmed="trim" in props),
        # A flex child's minimum width is its content's by default: let it shrink.
        min_width="0",
        # Its box reaches past its parent's by the ink room on each side (the negative
        # margins): at 100 % a box sized to its content (a chip) cut every name short.
        max_width=f"calc(100% + 2 * {_INK_ROOM_INLINE})",
        **props,
    )
