"""The emoji picker's server side: search, and the user's recently used emoji.

Browsing needs no server: each group's emoji are compiled into the page once
(components/emoji_picker.py). What a tab holds here stays small whatever the catalog's
size: one search's results (at most `MAX_RESULTS`) and at most `MAX_RECENT` recent emoji.

Recently used emoji live in this browser's localStorage as "<user id>:<emoji> <emoji>..."
(ARCHITECTURE §6c): another user of the browser never sees them (the id differs), logout
clears them (states/sign_out.py), and every one is checked against the catalog when read.
The picked emoji itself goes to the draft through ComposerState.insert_emoji.
"""

from __future__ import annotations

import reflex as rx

from chat_app.emoji import (
    DEFAULT_RECENT,
    GROUPS,
    MAX_QUERY,
    Emoji,
    group_emoji,
    known_emoji,
    read_recent,
    remember_recent,
    search_emoji,
)
from chat_app.states.viewer import signed_in


def picker_items(entries: list[Emoji] | tuple[Emoji, ...]) -> list[list[str]]:
    """What the page shows of each emoji: `[emoji, English name, Chinese name]`.

    Args:
        entries: Catalog entries.

    Returns:
        One small list per emoji (both names, so a language switch needs no reload).
    """
    return [[entry.char, entry.en, entry.zh] for entry in entries]


# Every group's emoji, compiled into the page once (not state: never sent again).
GROUP_ITEMS: dict[str, list[list[str]]] = {
    group: picker_items(group_emoji(group)) for group in GROUPS
}


class EmojiPickerState(rx.State):
    """The picker's search and its "recently used" tab."""

    query: str = ""
    # Browser storage: travels in every reconnect, settable by any client (read_recent).
    recent_stored: str = rx.LocalStorage("", name="chat_recent_emoji", sync=True)
    # The first tab's emoji, read from storage when the picker opens (so the tab does not
    # reorder under the pointer while the user picks several).
    recent: list[list[str]] = []

    @rx.var
    def matches(self) -> list[list[str]]:
        """Emoji matching the search (none while not searching)."""
        return picker_items(search_emoji(self.query)) if self.query.strip() else []

    @rx.event
    def set_query(self, value: str):
        """Search the emoji by English or Chinese name."""
        self.query = value[:MAX_QUERY] if isinstance(value, str) else ""

    @rx.event
    @signed_in
    async def set_open(self, viewer_id: int, is_open: bool):
        """The picker opened (show the user's recent emoji) or closed (end the search)."""
        if is_open is True:
            recent = read_recent(self.recent_stored, viewer_id) or list(DEFAULT_RECENT)
            self.recent = picker_items([entry for c in recent if (entry := known_emoji(c))])
        elif self.query:
            self.query = ""

    @rx.event
    @signed_in
    async def remember(self, viewer_id: int, emoji: str):
        """Put a picked emoji first among the user's recent ones (an unknown one is ignored)."""
        if known_emoji(emoji) is None:
            return
        stored = remember_recent(self.recent_stored, viewer_id, emoji)
        if stored != self.recent_stored:
            self.recent_stored = stored

    def _forget(self) -> None:
        """Clear the recent emoji from this browser (logout)."""
        if self.recent_stored:
            self.recent_stored = ""
        self.recent = []
        self.query = ""
