"""The places the tab's user left in each conversation, and the reading line of the open one.

The places (where the reader was, the draft left there; `place_entries.py` has the rules)
live in the tab's browser storage, like the outbox: a restarted or another server still
knows them, and logout forgets them.

The reading line: while the reader is scrolled up, every message row reports when its top
crosses a line just under the list's top (components/reading_line.py, CSS only). The rows
above the line are the ones read past; the greatest of their seqs is the message being
read, which is the place kept when the reader leaves the conversation. Only small backend
vars change: nothing goes back to the browser.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, cast

import reflex as rx

from chat_app.services import history, read_cursors
from chat_app.services.views import HistoryPage
from chat_app.states.live_messages import WINDOW_MAX
from chat_app.states.place_entries import BOTTOM, Place, Places, joined, read
from chat_app.states.service_call import call_service
from chat_app.states.viewer import signed_in

_MAX_SEQ = 2**63
S = TypeVar("S", bound=type[rx.State])
# Messages shown before the one a conversation opens at, when older ones had to be loaded.
CONTEXT = 10


class DraftHolder(Protocol):
    """The composer's state, as the places use it when the tab changes conversation."""

    draft: str

    def _show_draft(self, text: str) -> None: ...


# The composer's state class (composer.py registers it; it imports the conversation state,
# which imports this module, so importing it here would be a cycle). Its draft belongs to the
# open conversation.
_draft_holders: list[type[rx.State]] = []


def keeps_drafts(cls: S) -> S:
    """Register the state whose `draft` follows the open conversation (a class decorator)."""
    _draft_holders.append(cls)
    return cls


async def draft_holder(state: rx.State) -> DraftHolder | None:
    """The tab's composer state, for states its module imports (None before it registers)."""
    return cast(DraftHolder, await state.get_state(_draft_holders[0])) if _draft_holders else None


async def opening_page(
    viewer_id: int, page: HistoryPage, anchor: int, reach: bool = False, newest: bool = False
) -> tuple[HistoryPage, int, bool, int]:
    """The page a conversation opens with, and where its unread messages start.

    A place the reader left further back than the window's bound (a search result they
    went to, a long scroll up) is reached as a search result is, unless messages newer
    than it are unread: then the list opens at those (it opened at neither before, but
    at the oldest of the newest messages the window holds). More unread messages than
    the window holds open at the first of them too, a page short of the newest ("Load
    newer" goes on down): the newest page alone left the first ones unseen, and read.

    Args:
        viewer_id: The reader.
        page: The newest page.
        anchor: Where the reader was (a seq), else BOTTOM: then the first unread message.
        reach: The anchor must be shown (a search result) even beyond the window's bound.
        newest: The newest messages are asked for ("↓ Latest"): never a page short of them.

    Returns:
        `page`, or the newest messages from a few before where it opens on, within the
        window's bound (further back, a page short of the newest messages: ending a few
        after the anchor reached, or starting a few before the first unread message);
        the seq of the first unread message (0: none); whether the page stops short; and
        the anchor it opens at (BOTTOM: at the first unread message, if any).
    """
    first_unread = 0
    if page.my_read_seq < page.last_seq:
        first_unread = await call_service(
            read_cursors.first_unread, viewer_id=viewer_id, conversation_id=page.conversation_id
        )
    if anchor and not reach and page.last_seq - anchor + 1 + CONTEXT > WINDOW_MAX:
        if first_unread > anchor:
            anchor = BOTTOM
        else:
            reach = True
    seq = anchor or first_unread
    if not seq or not page.has_older or not page.messages or seq >= page.messages[0].seq:
        return page, first_unread, False, anchor
    span = page.last_seq - seq + 1 + CONTEXT
    short = span > WINDOW_MAX and (reach or not newest)
    # A result is shown near the page's end, below what led to it; the first unread near
    # its start, above what follows it.
    after = seq + CONTEXT + 1 if reach else seq - CONTEXT + history.PAGE_SIZE
    wider = await call_service(
        history.history,
        viewer_id=viewer_id,
        conversation_id=page.conversation_id,
        before_seq=after if short else None,
        limit=history.PAGE_SIZE if short else min(span, WINDOW_MAX),
    )
    return wider, first_unread, short, anchor


