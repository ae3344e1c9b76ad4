"""The tab's outbox: messages accepted from the composer and not yet stored, in browser storage.

The composer's next client id is issued ahead into browser storage too, so a send queued in
the browser while the connection was down carries an id that existed before it left, and
sending it again can never make a second row (ARCHITECTURE §4, D2).

This state only holds the storage vars and reads and writes them (`outbox_entries.py` has
the rules); sending, re-sending and showing the entries is the composer's and the
conversation's work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import reflex as rx

from chat_app.i18n import text
from chat_app.services.reply_views import QUOTABLE_KINDS, ReplyView, quote_of
from chat_app.services.views import MessageView
from chat_app.states.outbox_entries import ISSUED_ID, Outbox, OutboxEntry, merge, read


class OutboxState(rx.State):
    """The outbox and the next client id, kept in the tab's browser storage."""

    # Browser storage (ARCHITECTURE §6c): travels in every reconnect, settable by any client.
    outbox: str = rx.SessionStorage("", name="chat_outbox")
    next_client_id: str = rx.SessionStorage("", name="chat_next_client_id")
    # How many messages are waiting or failed (the logout warning counts them).
    unsent_count: int = 0
    logout_warning_open: bool = False
    # The last outbox value this server wrote: an accepted send whose update never reached
    # the browser is in it, while the browser's copy, sent back at each hydrate, is not.
    _written: str = ""
    # Bumped at each page load: a re-sending task of an earlier load stops.
    _resend_round: int = 0
    # The text sent under the id before `next_client_id`, and what the composer's box held
    # if it missed carried keys (what that box's last keys follow, states/composer.py).
    _sent_texts: tuple[str, ...] = ()

    def _read(self, user_id: int) -> Outbox:
        """The user's outbox: the browser's copy merged with what this server last wrote.

        Another user's entries (a shared browser) are left out, never shown or sent, and
        gone from storage at the next write.
        """
        stored = read(self.outbox, user_id)
        if self._written and self._written != self.outbox:
            return merge(newer=read(self._written, user_id), older=stored)
        return stored

    def _write(self, outbox: Outbox) -> None:
        """Keep `outbox` in browser storage (only a changed value goes on the wire)."""
        value = outbox.encode()
        self._written = value
        if self.outbox != value:
            self.outbox = value
        count = len(outbox.entries)
        if self.unsent_count != count:
            self.unsent_count = count

    def _issued_id(self) -> str:
        """The id issued for the composer's next message (a fresh one if none is valid)."""
        if not ISSUED_ID.fullmatch(self.next_client_id):
            self.next_client_id = uuid.uuid4().hex
        return self.next_client_id

    def _issue_next_id(self, *sent_texts: str) -> None:
        """The composer's id was used (its box held one of `sent_texts`): issue the next."""
        self.next_client_id = uuid.uuid4().hex
        # Longest first: a late key of the box follows the longest text it may have held.
        self._sent_texts = tuple(sorted(filter(None, sent_texts), key=len, reverse=True))

    def _forget(self) -> None:
        """Empty the outbox and the issued id (logout)."""
        self._written = ""
        if self.outbox:
            self.outbox = ""
        if self.next_client_id:
            self.next_client_id = ""
        self.unsent_count = 0
        self.logout_warning_open = False

    @rx.event
    def set_logout_warning_open(self, open_: bool):
        """Show or hide the "messages not sent yet" warning before logging out."""
        self.logout_warning_open = open_ is True


def pending_view(
    entry: OutboxEntry, language: str, shown: Callable[[], Sequence[MessageView]] = tuple
) -> MessageView:
    """How an outbox entry shows in its conversation: "sending", or failed with the reason.

    A failure a retry may fix shows "failed" (Retry and Delete), a final refusal "refused"
    (Delete only).

    Args:
        entry: The outbox entry.
        language: The reader's language (the reason of a failure).
        shown: Gives the conversation's stored messages on screen, asked for a reply only:
            it quotes the one it answers from them, as it will once stored (not when it is
            scrolled away).

    Returns:
        The bubble's view, seq 0.
    """
    status = "sending" if not entry.failure else "failed" if entry.retryable else "refused"
    return MessageView(
        seq=0,
        sender_id=entry.user_id,
        client_id=entry.client_id,
        body=entry.body,
        sent_at=entry.sent_at,
        status=status,
        error=text(entry.failure, language) if entry.failure else "",
        reply=_quote_shown(shown(), entry.reply_to) if entry.reply_to else None,
    )


def _quote_shown(shown: Sequence[MessageView], seq: int) -> ReplyView | None:
    answered = next((message for message in shown if message.seq == seq), None)
    if answered is None or answered.kind not in QUOTABLE_KINDS:
        return None
    return quote_of(seq, answered.sender_id, answered.kind, answered.body, answered.deleted)
