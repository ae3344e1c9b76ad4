"""The open group's typing line: "Ana is typing…", "Ana and Li are typing…", "… and 2 more".

The names are state vars (never text spliced into a Var); the words around them follow
the tab's language.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex_base.vars.base import Var
from reflex_base.vars.sequence import ArrayVar

from chat_app.components.name_text import one_line_cut
from chat_app.states.conversation import ConversationState
from chat_app.states.ui import tr


def _names() -> ArrayVar:
    # An array var at run time; the stubs only say list.
    return cast(ArrayVar, ConversationState.typing_names)


def _name(index: int) -> rx.Component:
    # Isolated: a right-to-left name does not reorder the words around it.
    return rx.el.bdi(_names()[index])


def _line() -> list[Any]:
    count = _names().length()
    more = ConversationState.typing_more
    two_or_more = count >= 2
    return [
        _name(0),
        # "A, B and C", or "A, B, C and 2 more": the last one joins with "and".
        rx.cond(
            count == 3,
            rx.fragment(tr("typing_list_sep")),
            rx.cond(two_or_more, rx.fragment(tr("typing_list_and"))),
        ),
        rx.cond(two_or_more, _name(1)),
        rx.cond(
            count == 3,
            rx.fragment(rx.cond(more > 0, tr("typing_list_sep"), tr("typing_list_and")), _name(2)),
        ),
        rx.cond(
            more > 0,
            rx.fragment(
                tr("typing_list_and"),
                tr("typing_more_before"),
                Var.create(more).to(str),
                tr("typing_more_after"),
            ),
        ),
        rx.cond(two_or_more, rx.fragment(tr("typing_many")), rx.fragment(tr("typing_one"))),
    ]


def group_typing_line(otherwise: rx.Component) -> rx.Component:
    """Who is typing in the open group, or `otherwise` (the member count) while nobody is.

    Args:
        otherwise: What the line shows when nobody types.

    Returns:
        The line.
    """
    return rx.cond(
        _names().length() > 0,
        rx.text(
            *_line(),
            id="group-typing",
            size="1",
            color_scheme="gray",
            **one_line_cut(),
        ),
        otherwise,
    )
