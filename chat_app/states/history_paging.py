"""Paging through a conversation's history: older pages above, newer pages below.

A mixin of the conversation state. The list holds at most `WINDOW_MAX` messages: loading
older pages drops the newest ones, and a search result or a far-back place opens a page
short of the newest. The list then stops short of the newest messages (`has_newer`), and
the reader went on down only by jumping to the latest, skipping what lay between (a
reader of a long history found messages 2,701-2,950 of 3,000 out of reach after paging
back). "Load newer" appends the next page; the last one makes the list live again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import reflex as rx

from chat_app.services import history
from chat_app.services.views import HistoryPage, MessageView
from chat_app.states.message_buffer import MessageBuffer
from chat_app.states.service_call import call_service
from chat_app.states.viewer import signed_in

T = TypeVar("T")


# The scrolling message list (components/conversation_pane.py).
MESSAGE_LIST_ID = "message-list"


class HistoryPaging(rx.State, mixin=True):
    """The open conversation's "Load older" and "Load newer"."""

    if TYPE_CHECKING:  # the conversation state's and its other mixins'
        conversation_id: int
        has_older: bool
        has_newer: bool
        unseen: int
        _user_id: int | None
        _my_read_seq: int
        _scrolled_up: bool
        _settling: bool
        open_at: int

        def _buffer(self) -> MessageBuffer: ...

        def _change(self, change: Callable[[MessageBuffer], T]) -> T: ...

        def _for_me(
            self, views: list[MessageView] | tuple[MessageView, ...]
        ) -> list[MessageView]: ...

        def _hidden_read(self, seqs: Iterable[int], older: bool = False) -> None: ...

        async def _learn_people(
            self, messages: Iterable[MessageView], fresh: bool = False
        ) -> None: ...

        async def _show_paged_mentions(
            self, viewer_id: int, page: HistoryPage, newer: bool = False
        ) -> None: ...

        async def _count_reads(self, everything: bool = False) -> None: ...

    async def _shown_with(self, viewer_id: int, page: HistoryPage, newer: bool = False) -> None:
        """What a page loaded besides its messages: hidden rows, mentions, reads."""
        self._hidden_read(page.hidden_seqs, older=True)
        await self._show_paged_mentions(viewer_id, page, newer)
        await self._count_reads(everything=True)

    @rx.event
    @signed_in
    async def load_older(self, viewer_id: int):
        """Prepend the page before the oldest message shown."""
        stored = self._buffer().stored()
        if not self.conversation_id or not stored or not self.has_older:
            return None
        page = await call_service(
            history.history,
            viewer_id=viewer_id,
            conversation_id=self.conversation_id,
            before_seq=stored[0].seq,
        )
        await self._learn_people(page.messages)
        older = self._for_me(page.messages)
        # Nothing to scroll: the list's scroll origin is its bottom (the reader stays put).
        self._change(lambda buffer: buffer.show_older(older, page.has_older))
        await self._shown_with(viewer_id, page)
        return None

    @rx.event
    @signed_in
    async def load_newer(self, viewer_id: int):
        """Append the page after the newest message shown, while the list stops short."""
        stored = self._buffer().stored()
        if not self.conversation_id or not stored or not self.has_newer:
            return None
        last = stored[-1].seq
        # The page of the next PAGE_SIZE seqs (a page is read newest first, up to a seq).
        page = await call_service(
            history.history,
            viewer_id=viewer_id,
            conversation_id=self.conversation_id,
            before_seq=last + history.PAGE_SIZE + 1,
        )
        arrived = [message for message in page.messages if message.seq > last]
        await self._learn_people(arrived)
        newer = self._for_me(arrived)
        more = bool(newer) and newer[-1].seq < page.last_seq
        # Pushes that came while the list stopped short were left out; those stored before
        # this read are in the page, the later ones wait for this handler and then show.
        self._change(lambda buffer: buffer.show_newer(newer, more))
        await self._shown_with(viewer_id, page, newer=True)
        if not newer:
            return None
        # Scrolled at its bottom, the list would show the page's end: it opens at the page's
        # first message instead (its probe scrolls there, components/conversation_pane.py),
        # also when the page is reloaded. The list is at its bottom for a moment before it
        # scrolls there, which must neither read the page (the last one) nor drop the place
        # (`_settling`, as when a list opens above its bottom).
        self.open_at = newer[0].seq
        self._scrolled_up = self._settling = True
        if more:
            return None
        # Live again: what is unread below the reader counts on "↓ N new" until they are there.
        unread = sum(
            1
            for message in newer
            if message.seq > self._my_read_seq and message.sender_id != self._user_id
        )
        if self.unseen != unread:
            self.unseen = unread
        # The button is gone: the keyboard's focus goes to the list being read, not the page.
        return rx.set_focus(MESSAGE_LIST_ID)
