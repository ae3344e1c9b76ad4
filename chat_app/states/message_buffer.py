"""The messages one tab shows, on plain data: a window, two banks of live slots, pending copies.

Reflex re-sends a whole var when it is assigned, so a tab keeps a `window` list (changes on
open and "load older") and LIVE_SLOTS single-message slots that new messages go into: a new
message costs one slot on the wire, whatever the history length.

The page shows the window, then the two banks of LIVE_BANK slots (`first_bank` first), then
the copies still being sent: the DOM order is the reading order (screen readers, keyboard
focus, selection, find-in-page), with no CSS `order`. Stored messages fill the slots in seq
order. When both banks are full, the first is emptied (its messages leave the view, as the
window does) and shown second: LIVE_BANK nulls once per LIVE_BANK messages, where folding the
slots into the window would re-send every message once more.

This module holds the rules (dedupe, holes, pending copies, turning the banks over, folding)
without Reflex; the state hands it its raw values once per event and assigns back only what
`changed_slots`, `window_changed` and `pending_changed` name, and `first_bank` if it moved.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from chat_app.services.views import MessageView

LIVE_BANK = 30
LIVE_SLOTS = 2 * LIVE_BANK
# A tab keeps at most this many copies being sent: the oldest goes (its acknowledgement then
# adds the stored copy), so a stream of failed sends cannot grow the state.
PENDING_MAX = LIVE_BANK

# The slot indices in the order the page shows them, for first_bank 0 and 1.
_SHOWN_ORDER = (
    tuple(range(LIVE_SLOTS)),
    (*range(LIVE_BANK, LIVE_SLOTS), *range(LIVE_BANK)),
)

Prepare = Callable[[list[MessageView]], list[MessageView]]


def _seq(message: MessageView) -> int:
    return message.seq


def _unchanged(views: list[MessageView]) -> list[MessageView]:
    return views


def leads_run(previous: MessageView | None, message: MessageView) -> bool:
    """Whether `message` starts a run of one sender's messages (it shows their name).

    It does after another sender's message or a system line, and when the message before it
    is not shown (a hole, or the top of the list): a reader always sees whose run it is.
    """
    if message.kind == "system":
        return False
    return (
        previous is None
        or previous.seq != message.seq - 1
        or previous.sender_id != message.sender_id
        or previous.kind == "system"
    )


def contiguous_end(seqs: list[int]) -> int:
    """The last seq before the first hole in sorted `seqs` (catch up from there)."""
    for before, after in itertools.pairwise(seqs):
        if after != before + 1:
            return before
    return seqs[-1] if seqs else 0


def _holed(seqs: list[int]) -> bool:
    """Whether sorted `seqs`, each once, skip a number (checked on every message shown)."""
    return bool(seqs) and seqs[-1] - seqs[0] != len(seqs) - 1


@dataclass
class MessageBuffer:
    """One tab's window, live banks and pending copies; every operation records what changed.

    Lists handed in are never mutated (the slots are copied, the window and the pending
    copies replaced), so the caller's values (a state's raw vars) stay as they were until it
    assigns the changed parts back.

    The stored messages in the slots are in seq order, read from the first bank on, and fill
    a prefix of that order.
    """

    window: list[MessageView]
    slots: list[MessageView | None]
    # At most this many messages in the window.
    window_max: int
    # Unacknowledged messages ("sending" or "failed"), shown after every stored one.
    pending_copies: list[MessageView] = field(default_factory=list)
    # Which bank the page shows first: 0 (slots 0 … LIVE_BANK-1) or 1 (the others).
    first_bank: int = 0
    has_messages: bool = False
    has_older: bool = False
    # The window stops short of the newest messages (after loading many older pages).
    has_newer: bool = False
    # The reader is up in older pages: messages leaving the banks then join the window.
    browsing_older: bool = False
    # A group's timeline: stored messages are marked `lead` where a sender's run starts.
    marks_runs: bool = False
    # The seq the tab shows first when its page showed nothing (else 0: the window anchors
    # the order), until that message is here. A message pushed after one that never arrived
    # is then a hole too, and the tab catches up instead of showing the second one alone.
    first_expected: int = 0
    window_changed: bool = False
    pending_changed: bool = False
    changed_slots: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.slots = list(self.slots)

    # ----- reading -----

    def _in_banks(self) -> list[MessageView]:
        """The stored messages in the slots, in the order shown."""
        slots = self.slots
        return [m for index in _SHOWN_ORDER[self.first_bank] if (m := slots[index]) is not None]

    def live(self) -> list[MessageView]:
        """The messages after the window, in display order (pending copies last)."""
        return [*self._in_banks(), *self.pending_copies]

    def stored(self) -> list[MessageView]:
        """Stored messages (not pending copies), window first."""
        return [*self.window, *self._in_banks()]

    def stored_seqs(self) -> list[int]:
        """The seqs of the stored messages, sorted."""
        seqs = [m.seq for m in self.stored()]
        seqs.sort()
        return seqs

    def last_seq(self) -> int:
        """The newest seq held (the window is older than every slot)."""
        in_banks = self._in_banks()
        if in_banks:
            return in_banks[-1].seq
        return self.window[-1].seq if self.window else 0

    def catch_up_after(self) -> int:
        """From the first hole: a push that arrived ahead of a missing one is already shown."""
        return contiguous_end(self._anchored_seqs())

    def has_hole(self) -> bool:
        """A stored message is missing before the newest one shown."""
        return _holed(self._anchored_seqs())

    def _anchored_seqs(self) -> list[int]:
        """The stored seqs, sorted, from the one before `first_expected` while it is set."""
        seqs = self.stored_seqs()
        first = self.first_expected
        return [first - 1, *(seq for seq in seqs if seq >= first)] if first else seqs

    def holds(self, message: MessageView) -> bool:
        """The same message (same seq, or same sender and client id) is already shown.

        A stored message's seq stands for its sender and client id (a unique index), so
        only the pending copies are compared by client id. A new message is usually newer
        than every stored one: then no stored message is compared at all, where one call
        per message shown cost 3 % of the worker's CPU at 300 msg/s (py-spy).
        """
        sender_id, client_id = message.sender_id, message.client_id
        for copy in self.pending_copies:
            if copy.sender_id == sender_id and copy.client_id == client_id:
                return True
        seq = message.seq
        if seq > self.last_seq():
            return False
        return any(m is not None and m.seq == seq for m in self.slots) or any(
            m.seq == seq for m in self.window
        )

    def pending(self, client_id: str) -> MessageView | None:
        """The unacknowledged copy with this client id, if shown."""
        index = self._pending_index(client_id)
        return self.pending_copies[index] if index is not None else None

    # ----- changing -----

    def add(self, incoming: Iterable[MessageView], prepare: Prepare = _unchanged) -> bool:
        """Put stored messages into the banks in seq order (duplicates dropped).

        `prepare` adapts the new ones before they are kept (e.g. signs links). Returns False
        when a message is missing before them (the tab then catches up).
        """
        fresh: dict[int, MessageView] = {}
        for message in incoming:
            if message.seq not in fresh and not self.holds(message):
                fresh[message.seq] = message
        for message in prepare(sorted(fresh.values(), key=_seq)):
            self._place(message)
        seqs = self._anchored_seqs()
        whole = not _holed(seqs)
        if whole and len(seqs) > 1:
            self.first_expected = 0  # here: from now on the stored messages anchor the order
        return whole

    def show_pending(self, message: MessageView) -> None:
        """Show an unacknowledged message after every stored one."""
        self._set_pending([*self.pending_copies, message][-PENDING_MAX:])

    def show_unsent(self, copies: list[MessageView]) -> None:
        """Show exactly these unacknowledged copies (an outbox's), minus those stored already."""
        stored = {(m.sender_id, m.client_id) for m in self.stored()}
        kept = [copy for copy in copies if (copy.sender_id, copy.client_id) not in stored]
        kept = kept[-PENDING_MAX:]
        if kept != self.pending_copies:
            self._set_pending(kept)

    def replace_pending(self, client_id: str, replacement: MessageView | None) -> None:
        """Change an unacknowledged copy in place, or drop it (a stored copy goes in the banks)."""
        index = self._pending_index(client_id)
        if index is None:
            return
        copies = self.pending_copies
        if replacement is not None and replacement.seq == 0:
            self._set_pending([*copies[:index], replacement, *copies[index + 1 :]])
            return
        self._set_pending([*copies[:index], *copies[index + 1 :]])
        if replacement is not None:
            self._place(replacement)

    def put_pending(self, client_id: str, copy: MessageView) -> None:
        """Show `copy` in place of the copy sent as `client_id`, or last if none is shown."""
        if self._pending_index(client_id) is None:
            self.show_pending(copy)
        else:
            self.replace_pending(client_id, copy)

    def acknowledge(
        self, client_id: str, stored: MessageView, prepare: Prepare = _unchanged
    ) -> None:
        """The message sent with `client_id` was stored as `stored`: show it once, as sent."""
        if self._pending_index(client_id) is None:
            self.add([stored], prepare)
        elif any(m.seq == stored.seq for m in self.stored()):
            # A catch-up already showed the stored copy.
            self.replace_pending(client_id, None)
        else:
            (kept,) = prepare([stored])
            self.replace_pending(client_id, kept)

    def show_page(self, messages: list[MessageView], has_older: bool, last_seq: int = 0) -> None:
        """Show the newest page; unacknowledged messages stay visible below it.

        `last_seq` is the conversation's newest seq as read with the page.
        """
        self.first_expected = 0 if messages else last_seq + 1
        self._set_window(messages)
        self._empty_banks()
        self.has_messages = bool(self.window) or bool(self.pending_copies)
        self.has_older = has_older
        self.has_newer = False
        self.browsing_older = False

    def stop_short(self) -> None:
        """The page shown ends before the newest messages (opened far back at a message)."""
        self.has_newer = self.browsing_older = True

    def show_older(self, older: list[MessageView], has_older: bool) -> None:
        """Prepend an older page, keeping at most `window_max` messages (the oldest)."""
        self.browsing_older = True
        moved = self._empty_banks()
        merged = [*older, *self.window, *moved]
        if len(merged) > self.window_max:
            # Keep state bounded: drop the newest; "jump to latest" brings them back.
            merged = merged[: self.window_max]
            self.has_newer = True
        self._set_window(merged)
        self.has_messages = True
        self.has_older = has_older

    def show_newer(self, newer: list[MessageView], has_newer: bool) -> None:
        """Append a newer page (the list stopped short), keeping the newest `window_max`."""
        merged = [*self.window, *self._empty_banks(), *newer]
        if len(merged) > self.window_max:
            merged = merged[-self.window_max :]
            self.has_older = True
        self._set_window(merged)
        self.has_messages = bool(merged) or bool(self.pending_copies)
        # Still browsing: the slots that turn over keep what the reader may scroll back to.
        self.has_newer = has_newer

    def rewrite(self, bodies: Mapping[int, str]) -> None:
        """Give stored messages new bodies by seq (system lines in another language).

        Only the window (if one of its messages changed) and the changed slots are
        recorded; marks, order and pending copies stay as they are.
        """

        def rewritten(message: MessageView) -> MessageView:
            body = bodies.get(message.seq, message.body)
            return message if body == message.body else replace(message, body=body)

        window = [rewritten(m) for m in self.window]
        if any(new is not old for new, old in zip(window, self.window, strict=True)):
            self.window = window
            self.window_changed = True
        for index, slot in enumerate(self.slots):
            if slot is not None:
                self._set_slot(index, rewritten(slot))

    def clear(self) -> None:
        """Show nothing (the conversation closed)."""
        self.first_expected = 0
        self._set_window([])
        self._empty_banks()
        if self.pending_copies:
            self._set_pending([])
        self.has_older = self.has_newer = self.has_messages = False

    # ----- inside -----

    def _set_window(self, messages: list[MessageView]) -> None:
        if self.marks_runs:
            previous: MessageView | None = None
            marked = []
            for message in messages:
                marked.append(self._marked(previous, message))
                previous = message
            messages = marked
        self.window = messages
        self.window_changed = True

    def _marked(self, previous: MessageView | None, message: MessageView) -> MessageView:
        """The message with its `lead` mark as this tab shows it after `previous`."""
        if not self.marks_runs:
            return message
        lead = leads_run(previous, message)
        return message if message.lead == lead else replace(message, lead=lead)

    def _set_pending(self, copies: list[MessageView]) -> None:
        self.pending_copies = copies
        self.pending_changed = True
        self.has_messages = (
            bool(copies) or bool(self.window) or any(m is not None for m in self.slots)
        )

    def _set_slot(self, index: int, value: MessageView | None) -> None:
        if self.slots[index] == value:
            return
        self.slots[index] = value
        self.changed_slots.add(index)

    def _place(self, message: MessageView) -> None:
        """Put a stored message at its place in seq order; the ones after it move one on."""
        in_banks = self._in_banks()
        if len(in_banks) == LIVE_SLOTS:
            self._turn_over()
            in_banks = in_banks[LIVE_BANK:]
        # Usually the newest (one slot changes); a filled hole re-places the ones after it.
        position = bisect.bisect_left(in_banks, message.seq, key=_seq)
        order = _SHOWN_ORDER[self.first_bank]
        previous = in_banks[position - 1] if position else (self.window or [None])[-1]
        for offset, moved in enumerate([message, *in_banks[position:]]):
            self._set_slot(order[position + offset], self._marked(previous, moved))
            previous = moved
        self.has_messages = True

    def _turn_over(self) -> None:
        """Both banks are full: empty the first (its messages leave the view), show it last."""
        first = _SHOWN_ORDER[self.first_bank][:LIVE_BANK]
        leaving = [m for index in first if (m := self.slots[index]) is not None]
        if self.browsing_older:
            # The reader is up in older pages: keep what they may scroll back down to.
            self._set_window([*self.window, *leaving][-self.window_max :])
        elif self.window:
            # The window is older than every slot: dropping it keeps the list contiguous
            # (one short delta); "load older" brings it back.
            self._set_window([])
        self.has_older = True
        for index in first:
            self._set_slot(index, None)
        self.first_bank = 1 - self.first_bank

    def _empty_banks(self) -> list[MessageView]:
        """Empty every slot; returns the stored messages taken out, in seq order."""
        taken = self._in_banks()
        for index, slot in enumerate(self.slots):
            if slot is not None:
                self._set_slot(index, None)
        return taken

    def _pending_index(self, client_id: str) -> int | None:
        for index, message in enumerate(self.pending_copies):
            if message.client_id == client_id:
                return index
        return None
