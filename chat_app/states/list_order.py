"""Where the lists show each conversation: moved up by a message since they were read.

`ChatListState.rows` and `FriendsState.friends` are read together, each in the order of
its last reading (newest conversation first), and are re-sent only when they change. A
message moves its conversation to the top by the row's CSS `order`, kept per row in this
small state's `order_*` bucket vars (row_values.py): a message re-sends one bucket, never
a list, and a push loads and saves this state, not the lists (on the scaled profile every
state a push touches goes through Redis). A row without an entry keeps its index.
"""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from chat_app.services.people_views import ContactView
from chat_app.states.row_values import RowValues, add_row_buckets


class ListOrderState(rx.State):
    """The rows moved up since the friend list was read: conversation id → CSS order."""

    # The order given last (moves count down from 0, above every index), and the
    # conversation shown first (0: none).
    _top_order: int = 0
    _shown_first: int = 0

    def _read_again(self, first_conversation_id: int) -> None:
        """The lists were read in the database's order: no row is moved."""
        RowValues(self, ORDER_BUCKETS).replace({})
        # Assigned only if different: an assignment marks the state changed, and on the
        # scaled profile a changed state is written back to Redis (every tab's load).
        if self._top_order != 0:
            self._top_order = 0
        if self._shown_first != first_conversation_id:
            self._shown_first = first_conversation_id

    def _move_to_top(self, conversation_id: int) -> None:
        """Show a conversation's row first, if it is not already (one bucket re-sent).

        A conversation the list does not show gets an entry no row reads, until the list
        is read again.
        """
        if not conversation_id or conversation_id == self._shown_first:
            return
        self._top_order -= 1
        RowValues(self, ORDER_BUCKETS).set(conversation_id, self._top_order)
        self._shown_first = conversation_id

    def _shown(self, friends: Sequence[ContactView]) -> list[ContactView]:
        """`friends` (in the list's order) in the order the page shows them."""
        moved = RowValues(self, ORDER_BUCKETS)
        rows = [
            (moved.get(friend.conversation_id, index), friend)
            for index, friend in enumerate(friends)
        ]
        return [friend for _, friend in sorted(rows, key=lambda row: row[0])]


ORDER_BUCKETS = add_row_buckets(ListOrderState, "order")
