"""The push of a newly stored message to its recipients' tabs and the sender's other tabs.

Each recipient hears of it as their notice says (states/mention_notices.py): aloud, muted
(no toast or sound), or as a mention (a toast even when muted). The pushed message is the
same for everyone, but for a reply's quote withheld from those who joined after what it
quotes; only the mentioned users' tabs highlight it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.realtime.push import notify_each_patiently
from chat_app.services import reply_rows
from chat_app.services.views import MessageView, SentMessage
from chat_app.states.auth import AuthState
from chat_app.states.chime import ChimeRound
from chat_app.states.conversation import ConversationState
from chat_app.states.mention_notices import ALOUD, AUDIBLE, recipient_groups
from chat_app.states.tab_identity import tab_token


async def publish_sent(state: rx.State, sent: SentMessage, *, to_own_tab: bool = False) -> None:
    """Show a newly stored message in the recipient's tabs and the sender's other tabs.

    Args:
        state: A state of the sending tab.
        sent: The outcome of the send; nothing is pushed for a retry already stored.
        to_own_tab: Push to the sending tab too. An upload needs it: its handler's update
            reaches the tab in the HTTP response, which the browser may apply after newer
            socket updates, so the upload's own message must come over the socket, in turn.
    """
    if not sent.created:
        return
    nickname = (await state.get_state(AuthState)).nickname
    own_tab = "" if to_own_tab else tab_token(state)
    message = sent.message
    # One round for all: the user's one tab that plays is chosen once.
    chime = ChimeRound()
    audiences = [
        (readers, _message_arrived(seen, sent.conversation_id, nickname, chime, notice))
        for user_ids, notice in recipient_groups(sent)
        for readers, seen in _as_seen(sent, user_ids)
    ]
    echoed = _message_arrived(message, sent.conversation_id, nickname, chime=None)
    audiences.append(((sent.sender_id,), echoed))
    await notify_each_patiently(audiences, ConversationState, except_tab=own_tab)


def _as_seen(
    sent: SentMessage, user_ids: tuple[int, ...]
) -> list[tuple[tuple[int, ...], MessageView]]:
    """The recipients apart by how they see the message.

    A reply's quote is withheld from those who joined after the message it quotes.
    """
    withheld_from = sent.quote_withheld_from
    if not withheld_from:
        return [(user_ids, sent.message)]
    seeing = tuple(user for user in user_ids if user not in withheld_from)
    not_seeing = tuple(user for user in user_ids if user in withheld_from)
    shown = ((seeing, sent.message), (not_seeing, reply_rows.quote_withheld(sent.message)))
    return [(readers, message) for readers, message in shown if readers]


def _message_arrived(
    message: MessageView,
    conversation_id: int,
    sender_nickname: str,
    chime: ChimeRound | None,
    notice: str = ALOUD,
) -> Callable[[ConversationState], Awaitable[list[Any]]]:
    """The push of a stored message; `chime` for the recipients (None: the sender's tabs).

    A partial, not a closure: it may travel to the worker holding a tab's socket.
    `notice` says how a recipient hears of it (states/mention_notices.py).
    """
    return functools.partial(
        _show_arrived, message, conversation_id, sender_nickname, notice, chime
    )


async def _show_arrived(
    message: MessageView,
    conversation_id: int,
    sender_nickname: str,
    notice: str,
    chime: ChimeRound | None,
    state: ConversationState,
) -> list[Any]:
    if not state._first_arrival(conversation_id, message.seq):
        return []
    to_recipient = chime is not None
    events = await state._receive(message, conversation_id, sender_nickname, to_recipient, notice)
    # A sound where the conversation is not on screen (closed, another one, hidden tab),
    # unless the user muted it.
    in_view = state.conversation_id == conversation_id and not state._tab_hidden
    if chime is not None and not in_view and notice in AUDIBLE:
        events = [*events, *await chime.events_for(state, state._user_id)]
    return events
