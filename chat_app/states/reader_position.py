"""Whether the reader is looking at the newest messages: at the bottom, in a visible tab.

A mixin of the conversation state. The page reports two things without a script: the tab's
visibility (`rx.window_event_listener(on_visibility_change=...)`) and whether the message
list is scrolled to its bottom (components/bottom_probe.py). Messages count as read only
while both hold ("read" means seen); those that arrive otherwise are counted for the
"↓ N new" button.

A list opened at a message above its bottom (the first unread one, or where the reader
was) is first shown at its bottom and then scrolled there: the first "at the bottom" it
reports may be that moment, so it reads only if no "scrolled up" follows within a second.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.services.views import HistoryPage
from chat_app.states.place import PlaceState
from chat_app.states.place_entries import BOTTOM
from chat_app.states.safe_text import toast_error
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# Messages shown above a search result the list opens at.
FOUND_CONTEXT = 2


class ReaderPosition(rx.State, mixin=True):
    """Where the reader is, and what arrived while they were not looking."""

    # Messages of the open conversation that arrived while the reader was not looking.
    unseen: int = 0
    # Set when a conversation is shown, not per message: the seq of the message the list
    # opens at (0: its bottom), and of the first one unread then (0: none), above which the
    # "New messages" divider stays until the conversation is left.
    open_at: int = 0
    unread_from: int = 0
    # The message a search result opened the list at, marked until the list closes (0: none).
    found_seq: int = 0
    _scrolled_up: bool = False
    # Unknown until the first change: a tab counts as visible (it was, to open the chat).
    # Reported by a window listener that is mounted while someone is signed in.
    _tab_hidden: bool = False
    # The list was opened at a message above its bottom and has not reported where it
    # stands since.
    _settling: bool = False

    def _looking(self) -> bool:
        return not self._scrolled_up and not self._tab_hidden

    def _reset_position(self) -> None:
        """A newly shown list starts at its bottom, with nothing unseen.

        Also counts the tab as visible again: a conversation is opened by someone looking
        at it, and a change of visibility missed meanwhile (a reload) must not leave the
        tab unable to read.
        """
        self._scrolled_up = self._tab_hidden = self._settling = False
        # Only what changes: an assigned var is re-sent even when its value is the same.
        for name in ("unseen", "open_at", "unread_from", "found_seq"):
            if getattr(self, name):
                setattr(self, name, 0)

    def _open_at(
        self, seqs: list[int], first_unread: int, anchor: int, newest: bool, found: int = 0
    ) -> bool:
        """Mark the first unread message of the list shown and the one it opens at.

        Args:
            seqs: The messages shown.
            first_unread: Where the unread messages start (0: none); further back than what
                is shown, the list opens at the oldest shown, with no divider.
            anchor: Where the reader was (a seq), or BOTTOM.
            newest: At the bottom, unless at the anchor ("jump to latest" gives none).
            found: The anchor is this search result (marked), or 0.

        Returns:
            Whether the list opens above its bottom: at its first unread message, or where
            the reader was (the unread messages are then counted on "↓ N new", as
            messages arriving unseen are).
        """
        if found in seqs:
            self.found_seq = found
            if found < seqs[-1]:
                # The list scrolls to its top edge: two messages above it show its context.
                anchor = seqs[max(seqs.index(found) - FOUND_CONTEXT, 0)]
        if first_unread in seqs:
            self.unread_from = first_unread
        if anchor and seqs and anchor < seqs[-1]:
            # Where the reader was; a message gone (or beyond the window) gives the next one.
            open_at = _first_from(seqs, anchor)
        else:
            open_at = _first_from(seqs, first_unread) if first_unread and not newest else 0
        if open_at:
            # Shown at its bottom, then scrolled there: nothing is read until it reports.
            self.open_at = open_at
            self._scrolled_up = self._settling = True
        return bool(open_at)

    def _reading_anchor(self, line: int) -> int:
        """The place of the open conversation: BOTTOM, or the seq of the message being read.

        Args:
            line: The greatest seq known above the reading line (0: none reported yet,
                then the list is still where it opened).
        """
        stored = self._stored_seqs() if self._scrolled_up else []
        if not stored:
            return BOTTOM
        above = [seq for seq in stored if seq <= (line or self.open_at)]
        # Nothing above the line: the reader is at the top of what is shown.
        return max(above) if above else stored[0]

    async def _switch_places(self, viewer_id: int, left: int, opened: Any = None) -> Any:
        """Keep the place and draft of the conversation left, bring back those of `opened`.

        Args:
            viewer_id: The reader.
            left: The conversation left (0: none).
            opened: The page of the conversation being opened (None: none).

        Returns:
            A refusal to show (nothing changed), or None.
        """
        places = await self.get_state(PlaceState)
        anchor = self._reading_anchor(places._line_in(left)) if left else BOTTOM
        target = opened.conversation_id if isinstance(opened, HistoryPage) else 0
        refused = await places._switch(viewer_id, left, anchor, target)
        return toast_error(text(refused, await language_of(self))) if refused else None

    def _stored_seqs(self) -> list[int]:
        raise NotImplementedError  # LiveMessages' (states/live_messages.py), before this in the MRO

    async def _read_to_end(self, viewer_id: int, forget_unread: bool) -> None:
        raise NotImplementedError  # ReadReceipts' (states/read_receipts.py), before this in the MRO

    def _read_soon(self, forget_unread: bool = True) -> None:
        raise NotImplementedError  # ReadReceipts': read in a second, if looking

    async def _now_looking(self, viewer_id: int) -> None:
        # "↓ N new" is emptied by the read itself: short of the newest, at the bottom of
        # the page shown, nothing is read and the count stays.
        if self._looking():
            await self._read_to_end(viewer_id, forget_unread=True)

    @rx.event
    @signed_in
    async def reader_at_bottom(self, viewer_id: int):
        """The message list reached its bottom (or a new one was shown)."""
        # Assigned only when it changes, here and below: reports repeat, and an assigned
        # backend var has its state saved again (auth.py).
        if self._scrolled_up:
            self._scrolled_up = False
        if self._settling:
            # Maybe the list shown at its bottom before it scrolls to where it opens.
            self._settling = False
            self._read_soon()
            return
        if self.open_at:
            # Read down to here: shown again (a reload), the list opens at its bottom.
            self.open_at = 0
        await self._now_looking(viewer_id)

    @rx.event
    @signed_in
    async def opening_above_bottom(self, viewer_id: int):
        """The list is shown and about to scroll to where it opens (conversation_pane.py)."""
        del viewer_id
        # Reported first: the "at the bottom" of that moment must not read everything.
        self._settling = True

    @rx.event
    @signed_in
    async def reader_scrolled_up(self, viewer_id: int):
        """The reader scrolled away from the newest message."""
        del viewer_id  # only a signed-in tab has a reading position
        if not self._scrolled_up:
            self._scrolled_up = True
        if self._settling:
            self._settling = False

    @rx.event
    @signed_in
    async def tab_visibility(self, viewer_id: int, hidden: bool):
        """The tab was hidden or shown again (`document.hidden`)."""
        # A hint, not a guarantee: clients may send anything.
        if not isinstance(hidden, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            return
        if self._tab_hidden != hidden:
            self._tab_hidden = hidden
        await self._now_looking(viewer_id)


def _first_from(seqs: list[int], seq: int) -> int:
    """The first of `seqs` (ascending) from `seq` on, or 0."""
    return next((shown for shown in seqs if shown >= seq), 0)
