"""A gap in the pushed messages gets a moment to fill before the tab catches up.

A tab sees a gap (a message shown while an earlier one is not) whenever pushes reach it out
of seq order: both people send at once and the sender's own message is shown by its
handler while the friend's earlier one still waits in the push queue, or two senders on two
workers. The missing push nearly always follows within milliseconds. Catching up at once
answered every such gap with a history read and two events (catch-up, then mark-seen);
under load (`make bench`, 400 msg/s) one push in six did, 12 % of the worker's CPU, and the
extra work made the next pushes later still. Now the tab catches up only if the gap is still
there GAP_WAIT_SECONDS later: a push that never comes (lost with a worker, say) or a message
stored without one (a removal's line in a group).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chat_app.realtime.push import push_later
from chat_app.states.tab_identity import tab_token

if TYPE_CHECKING:
    from chat_app.states.conversation import ConversationState

GAP_WAIT_SECONDS = 0.5


def catch_up_if_gap_stays(state: ConversationState) -> None:
    """Catch the tab up in GAP_WAIT_SECONDS unless the missing messages arrive meanwhile.

    Args:
        state: The tab's conversation state, showing a gap in its open conversation.
    """
    tab, conversation_id = tab_token(state), state.conversation_id
    check = functools.partial(_catch_up_if_gap, conversation_id)
    # Per conversation: a check pending for the one the tab has left must not stand in
    # for a gap in the one it opened since.
    push_later(("gap", tab, conversation_id), GAP_WAIT_SECONDS, tab, type(state), check)


async def _catch_up_if_gap(conversation_id: int, state: ConversationState) -> list[Any]:
    """A push (a module-level partial: it pickles): catch up, or read what is now whole."""
    if state.conversation_id != conversation_id or state.has_newer:
        return []
    if state._buffer().has_hole():
        return [type(state).catch_up]
    # Filled by pushes, each of which read it; or by the tab's own message, which did not.
    if state._user_id and state._looking():
        state._read_soon(forget_unread=False)
    return []
