"""The messages one tab shows, on plain data: a window of pages plus a ring of live slots.

Reflex re-sends a whole var when it is assigned, so a tab keeps a `window` list (changes on
open and "load older") and LIVE_SLOTS single-message slots that new messages go into: a new
message costs one slot on the wire, whatever the history length. This module holds the rules
(dedupe, holes, pending copies, eviction, folding) without Reflex; the state hands it its raw
values once per event and assigns back only what `changed_slots` / `window_changed` name.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chat_app.services.views import MessageView

LIVE_SLOTS = 30
# Unacknowledged messages sort after every stored one (CSS order is a 32-bit integer).
PENDING_ORDER = 2**30

Prepare = Callable[[list[MessageView]], list[MessageView]]


@dataclass(frozen=True)
class LiveSlot:
    """A message in the live ring and where the page shows it (`order`: seq, or after all)."""

    order: int
    message: MessageView


def _seq(message: MessageView) -> int:
    return message.seq


def _unchanged(views: list[MessageView]) -> list[MessageView]:
    return views


def contiguous_end(seqs: list[int]) -> int:
    """The last seq before the first hole in sorted `seqs` (catch up from there)."""
    for before, after in itertools.pairwise(seqs):
        if after != before + 1:
            return before
    return seqs[-1] if seqs else 0


@dataclass
class MessageBuffer:
    """One tab's window and live ring; every operation records which parts it changed.

    Lists handed in are never mutated (the ring is copied, the window replaced), so the
    caller's values (a state's raw vars) stay as they were until it assigns the changed
    parts back.
    """

    window: list[MessageView]
    slots: list[LiveSlot | None]
    # At most this many messages in the window.
    window_max: int
    has_messages: bool = False
    has_older: bool = False
    # The window stops short of the newest messages (after loading many older pages).
    has_newer: bool = False
    # The reader is up in older pages: evicted slots then join the window.
    browsing_older: bool = False
    # How many pending copies this tab has shown (their order after every stored message).
    pending_count: int = 0
    window_changed: bool = False
    changed_slots: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.slots = list(self.slots)

    # ----- reading -----

    def live(self) -> list[MessageView]:
        """The ring's messages in display order."""
        slots = [slot for slot in self.slots if slot is not None]
        return [slot.message for slot in sorted(slots, key=lambda slot: slot.order)]

    def stored(self) -> list[MessageView]:
        """Stored messages (not pending copies), window first."""
        return [m for m in (*self.window, *self.live()) if m.seq > 0]

    def stored_seqs(self) -> list[int]:
        """The seqs of the stored messages, sorted."""
        return sorted(m.seq for m in self.stored())

    def last_seq(self) -> int:
        """The newest seq held (the window is older than every slot)."""
        in_ring = [slot.message.seq for slot in self.slots if slot is not None]
        return max(in_ring, default=self.window[-1].seq if self.window else 0)

    def catch_up_after(self) -> int:
        """From the first hole: a push that arrived ahead of a missing one is already shown."""
        return contiguous_end(self.stored_seqs())

    def holds(self, message: MessageView) -> bool:
        """The same message (same seq, or same sender and client id) is already shown."""

        def same(m: MessageView) -> bool:
            return m.seq == message.seq or (
                m.sender_id == message.sender_id and m.client_id == message.client_id
            )

        in_ring = any(same(slot.message) for slot in self.slots if slot is not None)
        return in_ring or any(map(same, self.window))

    def pending(self, client_id: str) -> MessageView | None:
        """The unacknowledged copy with this client id, if shown."""
        index = self._pending_slot(client_id)
        slot = self.slots[index] if index is not None else None
        return slot.message if slot is not None else None

    # ----- changing -----

    def add(self, incoming: Iterable[MessageView], prepare: Prepare = _unchanged) -> bool:
        """Put stored messages into the ring in seq order (duplicates dropped).

        `prepare` adapts the new ones before they are kept (e.g. signs links). Returns False
        when a message is missing before them (the tab then catches up).
        """
        fresh = prepare(sorted((m for m in incoming if not self.holds(m)), key=_seq))
        for message in fresh:
            self._set_slot(self._free_slot(), LiveSlot(order=message.seq, message=message))
        seqs = self.stored_seqs()
        return contiguous_end(seqs) == (seqs[-1] if seqs else 0)

    def show_pending(self, message: MessageView) -> None:
        """Show an unacknowledged message after every stored one."""
        self.pending_count += 1
        slot = LiveSlot(order=PENDING_ORDER + self.pending_count, message=message)
        self._set_slot(self._free_slot(), slot)

    def replace_pending(self, client_id: str, replacement: MessageView | None) -> None:
        """Change an unacknowledged message in its slot (its stored copy takes its place)."""
        index = self._pending_slot(client_id)
        if index is None:
            return
        current = self.slots[index]
        if replacement is None or current is None:
            self._set_slot(index, None)
            return
        order = replacement.seq if replacement.seq > 0 else current.order
        self._set_slot(index, LiveSlot(order=order, message=replacement))

    def acknowledge(
        self, client_id: str, stored: MessageView, prepare: Prepare = _unchanged
    ) -> None:
        """The message sent with `client_id` was stored as `stored`: show it once, as sent."""
        if self._pending_slot(client_id) is None:
            self.add([stored], prepare)
        elif any(m.seq == stored.seq for m in self.stored()):
            # A catch-up already showed the stored copy.
            self.replace_pending(client_id, None)
        else:
            (kept,) = prepare([stored])
            self.replace_pending(client_id, kept)

    def show_page(self, messages: list[MessageView], has_older: bool) -> None:
        """Show the newest page; unacknowledged messages stay visible below it."""
        self._set_window(messages)
        self._take_slots(stored_only=True)
        self.has_messages = bool(self.window) or bool(self.live())
        self.has_older = has_older
        self.has_newer = False
        self.browsing_older = False

    def show_older(self, older: list[MessageView], has_older: bool) -> None:
        """Prepend an older page, keeping at most `window_max` messages (the oldest)."""
        self.browsing_older = True
        self._fold()
        merged = [*older, *self.window]
        if len(merged) > self.window_max:
            # Keep state bounded: drop the newest; "jump to latest" brings them back.
            merged = merged[: self.window_max]
            self.has_newer = True
        self._set_window(merged)
        self.has_messages = True
        self.has_older = has_older

    def clear(self) -> None:
        """Show nothing (the conversation closed)."""
        self._set_window([])
        self._take_slots(stored_only=False)
        self.has_older = self.has_newer = self.has_messages = False

    # ----- inside -----

    def _set_window(self, messages: list[MessageView]) -> None:
        self.window = messages
        self.window_changed = True

    def _set_slot(self, index: int, value: LiveSlot | None) -> None:
        self.slots[index] = value
        self.changed_slots.add(index)
        self.has_messages = value is not None or bool(self.window) or any(self.slots)

    def _free_slot(self) -> int:
        """An empty slot, or the one of the oldest stored message, which leaves the ring."""
        if None in self.slots:
            return self.slots.index(None)
        occupied = [slot for slot in self.slots if slot is not None]
        oldest = min(range(len(occupied)), key=lambda index: occupied[index].order)
        leaving = occupied[oldest].message
        if self.browsing_older:
            # The reader is up in older pages: keep what they may scroll back down to.
            self._set_window([*self.window, leaving][-self.window_max :])
            self.has_older = True
        elif self.window:
            # The window is older than every slot: dropping it keeps the list contiguous
            # (one short delta); "load older" brings it back.
            self._set_window([])
            self.has_older = True
        elif leaving.seq > 0:
            self.has_older = True
        return oldest

    def _fold(self) -> None:
        """Move the ring's stored messages into the window (before loading older pages)."""
        moved = self._take_slots(stored_only=True)
        if moved:
            self._set_window([*self.window, *moved])

    def _take_slots(self, stored_only: bool) -> list[MessageView]:
        """Empty the ring, or only the slots of stored messages if `stored_only`.

        Returns the stored messages taken out, in seq order. Callers keep `has_messages`
        right.
        """
        taken = []
        for index, slot in enumerate(self.slots):
            if slot is None or (stored_only and slot.message.seq == 0):
                continue
            self.slots[index] = None
            self.changed_slots.add(index)
            if slot.message.seq > 0:
                taken.append(slot.message)
        return sorted(taken, key=_seq)

    def _pending_slot(self, client_id: str) -> int | None:
        for index, slot in enumerate(self.slots):
            if slot is not None and slot.message.seq == 0 and slot.message.client_id == client_id:
                return index
        return None
