"""The message the tab's user is answering: shown above the composer until sent or dropped.

A press on a message's Reply asks the server for its quote (a message the user may read in
a chat they still write in); the composer's form then carries its seq in a hidden field, so
the send names what it answers the way it names its conversation, and the outbox keeps it
with the text (states/outbox_entries.py). The quote shows only while its chat is open.
"""

from __future__ import annotations

import reflex as rx

from chat_app.i18n import text
from chat_app.services import reply_rows
from chat_app.services.errors import DomainError
from chat_app.states.safe_text import toast_error
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# The composer's text field (components/composer.py): a Reply puts the cursor there.
COMPOSER_FIELD_ID = "composer"


class ReplyState(rx.State):
    """The quote being answered (conversation 0: none)."""

    # Who is answering: another user signed in on this tab later never sees the quote.
    reply_user_id: int = 0
    reply_conversation: int = 0
    reply_seq: int = 0
    reply_sender_id: int = 0
    # "text", "image" or "file".
    reply_kind: str = ""
    # The start of its text, or its file's name (a var's value, never a Var built here).
    reply_text: str = ""
    # "<user>:<conversation>:<seq>" in the tab's storage: a server restart (the embedded
    # profile keeps tab states in memory) brings the quote back, as the draft comes back.
    reply_store: str = rx.SessionStorage("", name="chat_reply")
    # A Reply was chosen in a message's menu: the composer takes the focus once the menu
    # has given it back to its button (Radix does that as the menu closes, after this
    # state's own focus may already have arrived).
    _focus_composer: bool = False

    @rx.event
    @signed_in
    async def reply_to(self, viewer_id: int, conversation_id: int, seq: int):
        """Answer one message: its quote above the composer, the cursor in the composer."""
        try:
            await self._show(viewer_id, conversation_id, seq)
        except DomainError as error:
            return toast_error(text(error.code, await language_of(self)))
        self._focus_composer = True
        return rx.set_focus(COMPOSER_FIELD_ID)

    async def _show(self, viewer_id: int, conversation_id: int, seq: int) -> None:
        """Ask for the quote (the service checks the ids, strictly: a client sent them) and show it.

        Raises:
            DomainError: No message the viewer may answer there (nothing changed).
        """
        quote = await call_service(
            reply_rows.quote_to_answer,
            viewer_id=viewer_id,
            conversation_id=conversation_id,
            seq=seq,
        )
        self.reply_user_id = viewer_id
        self.reply_conversation, self.reply_seq = conversation_id, quote.seq
        self.reply_sender_id, self.reply_kind = quote.sender_id, quote.kind
        self.reply_text = quote.text
        kept = f"{viewer_id}:{conversation_id}:{quote.seq}"
        if self.reply_store != kept:
            self.reply_store = kept

    async def _restore(self, viewer_id: int | None) -> None:
        """On page load: the quote the tab's storage names, if the state lost it.

        The storage is the browser's (any value may come back): the quote is asked again
        as a press on Reply asks it, for the signed-in user only; anything else is dropped.
        """
        if self.reply_conversation or not self.reply_store:
            return
        user, conversation_id, seq = (int(part) for part in self.reply_store.split(":"))
        if viewer_id is None or user != viewer_id:
            self.reply_store = ""
            return
        try:
            await self._show(viewer_id, conversation_id, seq)
        except DomainError:
            self.reply_store = ""

    async def _quoted_changed(self, conversation_id: int, seq: int) -> None:
        """A message was edited or deleted for everyone: a quote of it is read again.

        A deleted message can no longer be answered: its quote goes (it kept showing the
        text deleted for everyone).
        """
        if (conversation_id, seq) != (self.reply_conversation, self.reply_seq):
            return
        try:
            await self._show(self.reply_user_id, conversation_id, seq)
        except DomainError:
            self._forget()

    def _focus_after_menu(self) -> rx.event.EventSpec | None:
        """A message's menu closed and its button has the focus: after a Reply, the composer."""
        if self._focus_composer:
            self._focus_composer = False
            return rx.set_focus(COMPOSER_FIELD_ID)
        return None

    @rx.event
    def stop_replying(self):
        """Drop the quote (the button beside it)."""
        self._forget()

    def _forget(self) -> None:
        """No quote any more (also once a reply is sent, and at logout)."""
        if self.reply_conversation:
            self.reply_user_id = self.reply_conversation = self.reply_seq = 0
            self.reply_sender_id = 0
            self.reply_kind = self.reply_text = ""
        if self.reply_store:
            self.reply_store = ""
