"""The messages a tab shows, as state vars: the window, the live slots and their flags.

A mixin of the conversation state. Reflex re-sends a whole var when it is assigned, so the
tab keeps a `window` list (changes on open and "load older") and single-message slot vars
that new messages go into: a new message costs one slot on the wire, whatever the history
length. The rules live in `message_buffer.py` (no Reflex); this class only hands the buffer
its raw values once per change and assigns back what the buffer changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx

from chat_app.services import history
from chat_app.services.views import MessageView
from chat_app.states.message_buffer import LIVE_SLOTS, LiveSlot, MessageBuffer

WINDOW_MAX = 3 * history.PAGE_SIZE
T = TypeVar("T")


def slot_name(index: int) -> str:
    """The var holding live slot `index`."""
    return f"live_{index}"


SLOT_NAMES = tuple(slot_name(index) for index in range(LIVE_SLOTS))


class LiveMessages(rx.State, mixin=True):
    """The window, the live slots and the flags the message list shows."""

    window: list[MessageView] = []
    # The live slots, live_0 … live_{LIVE_SLOTS - 1} (SLOT_NAMES; a test checks they match).
    live_0: LiveSlot | None = None
    live_1: LiveSlot | None = None
    live_2: LiveSlot | None = None
    live_3: LiveSlot | None = None
    live_4: LiveSlot | None = None
    live_5: LiveSlot | None = None
    live_6: LiveSlot | None = None
    live_7: LiveSlot | None = None
    live_8: LiveSlot | None = None
    live_9: LiveSlot | None = None
    live_10: LiveSlot | None = None
    live_11: LiveSlot | None = None
    live_12: LiveSlot | None = None
    live_13: LiveSlot | None = None
    live_14: LiveSlot | None = None
    live_15: LiveSlot | None = None
    live_16: LiveSlot | None = None
    live_17: LiveSlot | None = None
    live_18: LiveSlot | None = None
    live_19: LiveSlot | None = None
    live_20: LiveSlot | None = None
    live_21: LiveSlot | None = None
    live_22: LiveSlot | None = None
    live_23: LiveSlot | None = None
    live_24: LiveSlot | None = None
    live_25: LiveSlot | None = None
    live_26: LiveSlot | None = None
    live_27: LiveSlot | None = None
    live_28: LiveSlot | None = None
    live_29: LiveSlot | None = None
    has_messages: bool = False
    has_older: bool = False
    # The window stops short of the newest messages (after loading many older pages).
    has_newer: bool = False
    _browsing_older: bool = False
    _pending_count: int = 0

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
            has_messages=raw.get("has_messages", False),
            has_older=raw.get("has_older", False),
            has_newer=raw.get("has_newer", False),
            browsing_older=self._browsing_older,
            pending_count=self._pending_count,
        )

    def _change(self, change: Callable[[MessageBuffer], T]) -> T:
        """Run `change` on the buffer and assign back the vars it changed."""
        buffer = self._buffer()
        result = change(buffer)
        if buffer.window_changed:
            self.window = buffer.window
        for index in sorted(buffer.changed_slots):
            setattr(self, SLOT_NAMES[index], buffer.slots[index])
        raw = self.__dict__
        for name in ("has_messages", "has_older", "has_newer"):
            if raw.get(name) != getattr(buffer, name):
                setattr(self, name, getattr(buffer, name))
        self._browsing_older = buffer.browsing_older
        self._pending_count = buffer.pending_count
        return result
