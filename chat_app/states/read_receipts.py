"""Reading: the reader's cursor moves to what was shown, and both sides hear of it.

A mixin of the conversation state (states/conversation.py), which holds what it reads:
the open conversation and its messages. Messages count as read only while the reader looks
(states/reader_position.py); a message that arrives while they do is read a second later,
once the update showing it has gone out, so delivery never waits for a commit, and stored
with the other reads of that moment (states/read_batch.py), so the tab never waits either.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import reflex as rx

from chat_app.realtime.notify_soon import notify_user_soon
from chat_app.realtime.push import notify_users, push_later, socket_id_of
from chat_app.services.errors import NotFound
from chat_app.services.read_views import ReadReceipt
from chat_app.states import read_batch
from chat_app.states.group_reads import note_group_read
from chat_app.states.message_buffer import MessageBuffer
from chat_app.states.tab_identity import tab_token
from chat_app.states.unread import UnreadState
from chat_app.states.viewer import viewer_id_of

# Read where it is shown at most once a second, however fast messages stream in.
READ_DELAY = 1.0
# How far each (user, conversation) is known to have read, in this process. A cursor only
# moves forward, so a tab whose newest shown message is at or below that has nothing to
# store: another tab of the user stored it already. With many tabs of one user on a
# conversation (a message to 1,000 tabs, `make bench PHASES=fanout`), most of their reads
# asked the database for nothing, a fifth of the fan-out's CPU. Missing or behind (another
# worker's reads, an entry dropped), a value only costs the query it would have saved.
_known_read: dict[tuple[int, int], int] = {}
KNOWN_READ_MAX = 10_000


class ReadReceipts(rx.State, mixin=True):
    """The tab's own read position and the friend's, as far as this tab knows."""

    friend_read_seq: int = 0
    _my_read_seq: int = 0

    if TYPE_CHECKING:  # the conversation state's, and ReaderPosition's
        conversation_id: int
        has_newer: bool
        is_group: bool
        unseen: int
        _user_id: int | None

        async def _count_reads(self, everything: bool = False) -> None: ...

        def _buffer(self) -> MessageBuffer: ...
        def _looking(self) -> bool: ...

    def _read_soon(self, forget_unread: bool = True) -> None:
        """Read what is shown in a second, if the reader is still looking then.

        Only over the same socket: a tab that reconnected meanwhile may never have got the
        update showing the messages; its new page reports what it shows itself.
        """
        tab = tab_token(self)
        read = functools.partial(_read_if_looking, forget_unread, socket_id_of(tab))
        push_later(("read", tab), READ_DELAY, tab, type(self), read)

    @rx.event
    async def mark_seen(self):
        """The open conversation is on screen: move the read cursor and tell the friend."""
        viewer_id = await viewer_id_of(self)
        if viewer_id is not None and self._looking():
            await self._read_to_end(viewer_id, forget_unread=True)
        if viewer_id is not None:
            # Sent after opening and after every catch-up: receipts missed meanwhile.
            await self._count_reads(everything=True)

    async def _read_to_end(self, viewer_id: int, forget_unread: bool, wait: bool = True) -> None:
        """Move the read cursor to the newest message shown and send the receipts.

        Args:
            viewer_id: The reader.
            forget_unread: Also clear the conversation's unread count (on opening it; a
                message read where it arrived was never counted).
            wait: Store it before returning; otherwise with the reads of the next moments
                (read_batch.mark_read_later), the tab's own position learnt from the
                process-wide `_known_read` meanwhile.
        """
        if not self.conversation_id or self.has_newer:
            return
        if self.unseen:  # everything shown is read: nothing is left below to point to
            self.unseen = 0
        last = self._buffer().last_seq()
        if forget_unread:
            (await self.get_state(UnreadState))._set(self.conversation_id, 0)
        known = (viewer_id, self.conversation_id)
        if last <= max(self._my_read_seq, _known_read.get(known, 0)):
            return
        told = functools.partial(
            _tell_of_read, known, last, type(self), tab_token(self), self.is_group
        )
        if not wait:
            read_batch.mark_read_later(
                viewer_id=viewer_id, conversation_id=self.conversation_id, up_to_seq=last, then=told
            )
            return
        try:
            receipt = await read_batch.mark_read(
                viewer_id=viewer_id, conversation_id=self.conversation_id, up_to_seq=last
            )
        except NotFound:
            return
        self._my_read_seq = last
        await told(receipt)

    async def _apply_receipt(self, receipt: ReadReceipt, for_reader: bool) -> None:
        if for_reader:
            unread = await self.get_state(UnreadState)
            unread._set(receipt.conversation_id, receipt.unread_left)
            if self.conversation_id == receipt.conversation_id:
                self._my_read_seq = max(self._my_read_seq, receipt.seq)
        elif self.conversation_id == receipt.conversation_id and receipt.seq > self.friend_read_seq:
            self.friend_read_seq = receipt.seq


async def _tell_of_read(
    known: tuple[int, int],
    last: int,
    state_class: type[ReadReceipts],
    own_tab: str,
    is_group: bool,
    receipt: ReadReceipt | None,
) -> None:
    """A read up to `last` is stored: remember it, and tell whom it concerns.

    Args:
        known: (reader, conversation).
        last: The seq read up to.
        state_class: The conversation state (the tabs told get a push to it).
        own_tab: The reading tab, which knows already.
        is_group: Whether the conversation is a group's.
        receipt: What moved (None: nothing, another tab had read that far).
    """
    _note_read(known, last)
    if receipt is None:
        return
    # Not shared while a block stands between the two (read_cursors.mark_read).
    if is_group:
        # Coalesced per conversation and told only to the senders it concerns.
        note_group_read(state_class, receipt)
    elif receipt.shared:
        await notify_users([receipt.friend_id], state_class, _receipt_arrived(receipt, False))
    # The reader's other tabs: looked up with the other reads of this moment.
    notify_user_soon(
        receipt.reader_id, state_class, _receipt_arrived(receipt, True), except_tab=own_tab
    )


def _note_read(known: tuple[int, int], seq: int) -> None:
    """Remember that a user's cursor in a conversation is at `seq` or beyond."""
    if _known_read.get(known, 0) < seq:
        _known_read.pop(known, None)  # re-inserted last: the oldest entries go first
        _known_read[known] = seq
        if len(_known_read) > KNOWN_READ_MAX:
            del _known_read[next(iter(_known_read))]


def _receipt_arrived(
    receipt: ReadReceipt, for_reader: bool
) -> Callable[[ReadReceipts], Awaitable[None]]:
    # A partial, not a closure: it may travel to the worker holding a tab's socket.
    return functools.partial(_show_receipt, receipt, for_reader)


async def _show_receipt(receipt: ReadReceipt, for_reader: bool, state: ReadReceipts) -> None:
    await state._apply_receipt(receipt, for_reader)


async def _read_if_looking(forget_unread: bool, socket_id: str | None, state: ReadReceipts) -> None:
    # The reader may have scrolled up or left the tab since, or its socket dropped (the
    # update showing the messages then went nowhere).
    if socket_id_of(tab_token(state)) != socket_id:
        return
    if state._user_id and state._looking():
        # Stored with the reads of the next moments: this push holds the tab's lock.
        await state._read_to_end(state._user_id, forget_unread=forget_unread, wait=False)
