"""The emoji picker's search box (the picked emoji goes to ComposerState.insert_emoji)."""

from __future__ import annotations

import reflex as rx

from chat_app.emoji import EMOJI_GROUPS, search_emoji

ALL_EMOJI = search_emoji("")
GROUPED = [(group, [emoji for emoji, _name in entries]) for group, entries in EMOJI_GROUPS]


class EmojiPickerState(rx.State):
    """What the picker shows: every group, or the matches of a search."""

    query: str = ""

    @rx.var
    def matches(self) -> list[str]:
        """Emoji matching the search (empty while not searching)."""
        return search_emoji(self.query) if self.query.strip() else []

    @rx.event
    def set_query(self, value: str):
        """Filter the picker by name."""
        self.query = value[:40] if isinstance(value, str) else ""
