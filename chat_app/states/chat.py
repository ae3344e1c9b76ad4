"""The open conversation of one tab, the per-friend unread counts and the typing hint.

Bounded state: the tab holds a `window` of loaded pages and a ring of single-message slot
vars that new messages go into (the rules, without Reflex: `message_buffer.py`). The page
shows the slots after the window, ordered by seq (CSS `order`).

Delivery: a message shows as "sending" at once, becomes "sent" after the commit, "read"
when the friend's read cursor passes it. The database is the truth: every (re)load
fetches what is newer than the last message the tab holds.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.models import utc_now
from chat_app.realtime import timers
from chat_app.realtime.push import push_to_tabs
from chat_app.realtime.registry import tab_registry, tokens_of
from chat_app.services import file_uploads, friends, history, message_text, read_cursors, sending
from chat_app.services import summaries as summary_service
from chat_app.services.errors import DomainError, NotFound
from chat_app.services.sessions import SessionKey
from chat_app.services.views import HistoryPage, MessageView, ReadReceipt, SentMessage
from chat_app.settings import SETTINGS
from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from chat_app.states.links import file_link, with_avatar_link
from chat_app.states.message_buffer import LIVE_SLOTS, LiveSlot, MessageBuffer
from chat_app.states.safe_text import scroll_to, toast_error, toast_info
from chat_app.states.service_call import (
    call_service,
    call_slow_service,
    database_is_local,
    form_text,
)
from chat_app.states.ui import language_of

logger = logging.getLogger(__name__)
MAX_MESSAGE_LENGTH = message_text.MAX_MESSAGE_LENGTH
UPLOAD_ID = "chat-attachments"
DROP_ID = "chat-drop"
WINDOW_MAX = 3 * history.PAGE_SIZE
TYPING_PUSH_INTERVAL = 2.0
READ_DELAY = 1.0
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


def _read_in(tab_token: str) -> Callable[[], Awaitable[None]]:
    async def read() -> None:
        push_to_tabs([tab_token], ChatState, _read_shown_messages)

    return read


async def _read_shown_messages(state: ChatState) -> None:
    if state._user_id:
        await state._read_to_end(state._user_id)


def _typing_changed(sender_id: int, typing: bool) -> Callable[[ChatState], Awaitable[None]]:
    async def apply(state: ChatState) -> None:
        if state.open_friend_id == sender_id and state.friend_typing != typing:
            state.friend_typing = typing

    return apply


T = TypeVar("T")


def slot_name(index: int) -> str:
    """The var holding slot `index` of the live ring."""
    return f"live_{index}"


SLOT_NAMES = tuple(slot_name(index) for index in range(LIVE_SLOTS))


class ChatState(rx.State):
    """One tab's conversation view."""

    my_id: int = 0
    open_friend_id: int = 0
    open_friend_nickname: str = ""
    open_friend_username: str = ""
    open_friend_avatar_url: str = ""
    window: list[MessageView] = []
    # The live ring, live_0 … live_{LIVE_SLOTS - 1} (SLOT_NAMES; a test checks they match).
    live_0: LiveSlot | None = None
    live_1: LiveSlot | None = None
    live_2: LiveSlot | None = None
    live_3: LiveSlot | None = None
    live_4: LiveSlot | None = None
    live_5: LiveSlot | None = None
    live_6: LiveSlot | None = None
    live_7: LiveSlot | None = None
    live_8: LiveSlot | None = None
    live_9: LiveSlot | None = None
    live_10: LiveSlot | None = None
    live_11: LiveSlot | None = None
    live_12: LiveSlot | None = None
    live_13: LiveSlot | None = None
    live_14: LiveSlot | None = None
    live_15: LiveSlot | None = None
    live_16: LiveSlot | None = None
    live_17: LiveSlot | None = None
    live_18: LiveSlot | None = None
    live_19: LiveSlot | None = None
    live_20: LiveSlot | None = None
    live_21: LiveSlot | None = None
    live_22: LiveSlot | None = None
    live_23: LiveSlot | None = None
    live_24: LiveSlot | None = None
    live_25: LiveSlot | None = None
    live_26: LiveSlot | None = None
    live_27: LiveSlot | None = None
    live_28: LiveSlot | None = None
    live_29: LiveSlot | None = None
    has_messages: bool = False
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
    _link_key: SessionKey | None = None  # the login session this tab signs links for
    _my_read_seq: int = 0
    _browsing_older: bool = False
    _last_typing_push: float = 0.0
    _pending_count: int = 0

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
        self._link_key = await auth._link_key()
        return user.id

    def _reset_for(self, user_id: int | None) -> None:
        # A fresh state (new tab, or a backend restart) keeps the conversation the browser
        # remembers; a different user on this tab must not inherit it.
        had_user = self._user_id is not None
        self._user_id = user_id
        self.my_id = user_id or 0
        self._close(forget_open_friend=had_user)
        self.unread = {}

    # ----- the message list (the rules: message_buffer.py) -----

    # The buffer gets the raw values (`__dict__`), read once per change: they hold frozen
    # dataclasses, so Reflex's change-tracking proxy is not needed, and reading through it
    # was a quarter of the server's CPU per message (`make bench`, py-spy). Only what the
    # buffer changed is assigned back, so Reflex re-sends only that.

    def _buffer(self) -> MessageBuffer:
        raw = self.__dict__
        return MessageBuffer(
            window=raw.get("window") or [],
            slots=[raw.get(name) for name in SLOT_NAMES],
            window_max=WINDOW_MAX,
            has_messages=raw.get("has_messages", False),
            has_older=raw.get("has_older", False),
            has_newer=raw.get("has_newer", False),
            browsing_older=self._browsing_older,
            pending_count=self._pending_count,
        )

    def _change(self, change: Callable[[MessageBuffer], T]) -> T:
        """Run `change` on the buffer and assign back the vars it changed."""
        buffer = self._buffer()
        result = change(buffer)
        if buffer.window_changed:
            self.window = buffer.window
        for index in sorted(buffer.changed_slots):
            setattr(self, SLOT_NAMES[index], buffer.slots[index])
        raw = self.__dict__
        for name in ("has_messages", "has_older", "has_newer"):
            if raw.get(name) != getattr(buffer, name):
                setattr(self, name, getattr(buffer, name))
        self._browsing_older = buffer.browsing_older
        self._pending_count = buffer.pending_count
        return result

    def _live(self) -> list[MessageView]:
        return self._buffer().live()

    def _stored(self) -> list[MessageView]:
        return self._buffer().stored()

    def _for_me(self, views: list[MessageView] | tuple[MessageView, ...]) -> list[MessageView]:
        """Attachments get download links signed for this tab's user (links differ per user)."""
        key = self._link_key if self._user_id else None
        if key is None:
            return list(views)
        return [_with_links(view, key) if view.attachment else view for view in views]

    def _add(self, incoming: list[MessageView]) -> bool:
        """Show stored messages; False when one is missing before them (then catch up)."""
        return self._change(lambda buffer: buffer.add(incoming, self._for_me))

    def _replace_pending(self, client_id: str, replacement: MessageView | None) -> None:
        self._change(lambda buffer: buffer.replace_pending(client_id, replacement))

    def _show_page(self, page: HistoryPage) -> None:
        shown = self._for_me(page.messages)
        self._change(lambda buffer: buffer.show_page(shown, page.has_older))
        self.friend_read_seq = page.friend_read_seq
        self._my_read_seq = page.my_read_seq

    def _close(self, forget_open_friend: bool = True) -> None:
        self.open_friend_id = 0
        self.open_friend_nickname = self.open_friend_username = self.open_friend_avatar_url = ""
        self._change(MessageBuffer.clear)
        self.friend_typing = False
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
                # Read where it is shown, without a round trip to the browser, but after this
                # update has gone out (delivery does not wait for a commit) and once per
                # READ_DELAY however fast messages stream in.
                tab = self.router.session.client_token
                timers.start_once(("read", tab), READ_DELAY, _read_in(tab))
            return []
        if to_recipient:
            self.unread = {**self.unread, friend_id: self.unread.get(friend_id, 0) + 1}
            language = await language_of(self)
            return [toast_info(text("notice_new_message", language, nickname=sender_nickname))]
        return []

    def _apply_receipt(self, receipt: ReadReceipt, for_reader: bool) -> None:
        if for_reader:
            if self.unread.get(receipt.friend_id, 0) != receipt.unread_left:
                self.unread = {**self.unread, receipt.friend_id: receipt.unread_left}
            if self.open_friend_id == receipt.friend_id:
                self._my_read_seq = max(self._my_read_seq, receipt.seq)
        elif self.open_friend_id == receipt.reader_id and receipt.seq > self.friend_read_seq:
            self.friend_read_seq = receipt.seq

    async def _other_tabs(self, user_id: int) -> list[str]:
        own = self.router.session.client_token
        return await tokens_of(tab_registry, user_id, excluding=own)

    async def _publish(self, sent: SentMessage) -> None:
        if not sent.created:
            return
        auth = await self.get_state(AuthState)
        push_to_tabs(
            await self._other_tabs(sent.recipient_id),
            ChatState,
            _message_arrived(sent.message, sent.sender_id, auth.nickname, to_recipient=True),
        )
        push_to_tabs(
            await self._other_tabs(sent.sender_id),
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
        summaries = await call_service(summary_service.summaries, viewer_id=viewer_id)
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
        # From the first hole: a push that arrived ahead of a missing one is already shown.
        after = self._buffer().catch_up_after()
        try:
            missing = await call_service(
                history.messages_after, viewer_id=viewer_id, friend_id=friend_id, after_seq=after
            )
            if len(missing) >= history.PAGE_SIZE or not self._add(list(missing)):
                # A long absence: start again from the newest page.
                page = await call_service(history.history, viewer_id=viewer_id, friend_id=friend_id)
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
            page = await call_service(history.history, viewer_id=viewer_id, friend_id=friend_id)
        except NotFound:
            # A stale or forged id: say so and leave whatever is open as it is.
            return toast_error(text("not_found", await language_of(self)))
        self._close()
        self.open_friend_id = page.friend.user_id
        self.open_friend_nickname = page.friend.nickname
        self.open_friend_username = page.friend.username
        self.open_friend_avatar_url = with_avatar_link(page.friend, self._link_key).avatar_url
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
            history.history,
            viewer_id=viewer_id,
            friend_id=self.open_friend_id,
            before_seq=stored[0].seq,
        )
        older = self._for_me(page.messages)
        self._change(lambda buffer: buffer.show_older(older, page.has_older))
        # Keep the reader on the message that was on top before the older ones came in.
        return scroll_to(f"message-{stored[0].seq}")

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
        last = self._buffer().last_seq()
        self._forget_unread(self.open_friend_id)
        if last <= self._my_read_seq:
            return
        try:
            receipt = await call_service(
                read_cursors.mark_read,
                viewer_id=viewer_id,
                friend_id=self.open_friend_id,
                up_to_seq=last,
            )
        except NotFound:
            return
        self._my_read_seq = last
        if receipt is not None:
            # Not shared while a block stands between the two (read_cursors.mark_read).
            to_friend = await self._other_tabs(receipt.friend_id) if receipt.shared else []
            push_to_tabs(to_friend, ChatState, _receipt_arrived(receipt, False))
            to_reader = await self._other_tabs(receipt.reader_id)
            push_to_tabs(to_reader, ChatState, _receipt_arrived(receipt, True))

    # ----- composing and sending -----

    @rx.event
    async def set_draft(self, value: str):
        """Keep the composer text; tell the friend "typing" at most every 2 seconds."""
        if not isinstance(value, str):
            return
        self.draft = value[: message_text.MAX_MESSAGE_LENGTH + 100]
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
        tabs = await tokens_of(tab_registry, recipient)
        push_to_tabs(tabs, ChatState, _typing_changed(sender, True))

        async def stop_typing() -> None:
            still_open = await tokens_of(tab_registry, recipient)
            push_to_tabs(still_open, ChatState, _typing_changed(sender, False))

        timers.restart(("typing", sender, recipient), TYPING_VISIBLE_SECONDS, stop_typing)

    @rx.event
    def insert_emoji(self, emoji: str):
        """Append an emoji from the picker to the draft."""
        if isinstance(emoji, str) and len(emoji) <= 16:
            self.draft = (self.draft + emoji)[: message_text.MAX_MESSAGE_LENGTH + 100]

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
            body = message_text.clean_body(form_text(form_data, "body") or self.draft)
        except DomainError as error:
            self.composer_error = text(error.code, await language_of(self))
            return
        client_id = uuid.uuid4().hex
        pending = MessageView(
            seq=0,
            sender_id=viewer_id,
            client_id=client_id,
            body=body,
            sent_at=utc_now().isoformat(),
            status="sending",
        )
        self._change(lambda buffer: buffer.show_pending(pending))
        self.draft = ""
        self.composer_error = ""
        if not database_is_local():
            # Show "sending" while the database round trip runs. On SQLite the store runs
            # inline and this update would leave together with the next one: skipping it
            # saves an update per message.
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
        pending = self._buffer().pending(client_id) if isinstance(client_id, str) else None
        if pending is None or pending.status != "failed" or not self.open_friend_id:
            return
        self._replace_pending(client_id, pending.with_status("sending"))
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
                sent = await call_slow_service(
                    file_uploads.send_file,
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
        pending = self._buffer().pending(client_id)
        if pending is None:
            return
        try:
            sent = await call_service(
                sending.send_message,
                viewer_id=viewer_id,
                friend_id=friend_id,
                client_id=client_id,
                body=pending.body,
            )
        except DomainError as error:
            reason = text(error.code, await language_of(self))
            self._replace_pending(client_id, pending.with_status("failed", reason))
            return
        except Exception:
            # Database unreachable or similar: the message stays, marked, for a retry. Not
            # re-raised: Reflex would then drop this update and leave it "sending" forever.
            logger.exception("storing a message failed; the sender can retry it")
            reason = text("error", await language_of(self))
            self._replace_pending(client_id, pending.with_status("failed", reason))
            return
        await self._publish(sent)
        friends_state = await self.get_state(FriendsState)
        friends_state._bump_to_top(friend_id)
        if self.open_friend_id == friend_id:
            self._change(lambda buffer: buffer.acknowledge(client_id, sent.message, self._for_me))


def _with_links(view: MessageView, key: SessionKey) -> MessageView:
    attachment = view.attachment
    if attachment is None:
        return view
    links = replace(
        attachment,
        file_url=file_link(key, attachment.file_id, "file"),
        thumb_url=file_link(key, attachment.file_id, "thumb") if attachment.has_thumbnail else "",
    )
    return replace(view, attachment=links)
