"""The messages a tab shows, as state vars: the window, the live slots, pending copies, flags.

A mixin of the conversation state. Reflex re-sends a whole var when it is assigned, so the
tab keeps a `window` list (changes on open and "load older") and single-message slot vars
that new messages go into: a new message costs one slot on the wire, whatever the history
length. The slots form two banks that the page shows in `first_bank` order, then the
`pending` copies: the DOM order is the reading order. The rules live in `message_buffer.py`
(no Reflex); this class only hands the buffer its raw values once per change and assigns
back what the buffer changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx

from chat_app.services import history
from chat_app.services.views import MessageView
from chat_app.states.message_buffer import LIVE_SLOTS, MessageBuffer

WINDOW_MAX = 3 * history.PAGE_SIZE
# How many of the latest pushed messages a tab remembers, to take each only once.
RECENT_ARRIVALS = 64
T = TypeVar("T")


def slot_name(index: int) -> str:
    """The var holding live slot `index` (bank 0: 0 … LIVE_BANK-1, bank 1: the others)."""
    return f"live_{index}"


SLOT_NAMES = tuple(slot_name(index) for index in range(LIVE_SLOTS))


class LiveMessages(rx.State, mixin=True):
    """The window, the live slots and the flags the message list shows."""

    window: list[MessageView] = []
    # The live slots, live_0 … live_{LIVE_SLOTS - 1} (SLOT_NAMES; a test checks they match).
    live_0: MessageView | None = None
    live_1: MessageView | None = None
    live_2: MessageView | None = None
    live_3: MessageView | None = None
    live_4: MessageView | None = None
    live_5: MessageView | None = None
    live_6: MessageView | None = None
    live_7: MessageView | None = None
    live_8: MessageView | None = None
    live_9: MessageView | None = None
    live_10: MessageView | None = None
    live_11: MessageView | None = None
    live_12: MessageView | None = None
    live_13: MessageView | None = None
    live_14: MessageView | None = None
    live_15: MessageView | None = None
    live_16: MessageView | None = None
    live_17: MessageView | None = None
    live_18: MessageView | None = None
    live_19: MessageView | None = None
    live_20: MessageView | None = None
    live_21: MessageView | None = None
    live_22: MessageView | None = None
    live_23: MessageView | None = None
    live_24: MessageView | None = None
    live_25: MessageView | None = None
    live_26: MessageView | None = None
    live_27: MessageView | None = None
    live_28: MessageView | None = None
    live_29: MessageView | None = None
    live_30: MessageView | None = None
    live_31: MessageView | None = None
    live_32: MessageView | None = None
    live_33: MessageView | None = None
    live_34: MessageView | None = None
    live_35: MessageView | None = None
    live_36: MessageView | None = None
    live_37: MessageView | None = None
    live_38: MessageView | None = None
    live_39: MessageView | None = None
    live_40: MessageView | None = None
    live_41: MessageView | None = None
    live_42: MessageView | None = None
    live_43: MessageView | None = None
    live_44: MessageView | None = None
    live_45: MessageView | None = None
    live_46: MessageView | None = None
    live_47: MessageView | None = None
    live_48: MessageView | None = None
    live_49: MessageView | None = None
    live_50: MessageView | None = None
    live_51: MessageView | None = None
    live_52: MessageView | None = None
    live_53: MessageView | None = None
    live_54: MessageView | None = None
    live_55: MessageView | None = None
    live_56: MessageView | None = None
    live_57: MessageView | None = None
    live_58: MessageView | None = None
    live_59: MessageView | None = None
    # Which bank of slots the page shows first (0 or 1).
    first_bank: int = 0
    # Messages being sent ("sending" or "failed"), shown after the stored ones.
    pending: list[MessageView] = []
    has_messages: bool = False
    has_older: bool = False
    # The window stops short of the newest messages (after loading many older pages).
    has_newer: bool = False
    _browsing_older: bool = False
    # The buffer's `first_expected` (states/message_buffer.py).
    _first_expected: int = 0
    # (conversation, seq) of the latest messages pushed to this tab, any conversation.
    _recent_arrivals: tuple[tuple[int, int], ...] = ()

    def _first_arrival(self, conversation_id: int, seq: int) -> bool:
        """Whether this push of a message is its first here (and remember it).

        A push can come twice: the relay to another worker retries a PUBLISH whose reply
        was lost to a Redis restart, though Redis may have run it. The message list drops
        the copy, but the unread count, "N new" and the toast would count it again.
        Pushes of one conversation may arrive out of seq order (two senders on two
        workers), so this remembers seqs, not a high-water mark.
        """
        key = (conversation_id, seq)
        if key in self._recent_arrivals:
            return False
        self._recent_arrivals = (*self._recent_arrivals[1 - RECENT_ARRIVALS :], key)
        return True

    # The buffer gets the raw values (`__dict__`), read once per change: they hold frozen
    # dataclasses, so Reflex's change-tracking proxy is not needed, and reading through it
    # was a quarter of the server's CPU per message (`make bench`, py-spy). Only what the
    # buffer changed is assigned back, so Reflex re-sends only that.

    def _buffer(self) -> MessageBuffer:
        raw = self.__dict__
        return MessageBuffer(
            window=raw.get("window") or [],
            slots=[raw.get(name) for name in SLOT_NAMES],
            window_max=WINDOW_MAX,
            pending_copies=raw.get("pending") or [],
            first_bank=raw.get("first_bank", 0),
            has_messages=raw.get("has_messages", False),
            has_older=raw.get("has_older", False),
            has_newer=raw.get("has_newer", False),
            browsing_older=self._browsing_older,
            first_expected=self._first_expected,
            # A group's runs are marked (the header mixin's flag, states/group_header.py).
            marks_runs=raw.get("is_group", False),
        )

    def _stored(self) -> list[MessageView]:
        """The stored messages shown (not the pending copies), window first."""
        return self._buffer().stored()

    def _stored_seqs(self) -> list[int]:
        """The sequence numbers of the stored messages shown (not the pending copies)."""
        return [m.seq for m in self._stored()]

    def _change(self, change: Callable[[MessageBuffer], T]) -> T:
        """Run `change` on the buffer and assign back the vars it changed."""
        buffer = self._buffer()
        result = change(buffer)
        if buffer.window_changed:
            self.window = buffer.window
        for index in sorted(buffer.changed_slots):
            setattr(self, SLOT_NAMES[index], buffer.slots[index])
        if buffer.pending_changed:
            self.pending = buffer.pending_copies
        raw = self.__dict__
        for name in ("first_bank", "has_messages", "has_older", "has_newer"):
            if raw.get(name) != getattr(buffer, name):
                setattr(self, name, getattr(buffer, name))
        if self._browsing_older != buffer.browsing_older:
            self._browsing_older = buffer.browsing_older
        if self._first_expected != buffer.first_expected:
            self._first_expected = buffer.first_expected
        return result
