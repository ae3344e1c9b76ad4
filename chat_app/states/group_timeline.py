"""A group's timeline as one tab shows it: who sent what, system lines, blocked senders.

A mixin of the conversation state (states/conversation.py). Names and pictures do not ride
on every message: the tab keeps a bounded look-up of the people its timeline shows (the
`sender_*` buckets, states/row_values.py), filled with one query per page shown and one
per sender it has not seen yet, and the page finds a message's sender there in the
browser. The look-up holds user-chosen names as var values only: they never become a Var
built on the server (states/safe_text.py).

System lines are written in the reader's language with the look-up's names when a message
enters the tab (window, live slots and catch-up alike), and written again from their stored
records when the tab's language switches (`follow_language`). A sender in a block with the
reader is flagged in the look-up: their messages show collapsed until "Show", which
reveals one message in this tab only (`revealed`, bounded).

A direct chat uses none of this: nothing is looked up, nothing changes on its messages.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import reflex as rx

from chat_app.i18n import text
from chat_app.services import group_senders, history
from chat_app.services.errors import NotFound
from chat_app.services.sessions import SessionKey
from chat_app.services.system_lines import system_line, user_ids_in
from chat_app.services.views import MessageView
from chat_app.states.links import file_link
from chat_app.states.message_buffer import MessageBuffer
from chat_app.states.row_values import RowValues, bucket_names
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# User id → [name, signed picture link or "", "blocked" or ""] (added to the conversation
# state by `add_row_buckets`, states/conversation.py).
SENDER_BUCKETS = bucket_names("sender")
# The look-up keeps at most this many people (a group's default limit is 256); past it,
# only those the tab still shows are kept.
SENDERS_KEPT = 300
# Reactors are asked for only up to this many people in all per look-up, below the
# service's MOST_ASKED: the senders are never cut for them.
REACTORS_ASKED = 256
# At most this many collapsed messages are shown revealed at once (the oldest folds back).
REVEALED_KEPT = 50
BLOCKED = "blocked"
T = TypeVar("T")


def _needed(messages: Iterable[MessageView], viewer_id: int) -> set[int]:
    """The people the timeline names for `messages`.

    Other senders, those that system lines and quotes name, then those who reacted (a
    chip names them), as many as fit in one look-up beside the others.
    """
    needed: set[int] = set()
    reactors: set[int] = set()
    for message in messages:
        if message.kind == "system":
            needed |= user_ids_in(message.body)
        else:
            needed.add(message.sender_id)
        if message.reply is not None and not message.reply.earlier:  # it names whom it answers
            needed.add(message.reply.sender_id)
        for reaction in message.reactions:
            reactors.update(reaction.user_ids)
    reactors -= needed
    room = max(REACTORS_ASKED - len(needed), 0)
    needed.update(sorted(reactors)[:room])
    needed.discard(viewer_id)
    return needed


class GroupTimeline(rx.State, mixin=True):
    """The open group's people look-up, its system lines' language and revealed messages."""

    # Seqs of collapsed messages the reader chose to show (this tab only).
    revealed: list[int] = []
    # The language system lines were last written in (the reader's).
    _lines_language: str = ""

    if TYPE_CHECKING:  # the conversation state's and its other mixins'
        conversation_id: int
        is_group: bool
        _user_id: int | None
        _link_key: SessionKey | None

        def _buffer(self) -> MessageBuffer: ...

        def _typer_gone(self, user_id: int) -> None: ...

        def _change(self, change: Callable[[MessageBuffer], T]) -> T: ...

    def _people(self) -> RowValues[list[str]]:
        return RowValues(self, SENDER_BUCKETS)

    async def _learn_people(self, messages: Iterable[MessageView], fresh: bool = False) -> None:
        """Look up whom `messages` name and the tab does not know yet (one query at most).

        Args:
            messages: Stored messages about to be shown.
            fresh: A page replaces the view: look everyone up again (today's names and
                blocks) and forget the people it no longer shows.
        """
        viewer_id = self._user_id
        if not self.is_group or viewer_id is None:
            if fresh:
                self._people().replace({})
            return
        messages = list(messages)
        needed = _needed(messages, viewer_id)
        people = self._people()
        missing = needed if fresh else {uid for uid in needed if people.get(uid, None) is None}
        if any(m.kind == "system" for m in messages):
            self._lines_language = await language_of(self)
        found = await self._look_up(missing) if missing else {}
        if fresh:
            people.replace(found)
            return
        for user_id, entry in found.items():
            people.set(user_id, entry)
        # Counted only when someone was added: a message from a known sender reads one entry.
        known = people.all() if found else {}
        if len(known) > SENDERS_KEPT:
            shown = _needed(self._buffer().stored(), viewer_id) | needed
            people.replace({uid: entry for uid, entry in known.items() if uid in shown})

    async def _look_up(self, user_ids: set[int]) -> dict[int, list[str]]:
        # An outsider's or a forged conversation id finds nobody (the service says so).
        found = await call_service(
            group_senders.senders,
            viewer_id=self._user_id,
            conversation_id=self.conversation_id,
            user_ids=user_ids,
        )
        key = self._link_key
        return {
            person.user_id: [
                person.name,
                file_link(key, person.avatar_file_id, "thumb")
                if person.avatar_file_id and key is not None
                else "",
                BLOCKED if person.blocked else "",
            ]
            for person in found
        }

    def _name_of(self, user_id: int) -> str:
        entry = self._people().get(user_id, None)
        if not entry:
            return text("timeline_someone", self._lines_language)
        # A deleted account's nickname is blank (services/account_status.py).
        return entry[0] or text("deleted_user", self._lines_language)

    def _in_words(self, views: list[MessageView]) -> list[MessageView]:
        """System lines written for the reader (their language, today's names, "You")."""
        if not self.is_group:
            return views
        return [
            replace(
                view,
                body=system_line(view.body, self._lines_language, self._name_of, self._user_id),
            )
            if view.kind == "system" and view.seq > 0
            else view
            for view in views
        ]

    async def _look_again(self) -> None:
        """A block was made or lifted: look the open group's people up again (flags, names)."""
        if self.is_group and self._user_id is not None:
            await self._learn_people(self._buffer().stored(), fresh=True)

    async def _person_renamed(self, user_id: int) -> None:
        """Someone the open group's look-up names changed their name: look them up again.

        One query and one bucket for the tab, whatever the number of their messages shown;
        someone the tab does not name yet is looked up when a message of theirs arrives.
        """
        if not self.is_group or self._user_id is None:
            return
        people = self._people()
        if people.get(user_id, None) is None:
            return
        found = await self._look_up({user_id})
        if user_id in found:
            people.set(user_id, found[user_id])

    def _forget_timeline(self) -> None:
        if self.revealed:
            self.revealed = []
        self._people().replace({})

    @rx.event
    @signed_in
    async def follow_language(self, viewer_id: int):
        """The tab's language switched: write the open group's system lines in it.

        Chained after `UiState.set_language` by the language switch. The lines are written
        again from their stored records (read for `viewer_id`, inside their membership);
        only the slots (or the window) holding a line are re-sent. A direct chat, a group
        without lines and lines already in the language cost no query.
        """
        if not self.is_group:
            return
        seqs = [m.seq for m in self._buffer().stored() if m.kind == "system" and m.seq > 0]
        if not seqs or await language_of(self) == self._lines_language:
            return
        try:
            records = await call_service(
                history.system_records,
                viewer_id=viewer_id,
                conversation_id=self.conversation_id,
                seqs=seqs,
            )
        except NotFound:
            return  # no longer readable: the next catch-up closes it
        # Sets the language, and looks up whom the lines name if the tab forgot them (a
        # block made since keeps only the senders it shows).
        await self._learn_people(records)
        written = {m.seq: m.body for m in self._in_words(list(records))}
        self._change(lambda buffer: buffer.rewrite(written))

    @rx.event
    @signed_in
    async def reveal(self, viewer_id: int, seq: int):
        """Show one collapsed message of a blocked sender, in this tab only.

        Only a collapsed message the tab shows can be revealed (the tab holds only what
        `viewer_id` may read): a forged seq, or another sender's, changes nothing.
        """
        del viewer_id  # signed in is all it takes: the tab's messages are the viewer's
        if isinstance(seq, bool) or not isinstance(seq, int) or not self.is_group:
            return
        shown = next((m for m in self._buffer().stored() if m.seq == seq), None)
        if shown is None or seq in self.revealed:
            return
        # Only a collapsed message: one from someone the look-up flags as blocked.
        if (self._people().get(shown.sender_id, None) or ["", "", ""])[2] != BLOCKED:
            return
        self.revealed = [*self.revealed, seq][-REVEALED_KEPT:]


def blocks_changed(pair: Iterable[int]) -> Callable[[GroupTimeline], Awaitable[None]]:
    """The push to both users' tabs when one blocks or unblocks the other.

    A group they share folds (or unfolds) their messages at once, and the other one's name
    leaves the typing line now rather than when their last keystroke note runs out (after
    an unblock it comes back with their next note). A partial of a module-level function:
    it pickles, so it may travel to the worker holding the tab's socket
    (realtime/push_relay.py).

    Args:
        pair: The two users.
    """
    return functools.partial(_blocks_changed, tuple(pair))


async def _blocks_changed(pair: tuple[int, ...], state: GroupTimeline) -> None:
    await state._look_again()
    for user_id in pair:
        if user_id != state._user_id:
            state._typer_gone(user_id)
