"""The users a tab's draft picked after `@`: kept on the server until the draft is sent.

A backend-only state: the browser never holds a draft's picks. At send, the picks whose
`@name` is still in the text go with it into its outbox entry (states/outbox_entries.py:
a retry, or a re-send after a restart, mentions them again) and to the service, which
checks them again (current members, no block) in the message's transaction.
"""

from __future__ import annotations

import reflex as rx

from chat_app.services.mentions import PICKED_MAX
from chat_app.services.sessions import SessionKey


class MentionPicksState(rx.State):
    """The picks of the draft of one conversation (a pick in another one starts afresh)."""

    _conversation_id: int = 0
    # User id → the name inserted after `@`.
    _picked: dict[int, str] = {}
    _user_id: int | None = None

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._forget()

    def _forget(self) -> None:
        self._conversation_id, self._picked = 0, {}

    def _remember(self, conversation_id: int, user_id: int, name: str) -> None:
        """The draft of `conversation_id` mentions `user_id` as `@name`."""
        if conversation_id != self._conversation_id:
            self._conversation_id, self._picked = conversation_id, {}
        if user_id in self._picked or len(self._picked) < PICKED_MAX:
            self._picked = {**self._picked, user_id: name}


async def picked_mentions(state: rx.State, conversation_id: int, body: str) -> tuple[int, ...]:
    """The users the text being sent still names as picked.

    A text without `@` costs nothing more than this check (no state is loaded).

    Args:
        state: A state of the sending tab.
        conversation_id: Where the text goes.
        body: The text.

    Returns:
        The picked users whose `@name` is in the text (the service checks them again).
    """
    if "@" not in body:
        return ()
    picks = await state.get_state(MentionPicksState)
    if picks._conversation_id != conversation_id:
        return ()
    return tuple(user for user, name in picks._picked.items() if f"@{name}" in body)


async def forget_picks(state: rx.State, conversation_id: int, body: str) -> None:
    """A text was taken for sending: its draft's picks are done with (its entry keeps them).

    Args:
        state: A state of the sending tab.
        conversation_id: Where the text goes (another conversation's draft keeps its picks).
        body: The text (without `@` it had no picks to use, and nothing is loaded).
    """
    if "@" not in body:
        return
    picks = await state.get_state(MentionPicksState)
    if picks._conversation_id == conversation_id:
        picks._forget()
