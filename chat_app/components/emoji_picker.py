"""The emoji picker: every Unicode emoji in tabs, recently used first, searchable by name.

The groups' emoji are compiled into the page once (a constant, never state); a tab shows
only its own group (Radix mounts the open tab's content alone). Search runs on the server
and sends back at most a screenful of matches; the first tab is the user's recent emoji.
"""

from __future__ import annotations

import reflex as rx

from chat_app.components.icon_button import icon_button
from chat_app.emoji import MAX_QUERY
from chat_app.states.composer import ComposerState
from chat_app.states.emoji_picker import GROUP_ITEMS, EmojiPickerState
from chat_app.states.ui import UiState, tr

EMOJI_FONTS = "'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji', sans-serif"
# The emoji on each tab's button (the tab's name is its tooltip and accessible name).
TAB_ICONS = {
    "recent": "🕘",
    "smileys": "😀",
    "people": "👋",
    "nature": "🐻",
    "food": "🍔",
    "travel": "🚗",
    "activities": "⚽",
    "objects": "💡",
    "symbols": "🔣",
    "flags": "🏁",
}


def _emoji_button(item) -> rx.Component:
    """One emoji (`[emoji, English name, Chinese name]`): a click adds it to the draft."""
    emoji = item[0].to(str)
    return rx.button(
        emoji,
        variant="ghost",
        size="2",
        font_size="1.3em",
        # The colour emoji fonts first: a text font's black-and-white faces would win.
        font_family=EMOJI_FONTS,
        # Radix ghost buttons have negative margins; in a wrapping grid they would overlap.
        margin="0",
        width="2.2em",
        height="2.2em",
        padding="0",
        aria_label=emoji,
        title=rx.cond(UiState.language == "zh", item[2], item[1]).to(str),
        on_click=[ComposerState.insert_emoji(emoji), EmojiPickerState.remember(emoji)],
    )


def _grid(items, **props) -> rx.Component:
    return rx.flex(
        rx.foreach(items, _emoji_button),
        wrap="wrap",
        gap="1",
        max_height="14em",
        overflow_y="auto",
        **props,
    )


def _tab(name: str, items) -> rx.Component:
    return rx.tabs.content(
        rx.text(tr(f"emoji_group_{name}"), size="1", color_scheme="gray"),
        _grid(items),
        value=name,
        id=f"emoji-tab-{name}",
        padding_top="0.5em",
    )


def _tabs() -> rx.Component:
    names = ["recent", *GROUP_ITEMS]
    return rx.tabs.root(
        rx.tabs.list(
            *[
                rx.tabs.trigger(
                    TAB_ICONS[name],
                    value=name,
                    id=f"emoji-tab-button-{name}",
                    aria_label=tr(f"emoji_group_{name}"),
                    title=tr(f"emoji_group_{name}"),
                    padding="0 0.3em",
                    font_size="1.1em",
                )
                for name in names
            ],
            size="1",
            flex_wrap="wrap",
            class_name="emoji-tabs",
        ),
        _tab("recent", EmojiPickerState.recent),
        *[_tab(name, items) for name, items in GROUP_ITEMS.items()],
        default_value="recent",
    )


def _results() -> rx.Component:
    return rx.cond(
        EmojiPickerState.matches.length() > 0,
        _grid(EmojiPickerState.matches, id="emoji-results"),
        rx.text(tr("emoji_no_match"), id="emoji-no-match", size="2", color_scheme="gray"),
    )


def emoji_picker() -> rx.Component:
    """Button that opens the picker; picking appends to the draft."""
    return rx.popover.root(
        rx.popover.trigger(
            icon_button(
                "smile",
                type="button",
                id="emoji-button",
                variant="ghost",
                size="3",
                aria_label=tr("button_emoji"),
                class_name="composer-tool",
            )
        ),
        rx.popover.content(
            rx.vstack(
                # No id: inside the composer's form, an input with an id is a form field.
                rx.input(
                    class_name="emoji-search",
                    placeholder=tr("emoji_search"),
                    aria_label=tr("emoji_search"),
                    value=EmojiPickerState.query,
                    on_change=EmojiPickerState.set_query,
                    max_length=MAX_QUERY,
                    width="100%",
                ),
                rx.cond(EmojiPickerState.query.strip() != "", _results(), _tabs()),
                spacing="2",
                width="20em",
                # The popover's own padding comes on top: with 2em its border ran 2 px past
                # a 360 px screen.
                max_width="calc(100vw - 3.5em)",
            ),
            side="top",
            collision_padding=8,
        ),
        on_open_change=EmojiPickerState.set_open,
    )
