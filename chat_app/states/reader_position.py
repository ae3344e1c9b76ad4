"""Whether the reader is looking at the newest messages: at the bottom, in a visible tab.

A mixin of the conversation state. The page reports two things without a script: the tab's
visibility (`rx.window_event_listener(on_visibility_change=...)`) and whether the message
list is scrolled to its bottom (components/bottom_probe.py). Messages count as read only
while both hold ("read" means seen); those that arrive otherwise are counted for the
"↓ N new" button.
"""

from __future__ import annotations

import reflex as rx

from chat_app.states.viewer import signed_in


class ReaderPosition(rx.State, mixin=True):
    """Where the reader is, and what arrived while they were not looking."""

    # Messages of the open conversation that arrived while the reader was not looking.
    unseen: int = 0
    _scrolled_up: bool = False
    # Unknown until the first change: a tab counts as visible (it was, to open the chat).
    # Reported by a window listener that is mounted while someone is signed in.
    _tab_hidden: bool = False

    def _looking(self) -> bool:
        return not self._scrolled_up and not self._tab_hidden

    def _reset_position(self) -> None:
        """A newly shown list starts at its bottom, with nothing unseen.

        Also counts the tab as visible again: a conversation is opened by someone looking
        at it, and a change of visibility missed meanwhile (a reload) must not leave the
        tab unable to read.
        """
        self._scrolled_up = self._tab_hidden = False
        if self.unseen:
            self.unseen = 0

    async def _read_to_end(self, viewer_id: int, forget_unread: bool) -> None:
        raise NotImplementedError  # the conversation state's

    async def _now_looking(self, viewer_id: int) -> None:
        if self._looking():
            if self.unseen:
                self.unseen = 0
            await self._read_to_end(viewer_id, forget_unread=True)

    @rx.event
    @signed_in
    async def reader_at_bottom(self, viewer_id: int):
        """The message list reached its bottom (or a new one was shown)."""
        self._scrolled_up = False
        await self._now_looking(viewer_id)

    @rx.event
    @signed_in
    async def reader_scrolled_up(self, viewer_id: int):
        """The reader scrolled away from the newest message."""
        del viewer_id  # only a signed-in tab has a reading position
        self._scrolled_up = True

    @rx.event
    @signed_in
    async def tab_visibility(self, viewer_id: int, hidden: bool):
        """The tab was hidden or shown again (`document.hidden`)."""
        # A hint, not a guarantee: clients may send anything.
        if not isinstance(hidden, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            return
        self._tab_hidden = hidden
        await self._now_looking(viewer_id)
