"""Changes to messages a tab already shows (deleted, edited, reacted to), as state vars.

A mixin of the conversation state. A change pushed to a tab must not re-send its window
(ARCHITECTURE §4: a change push carries only the changed message), so the tab keeps what
changed since its rows were read beside them: the seqs deleted in `deleted_seqs` (the page
covers those bubbles) and the other changed messages by seq in `changed` (the page shows
their new text and reactions). The messages its user deleted for themselves are left out
by seq (`hidden_seqs`), from the rows read and from hides on the user's other tabs.
Reading a page from the database (opening, "jump to latest", a long absence) shows the
changes in the rows themselves and empties both; one grown past its limit is folded into
the rows it names once.

A tab remembers the conversation's change number its rows were read at (`_change_seq`):
back from an absence it asks for the changes after it (states/conversation.py, `_catch_up`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import reflex as rx

from chat_app.services.reply_views import quote_of
from chat_app.services.views import MessageView
from chat_app.states.message_buffer import MessageBuffer

# Past this many, the deletions are written into the rows (one re-send of what holds them).
DELETED_MAX = 100
# Past this many changed messages, likewise: `changed` is re-sent whole with every change.
CHANGED_MAX = 10
T = TypeVar("T")
Rewrite = Callable[[MessageView], MessageView]


def _deleted(seqs: frozenset[int]) -> Rewrite:
    """Shown messages as they are once `seqs` are deleted for everyone.

    A deleted message keeps its place and time, no content; a reply to one says so in its
    quote.
    """

    def rewrite(view: MessageView) -> MessageView:
        if view.reply is not None and view.reply.seq in seqs:
            view = dataclasses.replace(
                view, reply=dataclasses.replace(view.reply, text="", deleted=True)
            )
        if view.seq in seqs:
            view = dataclasses.replace(view, body="", parts=(), attachment=None, deleted=True)
        return view

    return rewrite


def _as_changed(changes: dict[int, MessageView]) -> Rewrite:
    """Shown messages as they are once `changes` were made.

    A changed message takes its new text and reactions (its marks and file links kept); a
    reply to one, its quote's new text.
    """

    def rewrite(view: MessageView) -> MessageView:
        quote = view.reply
        if quote is not None and (answered := changes.get(quote.seq)) is not None:
            new_quote = quote_of(quote.seq, quote.sender_id, quote.kind, answered.body, False)
            view = dataclasses.replace(view, reply=new_quote)
        if (new := changes.get(view.seq)) is not None:
            view = dataclasses.replace(
                view, body=new.body, parts=new.parts, edited=new.edited, reactions=new.reactions
            )
        return view

    return rewrite


def _touches(view: MessageView, seqs: frozenset[int]) -> bool:
    """Whether a change to `seqs` changes how `view` shows: it is one, or quotes one."""
    return view.seq in seqs or (view.reply is not None and view.reply.seq in seqs)


def fold(buffer: MessageBuffer, seqs: frozenset[int], rewrite: Rewrite) -> None:
    """Rewrite the messages of `seqs` and the replies quoting them, in window and slots."""
    if any(_touches(view, seqs) for view in buffer.window):
        buffer.window = [rewrite(v) if _touches(v, seqs) else v for v in buffer.window]
        buffer.window_changed = True
    for index, view in enumerate(buffer.slots):
        if view is not None and _touches(view, seqs):
            buffer.slots[index] = rewrite(view)
            buffer.changed_slots.add(index)


def fold_deleted(buffer: MessageBuffer, seqs: frozenset[int]) -> None:
    """Write the deletions of `seqs` into the window and slots that show those messages."""
    fold(buffer, seqs, _deleted(seqs))


class MessageChanges(rx.State, mixin=True):
    """The changes a tab shows over the rows it read before them."""

    # Seqs of the open conversation deleted since its rows were read (a Field: the page
    # sees an array var, `contains`).
    deleted_seqs: rx.Field[list[int]] = rx.field(default_factory=list)
    # Messages of the open conversation edited or reacted to since its rows were read, by
    # seq (a deleted one is in `deleted_seqs` only).
    changed: rx.Field[dict[int, MessageView]] = rx.field(default_factory=dict)
    # Seqs of the open conversation's messages the viewer deleted for themselves: the page
    # leaves them out (the rows read say which; a hide on another tab adds one).
    hidden_seqs: rx.Field[list[int]] = rx.field(default_factory=list)
    # The open conversation's change number its rows were read at.
    _change_seq: int = 0

    if TYPE_CHECKING:  # the conversation state's (states/live_messages.py)

        def _change(self, change: Callable[[MessageBuffer], T]) -> T: ...

        def _buffer(self) -> MessageBuffer: ...

    def _changes_read(self, change_seq: int) -> None:
        """The open conversation's rows were read whole at change number `change_seq`."""
        if self.deleted_seqs:
            self.deleted_seqs = []
        if self.changed:
            self.changed = {}
        if self._change_seq != change_seq:
            self._change_seq = change_seq

    def _forget_changes(self) -> None:
        self._changes_read(0)
        self._hidden_read(())

    def _hidden_read(self, seqs: Iterable[int], older: bool = False) -> None:
        """The hidden seqs among rows read: the newest rows (replacing), or older ones."""
        held = sorted({*self.hidden_seqs, *seqs}) if older else sorted(seqs)
        if held != self.hidden_seqs:
            self.hidden_seqs = held

    def _hide(self, seq: int) -> None:
        """Leave one message of the open conversation out (deleted for this user)."""
        if seq not in self.hidden_seqs:
            self.hidden_seqs = sorted([*self.hidden_seqs, seq])

    def _show_changes(self, views: Iterable[MessageView], change_seq: int = 0) -> None:
        """Show changed messages of the open conversation over the rows.

        Args:
            views: The messages as they are now (deleted, edited, reacted to).
            change_seq: The change number a catch-up reached (0 for a push, which may
                have overtaken a change the tab has not read yet).
        """
        views = list(views)
        self._show_deleted([view.seq for view in views if view.deleted])
        self._show_changed([view for view in views if not view.deleted])
        if change_seq > self._change_seq:
            self._change_seq = change_seq

    def _show_deleted(self, seqs: list[int]) -> None:
        """Cover the bubbles of `seqs` (deleted for everyone) in the open conversation."""
        held = set(self.deleted_seqs)
        if held.issuperset(seqs):
            return
        held.update(seqs)
        if len(held) > DELETED_MAX:
            folded = frozenset(held)
            self._change(lambda buffer: fold_deleted(buffer, folded))
            held = set()
        self.deleted_seqs = sorted(held)

    def _show_changed(self, views: list[MessageView]) -> None:
        """Show the new text and reactions of changed messages the open conversation shows.

        Also of the messages its replies quote: a reply's quote shows its text from
        `changed` too (components/reply_quote.py).
        """
        shown: set[int] = set()
        for message in self._buffer().stored():
            shown.add(message.seq)
            if message.reply is not None:
                shown.add(message.reply.seq)
        changes = {view.seq: view for view in views if view.seq in shown}
        if all(self.changed.get(seq) == view for seq, view in changes.items()):
            return
        held = {**self.changed, **changes}
        if len(held) > CHANGED_MAX:
            rewrite = _as_changed(held)
            self._change(lambda buffer: fold(buffer, frozenset(held), rewrite))
            held = {}
        self.changed = held
