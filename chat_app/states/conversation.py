"""The conversation a tab shows: the small state that every message push touches.

It holds the open conversation's header, its messages (`LiveMessages`: a window plus live
slots) and both read positions. A push of a new message, a receipt or "typing" loads and
saves this state alone (and the root): the friend list and the unread counts are touched
only when the message belongs to another conversation or the list's order changes.

Delivery: the database is the truth; a (re)load or a gap fetches what the tab lacks.
"""

from __future__ import annotations

import functools
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.services import conversations, history
from chat_app.services.errors import NotFound
from chat_app.services.sessions import SessionKey
from chat_app.services.views import HistoryPage, MessageView
from chat_app.states.group_header import GroupHeaderVars
from chat_app.states.group_reads import GroupReads
from chat_app.states.group_timeline import GroupTimeline
from chat_app.states.group_typing import GroupTyping
from chat_app.states.history_entry import HistoryEntry
from chat_app.states.history_paging import HistoryPaging
from chat_app.states.links import with_avatar_link, with_file_links
from chat_app.states.live_messages import LiveMessages
from chat_app.states.mention_marks import MentionMarks
from chat_app.states.mention_notices import ALOUD, MENTIONS, MUTED, mention_toast
from chat_app.states.message_buffer import MessageBuffer
from chat_app.states.message_changes import MessageChanges
from chat_app.states.notices import new_messages_toast
from chat_app.states.outbox import OutboxState, pending_view
from chat_app.states.place import PlaceState, opening_page, seq_or_none
from chat_app.states.place_entries import BOTTOM
from chat_app.states.push_gaps import catch_up_if_gap_stays
from chat_app.states.read_receipts import ReadReceipts
from chat_app.states.reader_position import ReaderPosition
from chat_app.states.row_lines import RowLines
from chat_app.states.row_values import add_row_buckets
from chat_app.states.safe_text import scroll_to, toast_error
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.unread import UnreadState
from chat_app.states.viewer import signed_in, viewer_id_of

# The element at the end of the message list (components/conversation_pane.py).
LIST_END = "message-list-end"


