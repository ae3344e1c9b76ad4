"""The users a tab's draft picked after `@`: kept on the server until the draft is sent.

A backend-only state: the browser never holds (nor sends) the ids. At send, the picks whose
`@name` is still in the text go to the service, which checks them again (current members,
no block) in the message's transaction.
"""

from __future__ import annotations

import hashlib

import reflex as rx

from chat_app.services.mentions import PICKED_MAX
from chat_app.services.sessions import SessionKey

# The mentions of this many texts sent last are kept for their retries.
RECENT_MAX = 16


class MentionPicksState(rx.State):
    """The picks of the draft of one conversation (a pick in another one starts afresh)."""

    _conversation_id: int = 0
    # User id → the name inserted after `@`.
    _picked: dict[int, str] = {}
    # (conversation, digest of a text sent) → whom it mentions: a retry of a message that
    # failed, or its re-send after a reload, mentions them again.
    _recent: dict[tuple[int, str], tuple[int, ...]] = {}
    _user_id: int | None = None

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._forget()
            self._recent = {}

    def _forget(self) -> None:
        self._conversation_id, self._picked = 0, {}

    def _remember(self, conversation_id: int, user_id: int, name: str) -> None:
        """The draft of `conversation_id` mentions `user_id` as `@name`."""
        if conversation_id != self._conversation_id:
            self._conversation_id, self._picked = conversation_id, {}
        if user_id in self._picked or len(self._picked) < PICKED_MAX:
            self._picked = {**self._picked, user_id: name}


async def picked_mentions(state: rx.State, conversation_id: int, body: str) -> tuple[int, ...]:
    """The users the text being sent still names as picked; the picks are then forgotten.

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
    named = tuple(user for user, name in picks._picked.items() if f"@{name}" in body)
    picks._forget()
    if named:
        recent = {**picks._recent, (conversation_id, _digest(body)): named}
        picks._recent = dict(list(recent.items())[-RECENT_MAX:])
    return named


async def mentions_again(state: rx.State, conversation_id: int, body: str) -> tuple[int, ...]:
    """Whom a text sent before mentioned, for its retry (a text without `@` loads nothing).

    Args:
        state: A state of the tab that sent it.
        conversation_id: Where it goes.
        body: The text.

    Returns:
        The users its first send named (the service checks them again), else none.
    """
    if "@" not in body:
        return ()
    picks = await state.get_state(MentionPicksState)
    return picks._recent.get((conversation_id, _digest(body)), ())


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:32]
