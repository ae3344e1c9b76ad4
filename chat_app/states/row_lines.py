"""The chat list rows' last lines that change after the list was read, kept per tab.

A mixin of the conversation state: every message push saves that state anyway, so the row
of the conversation a message arrived in gets its new last line there, in `last_*` buckets
(states/row_values.py: one bucket re-sent, never the list), and moves to the top of the
lists. A deletion or an edit of a row's last message writes the row's line anew, and so
does hiding a message (the row then shows the newest one not hidden).
"""

from __future__ import annotations

import reflex as rx

from chat_app.services.views import MessageView
from chat_app.states.chat_preview import preview_line
from chat_app.states.list_order import ListOrderState
from chat_app.states.row_values import RowValues, bucket_names
from chat_app.states.ui import language_of

# Conversation id → [sent at (ISO), the row's last line], for the rows with a message since
# the list was read (the conversation state adds the vars; components/chat_list.py).
LAST_BUCKETS = bucket_names("last")


class RowLines(rx.State, mixin=True):
    """Which row the tab's lists show first, and the rows' lines since the list was read."""

    # The conversation this tab's friend list shows first, as far as this state knows (0:
    # unknown): a message there needs no move, so the list order state is not even loaded.
    _listed_first: int = 0
    # The groups the chat list shows: their rows' last line names the sender.
    _group_ids: frozenset[int] = frozenset()

    async def _list_first(
        self, conversation_id: int, message: MessageView, sender: str, viewer_id: int | None
    ) -> None:
        """Show the message as the last line of its row, and that row at the top of the lists.

        The move is skipped when the row is known to be first already. The line changes with
        every message: it is kept here, in the state every message push saves anyway, in
        `last_*` buckets (one re-sent, never the list).
        """
        if self._listed_first != conversation_id:
            (await self.get_state(ListOrderState))._move_to_top(conversation_id)
            self._listed_first = conversation_id
        await self._show_line(conversation_id, message, sender, viewer_id)

    def _rows_read(self, first_conversation_id: int, group_ids: frozenset[int]) -> None:
        """The chat list was read: every row shows the line it was read with, in its place.

        The row first in the database's order is first on the page now (a new group, say):
        a message elsewhere must move its row again.
        """
        RowValues(self, LAST_BUCKETS).replace({})
        if self._listed_first != first_conversation_id:
            self._listed_first = first_conversation_id
        if self._group_ids != group_ids:
            self._group_ids = group_ids

    async def _show_line(
        self, conversation_id: int, message: MessageView, sender: str, viewer_id: int | None
    ) -> None:
        """Write the row's last line for `message` (new, or its last one edited or deleted).

        Args:
            conversation_id: The row.
            message: The message as it is now.
            sender: Its sender's nickname (a group's line names them).
            viewer_id: The tab's user (a group event about them says "You …").
        """
        kind = "deleted" if message.deleted else message.kind
        # Only a group event's or a deletion's line is in words (the reader's language):
        # the UI state is loaded for those alone.
        language = await language_of(self) if kind in ("system", "deleted") else ""
        named = sender if conversation_id in self._group_ids else ""
        line = preview_line(kind, message.body, named, language, viewer_id)
        RowValues(self, LAST_BUCKETS).set(conversation_id, [message.sent_at, line])
