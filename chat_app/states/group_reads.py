"""The "Read by N" of the sender's own messages in the open group, "Read" when all have.

A mixin of the conversation state. The tab holds counts only for its own messages on
screen, and compactly: a message every current other member has read implies the same
for each own message before it (their cursors are past it, and whoever joined before the
older one joined before the newer), so `reads_all_upto` covers those, and `read_counts`
holds only the few own messages read by some but not all. A push re-sends those two vars:
their size depends on the messages on screen, never on the group's size.

Sending side: a member's read (states/read_receipts.py) goes into its conversation's
room in this process; at most once every `RECEIPT_INTERVAL` the room tells the senders of
the messages those reads covered, and only those (services/group_reads.py). Receiving
side: the tab notes how far reads went and recounts at most once every
`RECEIPT_INTERVAL` (states/tab_pace.py), and only when one of its own messages on screen
is not yet read by all.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import reflex as rx

from chat_app.realtime import timers
from chat_app.realtime.push import notify_users
from chat_app.services import group_reads
from chat_app.services.errors import NotFound
from chat_app.services.group_reads import READ_BY_ALL
from chat_app.services.read_views import ReadReceipt
from chat_app.states.message_buffer import MessageBuffer
from chat_app.states.service_call import call_service
from chat_app.states.tab_pace import wait_before_showing

logger = logging.getLogger(__name__)

RECEIPT_INTERVAL = 1.0


@dataclass
class _Room:
    """The reads in one conversation this process has yet to tell the senders of."""

    # The conversation state (`Any`: a push's change names the mixin, the class differs).
    state_class: type[Any]
    after_seq: int
    up_to_seq: int
    # The reads others may hear of (the readers still members), by reader: whom each is
    # hidden from (a block). A sender hears if one of them is not hidden from them; the
    # recount leaves out blocked readers again for each sender.
    readers: dict[int, frozenset[int]] = field(default_factory=dict)

    def heard_by(self, sender_id: int) -> bool:
        """Whether one of the reads may be told to this sender (a current member)."""
        return any(
            sender_id != reader and sender_id not in hidden
            for reader, hidden in self.readers.items()
        )


_rooms: dict[int, _Room] = {}
_pushed_at: dict[int, float] = {}


def note_group_read(state_class: type[Any], receipt: ReadReceipt) -> None:
    """A member read a group up to `receipt.seq`: tell the senders within a second.

    Args:
        state_class: The conversation state (its tabs get the push).
        receipt: The read, as read_cursors.mark_read returned it.
    """
    if not receipt.told:
        return
    cid = receipt.conversation_id
    room = _rooms.get(cid)
    if room is None:
        room = _rooms[cid] = _Room(state_class, receipt.previous_seq, receipt.seq)
    room.after_seq = min(room.after_seq, receipt.previous_seq)
    room.up_to_seq = max(room.up_to_seq, receipt.seq)
    room.readers[receipt.reader_id] = receipt.hidden_from
    delay = max(_pushed_at.get(cid, float("-inf")) + RECEIPT_INTERVAL - time.monotonic(), 0.0)
    timers.start_once(("group-reads", cid), delay, functools.partial(_push_room, cid))


async def _push_room(conversation_id: int) -> None:
    room = _rooms.pop(conversation_id, None)
    if room is None:
        return
    _pushed_at.pop(conversation_id, None)  # re-inserted last: the oldest entries go first
    _pushed_at[conversation_id] = time.monotonic()
    if len(_pushed_at) > 10_000:
        del _pushed_at[next(iter(_pushed_at))]
    try:
        senders = await call_service(
            group_reads.senders_between,
            conversation_id=conversation_id,
            after_seq=room.after_seq,
            up_to_seq=room.up_to_seq,
        )
    except Exception:
        logger.exception("finding whom a read concerns failed")
        return
    change = functools.partial(_reads_moved, conversation_id, room.up_to_seq)
    told = sorted(sender for sender in senders if room.heard_by(sender))
    await notify_users(told, room.state_class, change)


async def _reads_moved(conversation_id: int, up_to_seq: int, state: GroupReads) -> None:
    """A push: members read up to `up_to_seq` (a module-level partial: it pickles)."""
    if state.conversation_id == conversation_id and state.is_group:
        state._reads_to_count = max(state._reads_to_count, up_to_seq)
        await state._count_reads()


async def _refresh_reads(state: GroupReads) -> None:
    """The paced refresh: recount what reads moved meanwhile."""
    await state._count_reads()


class GroupReads(rx.State, mixin=True):
    """How far the open group's members have read the tab's own messages."""

    # Every own message up to this seq is read by all current other members ("Read").
    reads_all_upto: int = 0
    # Own messages after it read by some: seq → how many ("Read by N").
    read_counts: dict[int, int] = {}
    # Reads were pushed up to this seq and not counted yet (0: none).
    _reads_to_count: int = 0
    # Every own message on screen is to be counted afresh (opened, caught up, older shown).
    _reads_recount: bool = False
    _reads_shown_at: float = 0.0

    if TYPE_CHECKING:  # the conversation state's
        conversation_id: int
        is_group: bool
        _user_id: int | None

        def _buffer(self) -> MessageBuffer: ...

    def _own_shown(self) -> list[int]:
        """The seqs of the tab's own stored messages on screen, oldest first."""
        me = self._user_id
        return [m.seq for m in self._buffer().stored() if m.sender_id == me and m.seq > 0]

    async def _count_reads(self, everything: bool = False) -> None:
        """Count who read the own messages on screen, at most one update a second.

        Args:
            everything: Count every own message on screen afresh (the tab opened the
                group, caught up or showed older messages); otherwise only when a read
                reached an own message not yet read by all.
        """
        if not self.is_group or not self._user_id or not self.conversation_id:
            self._clear_flags()
            return
        if everything:
            self._reads_recount = True
        own = self._own_shown()
        full = self._reads_recount
        if not full:
            reached = self._reads_to_count
            if not any(self.reads_all_upto < seq <= reached for seq in own):
                self._reads_to_count = 0
                return
            own = [seq for seq in own if seq > self.reads_all_upto]
        # Counted now or by the refresh this schedules (which finds the flags as left).
        if wait_before_showing(self, "_reads_shown_at", RECEIPT_INTERVAL, _refresh_reads):
            return
        self._reads_to_count, self._reads_recount = 0, False
        if not own:
            self._show_counts(0, {})
            return
        try:
            counts = await call_service(
                group_reads.read_counts,
                viewer_id=self._user_id,
                conversation_id=self.conversation_id,
                seqs=own[-group_reads.SEQS_MAX :],
            )
        except NotFound:
            return
        read_by_all = [seq for seq, count in counts.items() if count == READ_BY_ALL]
        upto = max([*read_by_all, 0 if full else self.reads_all_upto])
        self._show_counts(upto, {s: n for s, n in counts.items() if s > upto and n > 0})

    def _show_counts(self, upto: int, counts: dict[int, int]) -> None:
        # Only what changed: an assigned var is re-sent even when its value is the same.
        if self.reads_all_upto != upto:
            self.reads_all_upto = upto
        if self.read_counts != counts:
            self.read_counts = counts

    def _clear_flags(self) -> None:
        # Only if set: every one-to-one chat's opening and reading comes here.
        if self._reads_to_count or self._reads_recount:
            self._reads_to_count, self._reads_recount = 0, False

    def _clear_reads(self) -> None:
        self._clear_flags()
        self._show_counts(0, {})
