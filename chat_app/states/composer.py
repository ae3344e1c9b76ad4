"""The composer of one tab: the draft, "typing", sending and retrying a message.

A message shows as "sending" at once (a pending copy in the conversation), becomes "sent"
after the commit and "read" when the friend's read cursor passes it; a refused or failed
store leaves it on screen, marked, with Retry (same client id: never a second row).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.models import utc_now
from chat_app.realtime import timers
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import notify_users
from chat_app.services import friends, message_text, sending
from chat_app.services.errors import DomainError, NotFound
from chat_app.services.sessions import SessionKey
from chat_app.services.views import MessageView, SentMessage
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.service_call import call_service, form_text
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in, viewer_id_of

logger = logging.getLogger(__name__)
MAX_MESSAGE_LENGTH = message_text.MAX_MESSAGE_LENGTH
DRAFT_MAX = message_text.DRAFT_MAX
TYPING_PUSH_INTERVAL = 2.0
TYPING_VISIBLE_SECONDS = 4.0


class ComposerState(rx.State):
    """What the tab's user is writing, and why the last send was refused."""

    # Kept in the tab's browser storage too: a fresh server state (a restart, another
    # worker) takes the text back from the browser instead of blanking the composer.
    draft: str = rx.SessionStorage("", name="chat_draft")
    composer_error: str = ""
    _user_id: int | None = None
    _last_typing_push: float = 0.0

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            if self._user_id is not None:
                # Another user on this tab; a fresh state keeps what was just typed.
                self.draft = self.composer_error = ""
            self._user_id = user_id

    @rx.event
    def clear(self):
        """Empty the composer (another conversation was opened, or this one closed)."""
        self._clear_text()

    def _clear_text(self) -> None:
        # Only what changes: an assigned var is re-sent even when its value is the same.
        if self.draft:
            self.draft = ""
        if self.composer_error:
            self.composer_error = ""

    @rx.event
    async def set_draft(self, value: str):
        """Keep the composer text; tell the friend "typing" at most every 2 seconds."""
        if not isinstance(value, str):
            return
        self.draft = value[:DRAFT_MAX]
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
        if not await call_service(friends.are_friends, user_a=sender, user_b=recipient):
            return
        await notify_users([recipient], ConversationState, _typing_changed(conversation_id, True))

        async def stop_typing() -> None:
            typing_over = _typing_changed(conversation_id, False)
            await notify_users([recipient], ConversationState, typing_over)

        timers.restart(("typing", sender, conversation_id), TYPING_VISIBLE_SECONDS, stop_typing)

    @rx.event
    def insert_emoji(self, emoji: str):
        """Append an emoji from the picker to the draft."""
        if isinstance(emoji, str) and len(emoji) <= 16:
            self.draft = (self.draft + emoji)[:DRAFT_MAX]

    @rx.event
    @signed_in
    async def send(self, viewer_id: int, form_data: dict):
        """Send the composer's text to the conversation the form names.

        The form names its conversation by id: events the browser queued while offline
        arrive before the page's load has reopened anything in a fresh server state, and
        must still go where the user wrote them.
        """
        conversation = await self.get_state(ConversationState)
        conversation_id = _named_conversation(form_data) or conversation.conversation_id
        if not conversation_id:
            return
        try:
            body = message_text.clean_body(form_text(form_data, "body") or self.draft)
        except DomainError as error:
            self.composer_error = text(error.code, await language_of(self))
            return
        client_id = uuid.uuid4().hex
        if conversation.conversation_id != conversation_id:
            # Not shown in this state (yet): no pending copy; the composer keeps the text
            # until the store answers, and a refusal is said there.
            await self._deliver_unseen(viewer_id, conversation_id, client_id, body)
            return
        pending = MessageView(
            seq=0,
            sender_id=viewer_id,
            client_id=client_id,
            body=body,
            sent_at=utc_now().isoformat(),
            status="sending",
        )
        conversation._change(lambda buffer: buffer.show_pending(pending))
        self._clear_text()
        if PROFILE.shows_sending_before_store:
            yield
        timers.cancel(("typing", viewer_id, conversation_id))
        await self._deliver(conversation, viewer_id, conversation_id, client_id)

    @rx.event
    @signed_in
    async def retry(self, viewer_id: int, client_id: str):
        """Send a failed message again, with the same client id (never a second row)."""
        conversation = await self.get_state(ConversationState)
        pending = conversation._buffer().pending(client_id)
        if pending is None or pending.status != "failed" or not conversation.conversation_id:
            return
        conversation._change(
            lambda buffer: buffer.replace_pending(client_id, pending.with_status("sending"))
        )
        yield
        await self._deliver(conversation, viewer_id, conversation.conversation_id, client_id)

    async def _store(
        self, viewer_id: int, conversation_id: int, client_id: str, body: str
    ) -> SentMessage | DomainError | None:
        """Store a message: the outcome, the refusal, or None when the store itself failed."""
        try:
            return await call_service(
                sending.send_message,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                client_id=client_id,
                body=body,
            )
        except DomainError as error:
            return error
        except Exception:
            # Database unreachable or similar: the text stays on screen for another try.
            # Not re-raised: Reflex would drop this update and leave the message "sending".
            logger.exception("storing a message failed; its text stays on screen")
            return None

    async def _deliver_unseen(
        self, viewer_id: int, conversation_id: int, client_id: str, body: str
    ) -> None:
        """Store a message for a conversation this state does not show."""
        sent = await self._store(viewer_id, conversation_id, client_id, body)
        if not isinstance(sent, SentMessage):
            code = "error" if sent is None else sent.code
            if isinstance(sent, NotFound):
                code = "conversation_gone"
            self.draft = self.draft or body
            self.composer_error = text(code, await language_of(self))
            return
        if self.draft == body:
            self.draft = ""
        if self.composer_error:
            self.composer_error = ""
        await publish_sent(self, sent)
        conversation = await self.get_state(ConversationState)
        await conversation._list_first(conversation_id)

    async def _deliver(
        self,
        conversation: ConversationState,
        viewer_id: int,
        conversation_id: int,
        client_id: str,
    ) -> None:
        pending = conversation._buffer().pending(client_id)
        if pending is None:
            return
        sent = await self._store(viewer_id, conversation_id, client_id, pending.body)
        if not isinstance(sent, SentMessage):
            code = "error" if sent is None else sent.code
            failed = pending.with_status("failed", text(code, await language_of(self)))
            conversation._change(lambda buffer: buffer.replace_pending(client_id, failed))
            return
        await publish_sent(self, sent)
        await conversation._list_first(conversation_id)
        if conversation.conversation_id == conversation_id:
            conversation._change(
                lambda buffer: buffer.acknowledge(client_id, sent.message, conversation._for_me)
            )