class ConversationState(
    LiveMessages,
    ReadReceipts,
    ReaderPosition,
    GroupHeaderVars,
    GroupTimeline,
    GroupTyping,
    GroupReads,
    MentionMarks,
    MessageChanges,
    RowLines,
    HistoryEntry,
    HistoryPaging,
    rx.State,
):
    """One tab's open conversation."""

    my_id: int = 0
    # The open conversation (0: none) and the other person in it.
    conversation_id: int = 0
    open_friend_id: int = 0
    open_friend_nickname: str = ""
    open_friend_username: str = ""
    open_friend_avatar_url: str = ""
    friend_typing: bool = False
    # Opened by a departed member (ex-friend, left or removed from a group): history only.
    read_only: bool = False
    # Which conversation this tab had open: survives a backend restart (sent on hydrate).
    open_conversation_store: str = rx.SessionStorage("", name="chat_open_conversation")
    # What tabs opened before conversations had ids: the friend's id, read once and erased.
    open_friend_store: str = rx.SessionStorage("", name="chat_open_friend")
    _user_id: int | None = None
    _link_key: SessionKey | None = None  # the login session this tab signs links for

    # ----- who is viewing (states/viewer.py) -----

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            # A fresh state (new tab, backend restart) keeps the conversation the browser
            # remembers; a different user on this tab must not inherit it.
            had_user = self._user_id is not None
            self._user_id = user_id
            self.my_id = user_id or 0
            self._close(forget_open=had_user)
        if self._link_key != link_key:  # assigned, the state is saved again (auth.py)
            self._link_key = link_key

    # ----- the message list -----

    def _for_me(self, views: list[MessageView] | tuple[MessageView, ...]) -> list[MessageView]:
        """Links signed for this tab's user (they differ per user), system lines in words."""
        shown = list(views)
        # The key is read only for files: a read of it wraps it in a change-tracking proxy.
        if any(view.attachment for view in shown) and self._user_id:
            key = self._link_key
            if key is not None:
                shown = [with_file_links(view, key) if view.attachment else view for view in shown]
        return self._in_words(shown)

    def _add(self, incoming: list[MessageView]) -> bool:
        """Show stored messages; False when one is missing before them (then catch up)."""
        return self._change(lambda buffer: buffer.add(incoming, self._for_me))

    def _show_page(self, page: HistoryPage) -> None:
        shown = self._for_me(page.messages)
        self._change(lambda buffer: buffer.show_page(shown, page.has_older, page.last_seq))
        self.friend_read_seq = page.friend_read_seq
        self._my_read_seq = page.my_read_seq
        self._changes_read(page.last_change_seq)
        self._hidden_read(page.hidden_seqs)

    def _close(self, forget_open: bool = True) -> None:
        self.conversation_id = self.open_friend_id = 0
        self.open_friend_nickname = self.open_friend_username = self.open_friend_avatar_url = ""
        self._change(MessageBuffer.clear)
        self.friend_typing = self.read_only = False
        self._clear_group()
        self._forget_timeline()
        self._forget_mentions()
        self._forget_changes()
        self._clear_typers()
        self._clear_reads()
        self.friend_read_seq = self._my_read_seq = 0
        self._reset_position()
        if forget_open:
            self.open_conversation_store = ""

    # ----- what other tabs push here -----

    async def _receive(
        self,
        message: MessageView,
        conversation_id: int,
        sender_nickname: str,
        to_recipient: bool,
        notice: str = ALOUD,
    ) -> list[Any]:
        """A message was stored (pushed by another tab); `notice`: states/mention_notices.py."""
        await self._list_first(conversation_id, message, sender_nickname, self._user_id)
        showing = self.conversation_id == conversation_id
        mentioned = notice in MENTIONS
        if mentioned and showing:
            self._mark_mention(message.seq)
        if to_recipient and self.friend_typing and showing:
            self.friend_typing = False
        if to_recipient and showing and self._typers:
            self._typer_gone(message.sender_id)
        if showing and not self.has_newer:
            await self._learn_people([message])
            if not self._add([message]):
                catch_up_if_gap_stays(self)  # read once whole
                return []
            if to_recipient and self._user_id:
                if not self._looking():
                    # Not read: on "↓ N new" and unread (the tab's title) until seen.
                    self.unseen += 1
                    (await self.get_state(UnreadState))._count_one(conversation_id, mentioned)
                    return []
                # Read where it is shown, without a round trip to the browser, but after this
                # update has gone out (delivery does not wait for a commit).
                self._read_soon(forget_unread=False)
            return []
        if to_recipient:
            unread = await self.get_state(UnreadState)
            unread._count_one(conversation_id, mentioned)
            if showing or notice == MUTED:
                # Older pages on screen (counted on "↓ N new" too) or muted: not toasted.
                if showing:
                    self.unseen += 1
                return []
            # One toast per conversation, counting its unread messages (reset on reading).
            count, language = unread._unread(conversation_id), await language_of(self)
            if mentioned:
                return [mention_toast(conversation_id, sender_nickname, language)]
            return [new_messages_toast(conversation_id, count, sender_nickname, language)]
        return []

    def _show_typing(self, conversation_id: int, typing: bool) -> None:
        if self.conversation_id == conversation_id and self.friend_typing != typing:
            self.friend_typing = typing

    # ----- loading -----

    @rx.event
    async def load(self):
        """On page load and after every reconnect: catch up, or reopen what the tab had open."""
        return await self._load()

    async def _load(self):
        viewer_id = await viewer_id_of(self)
        if viewer_id is None:
            return None
        # Messages may have arrived while away: the list's order is the server's again.
        self._listed_first = 0
        if self.conversation_id and self._went_back():
            return await self._leave(viewer_id)
        if self.conversation_id:
            shown = await self._catch_up(viewer_id, back=True)
        elif self.open_conversation_store.isdigit():
            shown = await self._open(viewer_id, int(self.open_conversation_store))
        elif self.open_friend_store.isdigit():
            shown = await self._open_remembered_friend(viewer_id)
        else:
            return None
        return self._with_entry(shown, bool(self.conversation_id), loading=True)

    async def _open_remembered_friend(self, viewer_id: int):
        """Reopen what an older version of the app remembered by friend, and forget that."""
        friend_id, self.open_friend_store = int(self.open_friend_store), ""
        try:
            found = await call_service(
                conversations.direct_with, viewer_id=viewer_id, friend_id=friend_id
            )
        except NotFound:
            return None
        return await self._open(viewer_id, found)

    async def _catch_up(self, viewer_id: int, back: bool = False):
        conversation_id = self.conversation_id
        # From the first hole: a push that arrived ahead of a missing one is already shown.
        after = self._buffer().catch_up_after()
        # Back from an absence: also what was deleted for this user on another device.
        stored = self._buffer().stored() if back else []
        try:
            now = await call_service(
                history.catch_up,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                after_seq=after,
                after_change=self._change_seq,
                hidden_from=stored[0].seq if stored else None,
            )
            # Removed, unfriended or the group renamed while away: no push says so later.
            if self.read_only != (not now.writable):
                self.read_only = not now.writable
            self._show_group(now.group, self._link_key)
            # Short of the newest on purpose (paged back): "Load newer" goes on from the page.
            missing = () if self.has_newer else now.messages
            await self._learn_people(missing)
            self._show_changes(now.changes, now.last_change_seq)
            self._hidden_read(now.hidden_seqs, older=True)
            if now.changes_cut or len(missing) >= history.PAGE_SIZE or not self._add(list(missing)):
                # A long absence: start again from the newest page.
                page = await call_service(
                    history.history, viewer_id=viewer_id, conversation_id=conversation_id
                )
                await self._learn_people(page.messages, fresh=True)
                self._show_page(page)
        except NotFound:
            self._close()
            return None
        return ConversationState.mark_seen

    @rx.event
    @signed_in
    async def catch_up(self, viewer_id: int):
        """Fill a gap the tab noticed in the pushed sequence."""
        if self.conversation_id:
            return await self._catch_up(viewer_id)
        return None

    async def _open(
        self, viewer_id: int, conversation_id: object, newest: bool = False, at_seq: int = 0
    ):
        """Show a conversation where it was left, at its first unread, `newest` or `at_seq`."""
        try:
            page = await call_service(
                history.history, viewer_id=viewer_id, conversation_id=conversation_id
            )
        except NotFound:
            # A stale or forged id: say so and leave whatever is open as it is.
            return toast_error(text("not_found", await language_of(self)))
        places = await self.get_state(PlaceState)
        left = self._shown_or_remembered()
        switching = page.conversation_id != left
        kept = switching and not newest
        anchor = at_seq or (places._anchor_of(viewer_id, page.conversation_id) if kept else BOTTOM)
        page, first_unread, short, anchor = await opening_page(
            viewer_id, page, anchor, at_seq > 0, newest
        )
        if switching and (refused := await self._switch_places(viewer_id, left, opened=page)):
            return refused
        self._close()
        self.read_only = not page.writable
        self._show_group(page.group, self._link_key)
        self.conversation_id = page.conversation_id
        self.open_friend_id = page.friend.user_id
        self.open_friend_nickname = page.friend.nickname
        self.open_friend_username = page.friend.username
        self.open_friend_avatar_url = with_avatar_link(page.friend, self._link_key).avatar_url
        self.open_conversation_store = str(page.conversation_id)
        await self._learn_people(page.messages, fresh=True)
        self._show_page(page)
        if short:
            self._change(MessageBuffer.stop_short)
        await self._show_mentions(viewer_id, page)
        seqs = [m.seq for m in page.messages]
        if self._open_at(seqs, first_unread, anchor, newest, at_seq) and first_unread:
            # "↓ N new" counts what is unread, as the chat's row does (Telegram's ↓), also
            # where the reader left off above it; the others' messages shown from the first
            # unread on while the counts load.
            counted = (await self.get_state(UnreadState))._unread(page.conversation_id)
            unread = counted or sum(
                1 for m in page.messages if m.seq >= first_unread and m.sender_id != viewer_id
            )
            if unread:
                self.unseen = unread
        places._follow_line(page.conversation_id)
        await self._show_unsent(viewer_id)
        return ConversationState.mark_seen

    async def _show_sent(self, viewer_id: int, client_id: str, message: MessageView) -> None:
        """Show a message this tab sent as stored, where the list's end is.

        Sent while the list stops short of the newest (paged back, at a search result), it
        showed right after the page, the messages between missing, and "Load newer" then
        went on after it: the list goes to the newest instead, as the send's scroll to the
        list's end does, and shows it there.
        """
        if self.has_newer:
            await self._open(viewer_id, self.conversation_id, newest=True)
            return
        self._change(lambda buffer: buffer.acknowledge(client_id, message, self._for_me))

    def _shown_or_remembered(self) -> int:
        """The conversation the composer's draft belongs to (also before `load` reopens it)."""
        remembered = self.open_conversation_store
        return self.conversation_id or (int(remembered) if remembered.isdigit() else 0)

    async def _show_unsent(self, viewer_id: int) -> None:
        """Show the outbox's messages for the open conversation after the stored ones."""
        outbox = (await self.get_state(OutboxState))._read(viewer_id)
        language = await language_of(self)
        shown = functools.cache(self._stored)  # read once, and only for a waiting reply
        copies = [
            pending_view(entry, language, shown)
            for entry in outbox.of_conversation(self.conversation_id)
        ]
        self._change(lambda buffer: buffer.show_unsent(copies))

    @rx.event
    @signed_in
    async def open_conversation(self, viewer_id: int, conversation_id: int):
        """Show a conversation (its newest page)."""
        return self._with_entry(await self._open(viewer_id, conversation_id), True)

    @rx.event
    @signed_in
    async def open_at_message(self, viewer_id: int, conversation_id: int, seq: int):
        """Show a conversation at one of its messages, however far back (a search result)."""
        # A forged seq opens the conversation as a click on its row does.
        opened = await self._open(viewer_id, conversation_id, at_seq=seq_or_none(seq) or 0)
        return self._with_entry(opened, True)

    @rx.event
    @signed_in
    async def close_conversation(self, viewer_id: int):
        """Back to the friend list (phones), keeping the place and draft left."""
        return await self._leave(viewer_id) or self._off_entry()

    async def _leave(self, viewer_id: int):
        if refused := await self._switch_places(viewer_id, self._shown_or_remembered()):
            return refused
        self._close()
        return None

    @rx.event
    @signed_in
    async def jump_to_latest(self, viewer_id: int):
        """Reload the newest page after browsing far back."""
        if self.conversation_id:
            # The same list stays on the page, scrolled up where the reader was: go down.
            opened = await self._open(viewer_id, self.conversation_id, newest=True)
            return [opened, scroll_to(LIST_END)]
        return None


# Conversation id → [sent at (ISO), the chat list row's last line], for the rows with a
# message since the list was read (components/chat_list.py; states/row_lines.py).
add_row_buckets(ConversationState, "last", list[str])
# The people a group's timeline shows, by user id (states/group_timeline.py names them
# SENDER_BUCKETS).
add_row_buckets(ConversationState, "sender", list[str])
