"""The open conversation of one tab, the per-friend unread counts and the typing hint.

Bounded state: the tab holds a window of at most WINDOW_MAX messages plus a short `tail`
that new messages are appended to. Reflex re-sends a whole var when it changes, so a new
message costs the size of the tail (at most TAIL_FOLD messages), not of the history; every
TAIL_FOLD messages the tail folds into the window.

Delivery: a message shows as "sending" at once, becomes "sent" after the commit, "read"
when the friend's read cursor passes it. The database is the truth: every (re)load
fetches what is newer than the last message the tab holds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.models import utc_now
from chat_app.realtime import timers
from chat_app.realtime.push import push_to_tabs
from chat_app.realtime.registry import tab_registry
from chat_app.services import files, friends, messages
from chat_app.services.errors import DomainError, NotFound
from chat_app.services.views import HistoryPage, MessageView, ReadReceipt, SentMessage
from chat_app.settings import SETTINGS
from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from chat_app.states.links import file_link, with_avatar_link
from chat_app.states.service_call import call_service, form_text
from chat_app.states.ui import language_of

MAX_MESSAGE_LENGTH = messages.MAX_MESSAGE_LENGTH
UPLOAD_ID = "chat-attachments"
DROP_ID = "chat-drop"
TAIL_FOLD = 10
WINDOW_MAX = 3 * messages.PAGE_SIZE
TYPING_PUSH_INTERVAL = 2.0
TYPING_VISIBLE_SECONDS = 4.0


def _message_arrived(
    message: MessageView, friend_id: int, sender_nickname: str, to_recipient: bool
) -> Callable[[ChatState], Awaitable[list[Any]]]:
    async def apply(state: ChatState) -> list[Any]:
        return await state._receive(message, friend_id, sender_nickname, to_recipient)

    return apply


def _receipt_arrived(
    receipt: ReadReceipt, for_reader: bool
) -> Callable[[ChatState], Awaitable[None]]:
    async def apply(state: ChatState) -> None:
        state._apply_receipt(receipt, for_reader)

    return apply


def _typing_changed(sender_id: int, typing: bool) -> Callable[[ChatState], Awaitable[None]]:
    async def apply(state: ChatState) -> None:
        if state.open_friend_id == sender_id and state.friend_typing != typing:
            state.friend_typing = typing

    return apply


class ChatState(rx.State):
    """One tab's conversation view."""

    my_id: int = 0
    open_friend_id: int = 0
    open_friend_nickname: str = ""
    open_friend_username: str = ""
    open_friend_avatar_url: str = ""
    window: list[MessageView] = []
    tail: list[MessageView] = []
    has_older: bool = False
    # The window stops short of the newest messages (after loading many older pages).
    has_newer: bool = False
    friend_read_seq: int = 0
    unread: dict[int, int] = {}
    friend_typing: bool = False
    draft: str = ""
    composer_error: str = ""
    uploading: bool = False
    upload_progress: int = 0
    # Which conversation this tab had open: survives a backend restart (sent on hydrate).
    open_friend_store: str = rx.SessionStorage("", name="chat_open_friend")
    _user_id: int | None = None
    _my_read_seq: int = 0
    _browsing_older: bool = False
    _last_typing_push: float = 0.0

    @rx.var
    def has_messages(self) -> bool:
        """Whether the open conversation shows any message yet."""
        return bool(self.window or self.tail)

    @rx.var
    def unread_total(self) -> int:
        """Unread messages over all conversations (shown in the tab title)."""
        return sum(self.unread.values())

    # ----- session -----

    async def _viewer_id(self) -> int | None:
        auth = await self.get_state(AuthState)
        user = await auth._current_user()
        if user is None:
            self._reset_for(None)
            return None
        if self._user_id != user.id:
            self._reset_for(user.id)
        return user.id

    def _reset_for(self, user_id: int | None) -> None:
        # A fresh state (new tab, or a backend restart) keeps the conversation the browser
        # remembers; a different user on this tab must not inherit it.
        had_user = self._user_id is not None
        self._user_id = user_id
        self.my_id = user_id or 0
        self._close(forget_open_friend=had_user)
        self.unread = {}

    # ----- the message list -----

    def _stored(self) -> list[MessageView]:
        return [m for m in (*self.window, *self.tail) if m.seq > 0]

    def _last_seq(self) -> int:
        stored = self._stored()
        return stored[-1].seq if stored else 0

    def _holds(self, message: MessageView) -> bool:
        return any(
            m.seq == message.seq
            or (m.sender_id == message.sender_id and m.client_id == message.client_id)
            for m in (*self.window, *self.tail)
        )

    def _for_me(self, views: list[MessageView] | tuple[MessageView, ...]) -> list[MessageView]:
        """Attachments get download links signed for this tab's user (links differ per user)."""
        user_id = self._user_id
        if not user_id:
            return list(views)
        return [_with_links(view, user_id) if view.attachment else view for view in views]

    def _add(self, incoming: list[MessageView]) -> bool:
        """Merge stored messages in seq order (duplicates dropped); False if one is missing."""
        fresh = self._for_me([m for m in incoming if not self._holds(m)])
        if not fresh:
            return True
        contiguous = fresh[0].seq == self._last_seq() + 1 or not self._stored()
        stored_tail = [m for m in self.tail if m.seq > 0]
        pending = [m for m in self.tail if m.seq == 0]
        self.tail = sorted(stored_tail + fresh, key=lambda m: m.seq) + pending
        if len(self.tail) >= TAIL_FOLD:
            self._fold()
        return contiguous

    def _fold(self) -> None:
        stored = [m for m in self.tail if m.seq > 0]
        merged = [*self.window, *stored]
        # One page while following the conversation (each fold re-sends the window); up to
        # WINDOW_MAX while the reader has loaded older pages, so none vanish mid-read.
        limit = WINDOW_MAX if self._browsing_older else messages.PAGE_SIZE
        if len(merged) > limit:
            merged = merged[-limit:]
            self.has_older = True
        self.window = merged
        self.tail = [m for m in self.tail if m.seq == 0]

    def _replace_pending(self, client_id: str, replacement: MessageView | None) -> None:
        self.tail = [
            replacement if m.seq == 0 and m.client_id == client_id and replacement else m
            for m in self.tail
            if not (m.seq == 0 and m.client_id == client_id and replacement is None)
        ]

    def _pending(self, client_id: str) -> MessageView | None:
        return next((m for m in self.tail if m.seq == 0 and m.client_id == client_id), None)

    def _show_page(self, page: HistoryPage) -> None:
        # Unacknowledged messages of this conversation stay visible below the page.
        self.window = self._for_me(page.messages)
        self.tail = [m for m in self.tail if m.seq == 0]
        self.has_older = page.has_older
        self.has_newer = False
        self._browsing_older = False
        self.friend_read_seq = page.friend_read_seq
        self._my_read_seq = page.my_read_seq

    def _close(self, forget_open_friend: bool = True) -> None:
        self.open_friend_id = 0
        self.open_friend_nickname = self.open_friend_username = self.open_friend_avatar_url = ""
        self.window, self.tail = [], []
        self.has_older = self.has_newer = self.friend_typing = False
        self.friend_read_seq = self._my_read_seq = 0
        self.composer_error = self.draft = ""
        if forget_open_friend:
            self.open_friend_store = ""

    # ----- what other tabs push here -----

    async def _receive(
        self, message: MessageView, friend_id: int, sender_nickname: str, to_recipient: bool
    ) -> list[Any]:
        """A message of the conversation with `friend_id` was stored (pushed by another tab)."""
        friends_state = await self.get_state(FriendsState)
        friends_state._bump_to_top(friend_id)
        if to_recipient and self.friend_typing and self.open_friend_id == friend_id:
            self.friend_typing = False
        if self.open_friend_id == friend_id and not self.has_newer:
            if not self._add([message]):
                return [ChatState.catch_up]
            if to_recipient and self._user_id:
                # Read where it is shown, in this same update: no extra round trip.
                await self._read_to_end(self._user_id)
            return []
        if to_recipient:
            self.unread = {**self.unread, friend_id: self.unread.get(friend_id, 0) + 1}
            language = await language_of(self)
            return [rx.toast.info(text("notice_new_message", language, nickname=sender_nickname))]
        return []

    def _apply_receipt(self, receipt: ReadReceipt, for_reader: bool) -> None:
        if for_reader:
            if self.unread.get(receipt.friend_id, 0) != receipt.unread_left:
                self.unread = {**self.unread, receipt.friend_id: receipt.unread_left}
            if self.open_friend_id == receipt.friend_id:
                self._my_read_seq = max(self._my_read_seq, receipt.seq)
        elif self.open_friend_id == receipt.reader_id and receipt.seq > self.friend_read_seq:
            self.friend_read_seq = receipt.seq

    def _other_tabs(self, user_id: int) -> list[str]:
        own = self.router.session.client_token
        return tab_registry.tokens_of(user_id, excluding=own)

    async def _publish(self, sent: SentMessage) -> None:
        if not sent.created:
            return
        auth = await self.get_state(AuthState)
        push_to_tabs(
            self._other_tabs(sent.recipient_id),
            ChatState,
            _message_arrived(sent.message, sent.sender_id, auth.nickname, to_recipient=True),
        )
        push_to_tabs(
            self._other_tabs(sent.sender_id),
            ChatState,
            _message_arrived(sent.message, sent.recipient_id, auth.nickname, to_recipient=False),
        )

    # ----- loading -----

    @rx.event
    async def load(self):
        """On page load and after every reconnect: summaries, then catch up or reopen."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            return None
        summaries = await call_service(messages.summaries, viewer_id=viewer_id)
        unread = {s.friend_id: s.unread for s in summaries if s.unread}
        if unread != self.unread:
            self.unread = unread
        if self.open_friend_id:
            return await self._catch_up(viewer_id)
        if self.open_friend_store.isdigit():
            return await self._open(viewer_id, int(self.open_friend_store))
        return None

    async def _catch_up(self, viewer_id: int):
        friend_id = self.open_friend_id
        after = self._last_seq()
        try:
            missing = await call_service(
                messages.messages_after, viewer_id=viewer_id, friend_id=friend_id, after_seq=after
            )
            if len(missing) >= messages.PAGE_SIZE or not self._add(list(missing)):
                # A long absence: start again from the newest page.
                page = await call_service(
                    messages.history, viewer_id=viewer_id, friend_id=friend_id
                )
                self._show_page(page)
        except NotFound:
            self._close()
            return None
        return ChatState.mark_seen

    @rx.event
    async def catch_up(self):
        """Fill a gap the tab noticed in the pushed sequence."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            return rx.redirect(routes.AUTH)
        if self.open_friend_id:
            return await self._catch_up(viewer_id)
        return None

    async def _open(self, viewer_id: int, friend_id: object):
        try:
            page = await call_service(messages.history, viewer_id=viewer_id, friend_id=friend_id)
        except NotFound:
            # A stale or forged id: say so and leave whatever is open as it is.
            return rx.toast.error(text("not_found", await language_of(self)))
        self._close()
        self.open_friend_id = page.friend.user_id
        self.open_friend_nickname = page.friend.nickname
        self.open_friend_username = page.friend.username
        self.open_friend_avatar_url = with_avatar_link(page.friend, viewer_id).avatar_url
        self.open_friend_store = str(page.friend.user_id)
        self._show_page(page)
        return ChatState.mark_seen

    @rx.event
    async def open_conversation(self, friend_id: int):
        """Show the conversation with a friend (the newest page)."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            return rx.redirect(routes.AUTH)
        return await self._open(viewer_id, friend_id)

    @rx.event
    def close_conversation(self):
        """Back to the friend list (phones)."""
        self._close()

    @rx.event
    async def load_older(self):
        """Prepend the page before the oldest message shown."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            return rx.redirect(routes.AUTH)
        stored = self._stored()
        if not self.open_friend_id or not stored or not self.has_older:
            return None
        page = await call_service(
            messages.history,
            viewer_id=viewer_id,
            friend_id=self.open_friend_id,
            before_seq=stored[0].seq,
        )
        self._browsing_older = True
        self._fold()
        merged = [*self._for_me(page.messages), *self.window]
        if len(merged) > WINDOW_MAX:
            # Keep state bounded: drop the newest; "jump to latest" brings them back.
            merged = merged[:WINDOW_MAX]
            self.has_newer = True
        self.window = merged
        self.has_older = page.has_older
        # Keep the reader on the message that was on top before the older ones came in.
        return rx.scroll_to(f"message-{stored[0].seq}")

    @rx.event
    async def jump_to_latest(self):
        """Reload the newest page after browsing far back."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            return rx.redirect(routes.AUTH)
        if self.open_friend_id:
            return await self._open(viewer_id, self.open_friend_id)
        return None

    # ----- reading -----

    @rx.event
    async def mark_seen(self):
        """The open conversation is on screen: move the read cursor and tell the friend."""
        viewer_id = await self._viewer_id()
        if viewer_id is not None:
            await self._read_to_end(viewer_id)

    def _forget_unread(self, friend_id: int) -> None:
        if friend_id in self.unread:
            self.unread = {k: v for k, v in self.unread.items() if k != friend_id}

    async def _read_to_end(self, viewer_id: int) -> None:
        """Move the read cursor to the newest message shown and send the receipts."""
        if not self.open_friend_id or self.has_newer:
            return
        last = self._last_seq()
        self._forget_unread(self.open_friend_id)
        if last <= self._my_read_seq:
            return
        try:
            receipt = await call_service(
                messages.mark_read,
                viewer_id=viewer_id,
                friend_id=self.open_friend_id,
                up_to_seq=last,
            )
        except NotFound:
            return
        self._my_read_seq = last
        if receipt is not None:
            push_to_tabs(
                self._other_tabs(receipt.friend_id), ChatState, _receipt_arrived(receipt, False)
            )
            push_to_tabs(
                self._other_tabs(receipt.reader_id), ChatState, _receipt_arrived(receipt, True)
            )

    # ----- composing and sending -----

    @rx.event
    async def set_draft(self, value: str):
        """Keep the composer text; tell the friend "typing" at most every 2 seconds."""
        if not isinstance(value, str):
            return
        self.draft = value[: messages.MAX_MESSAGE_LENGTH + 100]
        self.composer_error = ""
        now = time.monotonic()
        if not value.strip() or not self.open_friend_id:
            return
        if now - self._last_typing_push < TYPING_PUSH_INTERVAL:
            return
        self._last_typing_push = now
        # Like every push, only for a live session, and only to a friend: an ex-friend
        # whose history stays readable must not see this user typing.
        sender, recipient = await self._viewer_id(), self.open_friend_id
        if sender is None or not recipient:
            return
        if not await call_service(friends.are_friends, user_a=sender, user_b=recipient):
            return
        tabs = tab_registry.tokens_of(recipient)
        push_to_tabs(tabs, ChatState, _typing_changed(sender, True))

        async def stop_typing() -> None:
            still_open = tab_registry.tokens_of(recipient)
            push_to_tabs(still_open, ChatState, _typing_changed(sender, False))

        timers.restart(("typing", sender, recipient), TYPING_VISIBLE_SECONDS, stop_typing)

    @rx.event
    def insert_emoji(self, emoji: str):
        """Append an emoji from the picker to the draft."""
        if isinstance(emoji, str) and len(emoji) <= 16:
            self.draft = (self.draft + emoji)[: messages.MAX_MESSAGE_LENGTH + 100]

    @rx.event
    async def send(self, form_data: dict):
        """Send the composer's text to the open conversation."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            yield rx.redirect(routes.AUTH)
            return
        if not self.open_friend_id:
            return
        try:
            body = messages.clean_body(form_text(form_data, "body") or self.draft)
        except DomainError as error:
            self.composer_error = text(error.code, await language_of(self))
            return
        client_id = uuid.uuid4().hex
        self.tail = [
            *self.tail,
            MessageView(
                seq=0,
                sender_id=viewer_id,
                client_id=client_id,
                body=body,
                sent_at=utc_now().isoformat(),
                status="sending",
            ),
        ]
        self.draft = ""
        self.composer_error = ""
        yield
        timers.cancel(("typing", viewer_id, self.open_friend_id))
        await self._deliver(viewer_id, self.open_friend_id, client_id)

    @rx.event
    async def retry(self, client_id: str):
        """Send a failed message again, with the same client id (never a second row)."""
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            yield rx.redirect(routes.AUTH)
            return
        pending = self._pending(client_id) if isinstance(client_id, str) else None
        if pending is None or pending.status != "failed" or not self.open_friend_id:
            return
        self._replace_pending(client_id, _with_status(pending, "sending", ""))
        yield
        await self._deliver(viewer_id, self.open_friend_id, client_id)

    # ----- attachments -----

    @rx.event
    def set_upload_progress(self, progress: dict):
        """Progress of the running upload (from the browser), 0-100."""
        value = progress.get("progress", 0) if isinstance(progress, dict) else 0
        if isinstance(value, int | float):
            self.upload_progress = max(0, min(100, int(value * 100)))

    @rx.event
    def cancel_upload(self):
        """Stop the running upload; the server stores nothing of it."""
        self.uploading = False
        self.upload_progress = 0
        return [rx.cancel_upload(UPLOAD_ID), rx.cancel_upload(DROP_ID)]

    @rx.event
    async def reject_files(self, count: int):
        """The browser refused `count` files (over the size limit) before sending them."""
        language = await language_of(self)
        self.composer_error = text("file_too_large", language, limit=SETTINGS.max_upload_mb)

    @rx.event
    def start_upload(self):
        """The upload request is starting: show the progress bar."""
        self.uploading = True
        self.upload_progress = 0
        self.composer_error = ""

    @rx.event
    async def upload(self, files_: list[rx.UploadFile]):
        """Send each uploaded file as a message to the open conversation."""
        self.uploading = False
        self.upload_progress = 0
        viewer_id = await self._viewer_id()
        if viewer_id is None:
            return rx.redirect(routes.AUTH)
        friend_id = self.open_friend_id
        if not friend_id or not isinstance(files_, list):
            return None
        language = await language_of(self)
        for upload in files_:
            try:
                sent = await call_service(
                    files.send_file,
                    viewer_id=viewer_id,
                    friend_id=friend_id,
                    client_id=uuid.uuid4().hex,
                    source=upload.file,
                    name=upload.filename,
                )
            except DomainError as error:
                self.composer_error = text(error.code, language, limit=SETTINGS.max_upload_mb)
                return None
            await self._publish(sent)
            if self.open_friend_id == friend_id:
                self._add([sent.message])
        return None

    async def _deliver(self, viewer_id: int, friend_id: int, client_id: str) -> None:
        pending = self._pending(client_id)
        if pending is None:
            return
        try:
            sent = await call_service(
                messages.send_message,
                viewer_id=viewer_id,
                friend_id=friend_id,
                client_id=client_id,
                body=pending.body,
            )
        except DomainError as error:
            reason = text(error.code, await language_of(self))
            self._replace_pending(client_id, _with_status(pending, "failed", reason))
            return
        except Exception:
            # Database unreachable or similar: the message stays, marked, for a retry.
            reason = text("error", await language_of(self))
            self._replace_pending(client_id, _with_status(pending, "failed", reason))
            raise
        await self._publish(sent)
        friends_state = await self.get_state(FriendsState)
        friends_state._bump_to_top(friend_id)
        if self.open_friend_id == friend_id:
            self._replace_pending(client_id, None)
            self._add([sent.message])


def _with_links(view: MessageView, user_id: int) -> MessageView:
    attachment = view.attachment
    if attachment is None:
        return view
    links = replace(
        attachment,
        file_url=file_link(user_id, attachment.file_id, "file"),
        thumb_url=(
            file_link(user_id, attachment.file_id, "thumb") if attachment.has_thumbnail else ""
        ),
    )
    return replace(view, attachment=links)


def _with_status(message: MessageView, status: str, error: str) -> MessageView:
    return MessageView(
        seq=message.seq,
        sender_id=message.sender_id,
        client_id=message.client_id,
        body=message.body,
        sent_at=message.sent_at,
        status=status,
        error=error,
    )
