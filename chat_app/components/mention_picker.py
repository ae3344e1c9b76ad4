"""The members offered after `@` in a group's composer, above it.

Each is a real button right after the text area in the DOM: Tab reaches the first, Enter
or Space picks it, a click picks it. Names are shown as text (state data, never Vars).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.name_text import name_text
from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.ui import tr


def _option(option: Any) -> rx.Component:
    # The picker is as wide as the composer's row at most: the name and the username each
    # take a line and are cut there, never beyond its edge.
    return rx.el.button(
        rx.vstack(
            name_text(option.nickname, weight="medium", size="2"),
            name_text("@" + option.username, person=False, size="1", color_scheme="gray"),
            spacing="0",
            align="start",
            min_width="0",
        ),
        type="button",
        class_name="mention-option",
        on_click=MentionPickerState.pick(option.user_id),
        key=option.user_id,
        style={
            "all": "unset",
            "display": "block",
            # A button is as wide as its content otherwise, past the picker's edge.
            "width": "100%",
            "box_sizing": "border-box",
            "padding": "0.4em 0.75em",
            "cursor": "pointer",
            "_hover": {"background": "var(--gray-a3)"},
            "_focus_visible": {"background": "var(--accent-a4)", "outline": "none"},
        },
    )


def mention_options() -> rx.Component:
    """The offered members (hidden when there are none), floating above the composer."""
    return rx.cond(
        MentionPickerState.options,
        rx.box(
            rx.foreach(MentionPickerState.options, _option),
            id="mention-options",
            role="group",
            aria_label=tr("mention_suggestions"),
            position="absolute",
            bottom="calc(100% + 4px)",
            left="0",
            min_width="min(12em, 100%)",
            max_width="100%",
            background="var(--color-panel-solid)",
            border="1px solid var(--gray-a6)",
            border_radius="8px",
            box_shadow="var(--shadow-4)",
            z_index="10",
            overflow="hidden",
        ),
    )