def seq_or_none(value: object) -> int | None:
    """A seq a client sent, if plausible (a client may send anything), else None."""
    return value if type(value) is int and 0 < value < _MAX_SEQ else None


class PlaceState(rx.State):
    """The kept places (browser storage) and the open conversation's reading line."""

    # Browser storage (ARCHITECTURE §6c): travels in every reconnect, settable by any client.
    places: str = rx.SessionStorage("", name="chat_places")
    # The last value this server wrote, and whether it wrote one: newer than the browser's
    # copy, which comes back at each hydrate and may be stale.
    _written: str = ""
    _wrote: bool = False
    # The conversation the reading line belongs to, and the greatest seq whose row's top is
    # above the line (0: none known).
    _line_conversation: int = 0
    _line: int = 0

    def _read(self, user_id: int) -> Places:
        """The user's places (another user's entries are left out, and gone at the next write)."""
        return read(self._written if self._wrote else self.places, user_id)

    def _write(self, places: Places) -> None:
        """Keep `places` in browser storage (only a changed value goes on the wire)."""
        value = places.encode()
        self._written, self._wrote = value, True
        if self.places != value:
            self.places = value

    def _anchor_of(self, user_id: int, conversation_id: int) -> int:
        """Where the user was in a conversation they left (a seq), or BOTTOM."""
        kept = self._read(user_id).find(conversation_id)
        return kept.anchor if kept is not None else BOTTOM

    async def _switch(self, user_id: int, left: int, anchor: int, opened: int) -> str:
        """Keep the conversation left's place and draft; give the composer the opened one's.

        Args:
            user_id: The tab's user.
            left: The conversation left (0: none); the composer's draft is its.
            anchor: Where the reader was in it (a seq), or BOTTOM.
            opened: The conversation opened (0: none).

        Returns:
            "" when done, else the i18n key of why nothing changed.
        """
        places = self._read(user_id)
        holder = await draft_holder(self)
        draft = holder.draft if holder is not None else ""
        if left:
            if not places.keep(Place(user_id, left, anchor, draft)):
                return "drafts_full"
            draft = ""
        returning = places.find(opened)
        # Text in the composer while nothing was open (a message that bounced) stays too.
        shown = joined(returning.draft if returning is not None else "", draft)
        if shown is None:
            return "drafts_not_joined"
        places.take(opened)
        if holder is not None:
            holder._show_draft(shown)
        self._write(places)
        return ""

    def _forget(self) -> None:
        """Empty the places (logout)."""
        self._written, self._wrote = "", True
        if self.places:
            self.places = ""
        self._follow_line(0)

    def _follow_line(self, conversation_id: int) -> None:
        """A list was shown: nothing is known of its reading line yet."""
        self._line_conversation, self._line = conversation_id, 0

    def _line_in(self, conversation_id: int) -> int:
        """The greatest seq known to be above the reading line of a conversation (0: none)."""
        return self._line if self._line_conversation == conversation_id else 0

    @rx.event
    @signed_in
    async def line_above(self, viewer_id: int, conversation_id: int, seq: int):
        """A row's top went above the reading line (sent for the last of a burst)."""
        del viewer_id  # only a signed-in tab has a reading line
        row = seq_or_none(seq)
        if row is not None and conversation_id == self._line_conversation:
            # The rows before it are above too: the line is at this row, or further down.
            self._line = max(self._line, row)

    @rx.event
    @signed_in
    async def line_below(self, viewer_id: int, conversation_id: int, seq: int):
        """A row's top went below the reading line (sent for the first of a burst)."""
        del viewer_id
        row = seq_or_none(seq)
        if row is not None and conversation_id == self._line_conversation:
            # The rows after it are below too: the line is above this row.
            self._line = min(self._line, row - 1)
