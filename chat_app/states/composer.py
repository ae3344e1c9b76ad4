"""The composer of one tab: the draft, "typing", sending and retrying a message.

A message leaves the composer in the update that answers the send: "sent" once committed
(first "sending", a pending copy in the conversation, when the store is slow), then "read"
when the friend's read cursor passes it; a refused or failed store leaves it on screen,
marked, with Retry (same client id: never a second row).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

import reflex as rx

from chat_app.i18n import text
from chat_app.models import utc_now
from chat_app.realtime import timers
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import notify_users
from chat_app.services import friends, message_text
from chat_app.services.errors import DomainError, NotFound
from chat_app.services.sessions import SessionKey
from chat_app.services.views import SentMessage
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_typing import note_typing, typing_over
from chat_app.states.mention_picker import completed_mention
from chat_app.states.mention_picks import forget_picks, picked_mentions
from chat_app.states.message_push import publish_sent
from chat_app.states.outbox import OutboxState, pending_view
from chat_app.states.outbox_entries import ISSUED_ID, Outbox, OutboxEntry, derived_client_id
from chat_app.states.outbox_store import Outcome, done_within, is_conflict, rekeyed, store
from chat_app.states.place import keeps_drafts
from chat_app.states.replies import ReplyState
from chat_app.states.service_call import call_service, form_id, form_text
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in, viewer_id_of

MAX_MESSAGE_LENGTH = message_text.MAX_MESSAGE_LENGTH
DRAFT_MAX = message_text.DRAFT_MAX
# The composer shows its character count from this length on.
COUNT_SHOWN_FROM = 3500
TYPING_PUSH_INTERVAL = 2.0
TYPING_VISIBLE_SECONDS = 4.0
# A store still running after this long shows "sending" in an update of its own (users read
# about 0.1 s as instant; a quick store's one update is sooner than that).
SENDING_SHOWN_AFTER_SECONDS = 0.05


@keeps_drafts
class ComposerState(rx.State):
    """What the tab's user is writing, and why the last send was refused."""

    # Kept in the tab's browser storage too: a fresh server state (a restart, another
    # worker) takes the text back from the browser instead of blanking the composer. It is
    # the open conversation's: switching keeps it with that conversation's place and brings
    # back the next one's (states/place.py).
    draft: str = rx.SessionStorage("", name="chat_draft")
    composer_error: str = ""
    # The composer takes the focus when it appears: true from a send (the browser replaces
    # the box then, see `set_draft`) until another conversation opens.
    refocus: bool = False
    _user_id: int | None = None
    _last_typing_push: float = 0.0
    # Keys a replaced box held after the sent text, given to the new box: until the new box
    # shows them, its text follows them (a box "typing" ignored them).
    _carried: str = ""

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            if self._user_id is not None:
                # Another user on this tab; a fresh state keeps what was just typed.
                self.draft = self.composer_error = ""
            self._user_id = user_id

    @rx.var
    def draft_length(self) -> int:
        """The draft's length as `clean_body` counts it: code points, CRLF as one.

        The composer shows its count and colour from this (the browser's `length` counts
        UTF-16 units, an emoji twice). One small number, sent when the draft changes.
        """
        return len(self.draft.replace("\r\n", "\n"))

    @rx.event
    def clear(self):
        """Another conversation was opened, or this one closed: forget the refusal shown.

        The draft is not this handler's: the conversation state swapped it already.
        """
        if self.composer_error:
            self.composer_error = ""
        if self.refocus:
            self.refocus = False
        if self._carried:
            self._carried = ""

    @rx.event
    def focus_next_box(self):
        """The next box shown takes the focus (a group created here, about to open)."""
        if not self.refocus:
            self.refocus = True

    def _show_draft(self, text: str) -> None:
        """Show the draft of the conversation being opened (states/place.py)."""
        if self.draft != text:
            self.draft = text
        if self.composer_error:
            self.composer_error = ""

    def _clear_text(self) -> None:
        # Only what changes: an assigned var is re-sent even when its value is the same.
        if self.draft:
            self.draft = ""
        if self.composer_error:
            self.composer_error = ""

    @rx.event
    async def set_draft(self, value: str, box_for: str = ""):
        """Keep the composer text; tell the friend "typing" at most every 2 seconds.

        The browser's box is replaced by a new, empty one when a send's answer arrives
        (components/composer.py): a box still "typing" ignored the emptied text, and the
        next message went out glued to the one sent. A replaced box that still held keys
        sends them as it goes, naming the client id it was for: the sent text is taken off
        and what was typed after it (or a text put in its place) becomes the new box's.

        Args:
            value: The box's text.
            box_for: The client id the box was issued for ("" from an older page).
        """
        if not isinstance(value, str) or not isinstance(box_for, str):
            return
        outbox_state = await self.get_state(OutboxState)
        if box_for and box_for != outbox_state.next_client_id:
            sent = next((t for t in outbox_state._sent_texts if value.startswith(t)), "")
            # What followed the sent text; a text put in its place (a paste over it), whole.
            value = value[len(sent) :]
            if not value:
                return
            self._carried = value
        else:
            value = self._with_carried(value)
        if len(value) > DRAFT_MAX:
            # Never cut: the text stays whole in the browser's composer (the server keeps
            # the last draft within its bound) and the user is told why it cannot be sent.
            self.composer_error = text("message_too_long", await language_of(self))
            return
        self.draft = value
        if self.composer_error:
            self.composer_error = ""
        now = time.monotonic()
        if not value.strip() or now - self._last_typing_push < TYPING_PUSH_INTERVAL:
            return
        conversation = await self.get_state(ConversationState)
        conversation_id, recipient = conversation.conversation_id, conversation.open_friend_id
        if not conversation_id:
            return
        self._last_typing_push = now
        # Like every push, only for a live session, and only to a friend: an ex-friend
        # whose history stays readable must not see this user typing.
        sender = await viewer_id_of(self)
        if sender is None:
            return
        if conversation.is_group:
            return await note_typing(conversation, sender)
        if not await call_service(friends.are_friends, user_a=sender, user_b=recipient):
            return
        await notify_users([recipient], ConversationState, _typing_changed(conversation_id, True))

        async def stop_typing() -> None:
            typing_over = _typing_changed(conversation_id, False)
            await notify_users([recipient], ConversationState, typing_over)

        timers.restart(("typing", sender, conversation_id), TYPING_VISIBLE_SECONDS, stop_typing)

    def _with_carried(self, value: str) -> str:
        """The new box's text with the keys carried from the replaced box, if it lost them."""
        carried = self._carried
        if not carried:
            return value
        if not value or value.startswith(carried):
            self._carried = ""  # shown by the new box (or emptied by the user)
            return value
        return carried + value

    @rx.event
    def insert_emoji(self, emoji: str):
        """Append an emoji from the picker to the draft."""
        if not isinstance(emoji, str) or len(emoji) > 16:
            return
        if len(self.draft) + len(emoji) <= DRAFT_MAX:
            self.draft = self.draft + emoji

    @rx.event
    @signed_in
    async def send(self, viewer_id: int, form_data: dict):
        """Send the composer's text to the conversation the form names.

        The form names its conversation by id and carries the client id issued ahead for
        its next message: events the browser queued while offline arrive before the page's
        load has reopened anything in a fresh server state, and must still go where the
        user wrote them, once. The update that clears the composer puts the message in the
        outbox (browser storage) until it is stored.
        """
        conversation = await self.get_state(ConversationState)
        conversation_id = form_id(form_data, "conversation_id") or conversation.conversation_id
        if not conversation_id:
            return
        in_box = form_text(form_data, "body")
        written = self._with_carried(in_box) or self.draft
        # Enter on a name being typed after `@` puts the first member found in, and sends
        # nothing. The send button submits the same form, so it does the same.
        if await completed_mention(self, viewer_id, conversation_id, written):
            return
        language = await language_of(self)
        try:
            body = message_text.clean_body(written)
        except DomainError as error:
            self.composer_error = text(error.code, language)
            return
        outbox_state = await self.get_state(OutboxState)
        outbox = outbox_state._read(viewer_id)
        issued = form_text(form_data, "client_id")
        if not ISSUED_ID.fullmatch(issued):
            issued = outbox_state._issued_id()
        client_id = issued
        if (earlier := outbox.find(issued)) is not None:
            if earlier.body == body and earlier.conversation_id == conversation_id:
                # The same send again (Enter twice before the first one's update arrived).
                self._clear_text()
                return
            client_id = derived_client_id(issued, body)
            if outbox.find(client_id) is not None:
                self._clear_text()
                return
        mentioned = await picked_mentions(self, conversation_id, body)
        if not outbox.has_room_for(body, mentioned):
            self.composer_error = text("outbox_full", language)
            return
        sent_at = utc_now().isoformat()
        reply_to = form_id(form_data, "reply_to")
        entry = OutboxEntry(
            viewer_id, conversation_id, client_id, body, sent_at, "", mentioned, reply_to
        )
        outbox.put(entry)
        await forget_picks(self, conversation_id, body)
        if reply_to:
            (await self.get_state(ReplyState))._forget()
        if issued == outbox_state.next_client_id:
            # The text sent, or what the box itself held if it missed carried keys: its
            # late keys follow either ("ap 1" and "tap 1" each came back as the next text).
            outbox_state._issue_next_id(written, in_box)
            if self._carried:
                self._carried = ""
            if not self.refocus:
                self.refocus = True
        self._clear_text()
        typing_over(conversation_id, viewer_id)
        # Until this handler's update arrives, the browser's composer still holds the text
        # under the same issued id: one update carries the stored message (or the failed
        # bubble) when the store is quick, always inline on SQLite, 2-5 ms over the network.
        # A "sending" bubble and a second update would cost the scaled profile 5 % of its
        # CPU per message, and the bubble alone, shown and replaced in one update, 2 % of
        # the embedded profile's.
        shown_sending = False
        if PROFILE.shows_sending_before_store:
            storing = asyncio.ensure_future(store(viewer_id, entry))
            if not await done_within(storing, SENDING_SHOWN_AFTER_SECONDS):
                # A slow store (a busy or distant database): the outbox entry, the emptied
                # composer and the "sending" bubble reach the browser first.
                if conversation.conversation_id == conversation_id:
                    view = pending_view(entry, language, conversation._stored)
                    conversation._change(lambda buffer: buffer.show_pending(view))
                outbox_state._write(outbox)
                shown_sending = True
                yield
            outcome = await storing
        else:
            outcome = await store(viewer_id, entry)
        if is_conflict(outcome) and client_id == issued:
            # The issued id went to another text whose update has not reached the browser.
            derived = replace(entry, client_id=derived_client_id(issued, body))
            if shown_sending:
                self._swap_pending(conversation, entry, derived, language)
                outbox.remove(entry.client_id)
                outbox.put(derived)
                outbox_state._write(outbox)
            entry, outcome = derived, await store(viewer_id, derived)
        await self._settle(viewer_id, entry, outcome)

    @rx.event
    @signed_in
    async def retry(self, viewer_id: int, client_id: str):
        """Send a failed message again, with the same client id (never a second row)."""
        found = await self._failed_entry(viewer_id, client_id)
        # A refusal that a second try cannot change (not friends, the text rules) offers
        # no Retry; a forged call for one does nothing either.
        if found is None or not found[2].retryable:
            return
        outbox_state, outbox, entry = found
        retried = entry.sending()
        outbox.put(retried)
        outbox_state._write(outbox)
        conversation = await self.get_state(ConversationState)
        self._swap_pending(conversation, entry, retried, await language_of(self))
        yield
        await self._settle(viewer_id, retried, await store(viewer_id, retried))

    @rx.event
    @signed_in
    async def discard(self, viewer_id: int, client_id: str):
        """Delete a failed message from the outbox (it was never stored)."""
        found = await self._failed_entry(viewer_id, client_id)
        if found is None:
            return
        outbox_state, outbox, _entry = found
        outbox.remove(client_id)
        outbox_state._write(outbox)
        conversation = await self.get_state(ConversationState)
        conversation._change(lambda buffer: buffer.replace_pending(client_id, None))

    async def _failed_entry(
        self, viewer_id: int, client_id: object
    ) -> tuple[OutboxState, Outbox, OutboxEntry] | None:
        """The outbox and its failed entry with this client id (None: no such failed entry)."""
        outbox_state = await self.get_state(OutboxState)
        outbox = outbox_state._read(viewer_id)
        entry = outbox.find(client_id) if isinstance(client_id, str) else None
        if entry is None or not entry.failure:
            return None
        return outbox_state, outbox, entry

    def _swap_pending(
        self,
        conversation: ConversationState,
        old: OutboxEntry,
        new: OutboxEntry,
        language: str,
    ) -> None:
        if conversation.conversation_id == new.conversation_id:
            view = pending_view(new, language, conversation._stored)
            conversation._change(lambda buffer: buffer.replace_pending(old.client_id, view))

    async def _settle(self, viewer_id: int, entry: OutboxEntry, outcome: Outcome) -> None:
        """Apply a store's outcome to the outbox, the bubble and the composer."""
        outbox_state = await self.get_state(OutboxState)
        outbox = outbox_state._read(viewer_id)
        conversation = await self.get_state(ConversationState)
        shown = conversation.conversation_id == entry.conversation_id
        client_id = entry.client_id
        if isinstance(outcome, SentMessage):
            outbox.remove(client_id)
            outbox_state._write(outbox)
            await publish_sent(self, outcome)
            nickname = (await self.get_state(AuthState)).nickname
            await conversation._list_first(
                entry.conversation_id, outcome.message, nickname, viewer_id
            )
            if shown:
                await conversation._show_sent(viewer_id, client_id, outcome.message)
            return
        language = await language_of(self)
        if isinstance(outcome, NotFound):
            # Nowhere to show it (not one of the user's conversations): back to the composer.
            outbox.remove(client_id)
            outbox_state._write(outbox)
            conversation._change(lambda buffer: buffer.replace_pending(client_id, None))
            if not self.draft:
                self.draft = entry.body
            self.composer_error = text("conversation_gone", language)
            return
        failed = entry.failed("error" if outcome is None else outcome.code)
        if failed.failure == "client_id_conflict":
            failed = rekeyed(failed)
            outbox.remove(client_id)
        outbox.put(failed)
        outbox_state._write(outbox)
        if shown:
            view = pending_view(failed, language, conversation._stored)
            conversation._change(lambda buffer: buffer.put_pending(client_id, view))


def _typing_changed(
    conversation_id: int, typing: bool
) -> Callable[[ConversationState], Awaitable[None]]:
    return functools.partial(_show_typing, conversation_id, typing)


async def _show_typing(conversation_id: int, typing: bool, state: ConversationState) -> None:
    state._show_typing(conversation_id, typing)
