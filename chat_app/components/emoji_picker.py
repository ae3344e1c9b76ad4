"""A grouped, searchable emoji picker in a popover (Reflex components only)."""

from __future__ import annotations

import reflex as rx

from chat_app.states.composer import ComposerState
from chat_app.states.emoji_picker import GROUPED, EmojiPickerState
from chat_app.states.ui import tr


def _emoji_button(emoji) -> rx.Component:
    return rx.button(
        emoji,
        variant="ghost",
        size="2",
        font_size="1.3em",
        # Radix ghost buttons have negative margins; in a wrapping grid they would overlap.
        margin="0",
        width="2.2em",
        height="2.2em",
        padding="0",
        aria_label=emoji,
        on_click=ComposerState.insert_emoji(emoji),
    )


def _grid(items) -> rx.Component:
    return rx.flex(*items, wrap="wrap", gap="1")


def emoji_picker() -> rx.Component:
    """Button that opens the picker; picking appends to the draft."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("smile"),
                type="button",
                id="emoji-button",
                variant="ghost",
                size="3",
                aria_label=tr("button_emoji"),
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.input(
                    placeholder=tr("emoji_search"),
                    aria_label=tr("emoji_search"),
                    value=EmojiPickerState.query,
                    on_change=EmojiPickerState.set_query,
                    width="100%",
                ),
                rx.cond(
                    EmojiPickerState.query != "",
                    rx.flex(
                        rx.foreach(EmojiPickerState.matches, _emoji_button),
                        wrap="wrap",
                        gap="1",
                    ),
                    rx.vstack(
                        *[
                            rx.vstack(
                                rx.text(tr(group), size="1", color_scheme="gray"),
                                _grid([_emoji_button(emoji) for emoji in emojis]),
                                spacing="1",
                            )
                            for group, emojis in GROUPED
                        ],
                        spacing="2",
                        max_height="16em",
                        overflow_y="auto",
                    ),
                ),
                spacing="2",
                width="18em",
            ),
            side="top",
        ),
    )
