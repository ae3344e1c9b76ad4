"""The members offered after `@` in a group's composer, above the text area.

Each is a real button right after the text area in the DOM: Tab reaches the first, Enter
or Space picks it, a click picks it. Names are shown as text (state data, never Vars).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.ui import tr


def _option(option: Any) -> rx.Component:
    return rx.el.button(
        rx.hstack(
            rx.text(option.nickname, weight="medium", trim="both"),
            rx.text("@" + option.username, size="1", color_scheme="gray", trim="both"),
            spacing="2",
            align="baseline",
        ),
        type="button",
        class_name="mention-option",
        on_click=MentionPickerState.pick(option.user_id),
        key=option.user_id,
        style={
            "all": "unset",
            "display": "block",
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
            min_width="12em",
            max_width="100%",
            background="var(--color-panel-solid)",
            border="1px solid var(--gray-a6)",
            border_radius="8px",
            box_shadow="var(--shadow-4)",
            z_index="10",
            overflow="hidden",
        ),
    )