def _named_conversation(form_data: object) -> int:
    """The conversation id a send form names (a hidden field), 0 when absent or malformed."""
    named = form_text(form_data, "conversation_id")
    return int(named) if named.isascii() and named.isdigit() and len(named) <= 18 else 0


async def publish_sent(state: rx.State, sent: SentMessage) -> None:
    """Show a newly stored message in the recipient's tabs and the sender's other tabs.

    Args:
        state: A state of the sending tab (its own tab shows the message already).
        sent: The outcome of the send; nothing is pushed for a retry already stored.
    """
    if not sent.created:
        return
    nickname = (await state.get_state(AuthState)).nickname
    own_tab = state.router.session.client_token
    message = sent.message
    arrived = _message_arrived(message, sent.conversation_id, nickname, to_recipient=True)
    await notify_users(sent.recipient_ids, ConversationState, arrived, except_tab=own_tab)
    echoed = _message_arrived(message, sent.conversation_id, nickname, to_recipient=False)
    await notify_users([sent.sender_id], ConversationState, echoed, except_tab=own_tab)


def _message_arrived(
    message: MessageView, conversation_id: int, sender_nickname: str, to_recipient: bool
) -> Callable[[ConversationState], Awaitable[list[Any]]]:
    async def apply(state: ConversationState) -> list[Any]:
        return await state._receive(message, conversation_id, sender_nickname, to_recipient)

    return apply


def _typing_changed(
    conversation_id: int, typing: bool
) -> Callable[[ConversationState], Awaitable[None]]:
    async def apply(state: ConversationState) -> None:
        state._show_typing(conversation_id, typing)

    return apply
