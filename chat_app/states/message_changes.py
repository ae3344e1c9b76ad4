"""Changes to messages a tab already shows (deleted for everyone), as state vars.

A mixin of the conversation state. A deletion pushed to a tab must not re-send its window
(ARCHITECTURE §4: a change push carries only the changed message), so the tab keeps the
seqs deleted since its messages were read in `deleted_seqs`, a short list the page covers
those bubbles with. Reading a page from the database (opening, "jump to latest", a long
absence) shows the deletions in the rows themselves and empties the list; a list grown past
DELETED_MAX is folded into the rows it names once.

A tab remembers the conversation's change number its rows were read at (`_change_seq`):
back from an absence it asks for the changes after it (states/conversation.py, `_catch_up`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import reflex as rx

from chat_app.services.views import MessageView
from chat_app.states.message_buffer import MessageBuffer

# Past this many, the deletions are written into the rows (one re-send of what holds them).
DELETED_MAX = 100
T = TypeVar("T")


def _deleted(view: MessageView) -> MessageView:
    """A shown message as it is once deleted for everyone: its place and time, no content."""
    return dataclasses.replace(view, body="", parts=(), attachment=None, deleted=True)


def fold_deleted(buffer: MessageBuffer, seqs: frozenset[int]) -> None:
    """Write the deletions of `seqs` into the window and slots that show those messages."""
    if any(view.seq in seqs for view in buffer.window):
        buffer.window = [_deleted(v) if v.seq in seqs else v for v in buffer.window]
        buffer.window_changed = True
    for index, view in enumerate(buffer.slots):
        if view is not None and view.seq in seqs:
            buffer.slots[index] = _deleted(view)
            buffer.changed_slots.add(index)


class MessageChanges(rx.State, mixin=True):
    """The deletions a tab shows over the rows it read before them."""

    # Seqs of the open conversation deleted since its rows were read (a Field: the page
    # sees an array var, `contains`).
    deleted_seqs: rx.Field[list[int]] = rx.field(default_factory=list)
    # The open conversation's change number its rows were read at.
    _change_seq: int = 0

    if TYPE_CHECKING:  # the conversation state's (states/live_messages.py)

        def _change(self, change: Callable[[MessageBuffer], T]) -> T: ...

    def _changes_read(self, change_seq: int) -> None:
        """The open conversation's rows were read whole at change number `change_seq`."""
        if self.deleted_seqs:
            self.deleted_seqs = []
        if self._change_seq != change_seq:
            self._change_seq = change_seq

    def _forget_changes(self) -> None:
        self._changes_read(0)

    def _show_deleted(self, seqs: list[int], change_seq: int = 0) -> None:
        """Cover the bubbles of `seqs` (deleted for everyone) in the open conversation.

        Args:
            seqs: The deleted messages' seqs.
            change_seq: The change number a catch-up reached (0 for a push, which may
                have overtaken a change the tab has not read yet).
        """
        held = set(self.deleted_seqs)
        if not held.issuperset(seqs):
            held.update(seqs)
            if len(held) > DELETED_MAX:
                folded = frozenset(held)
                self._change(lambda buffer: fold_deleted(buffer, folded))
                held = set()
            self.deleted_seqs = sorted(held)
        if change_seq > self._change_seq:
            self._change_seq = change_seq
