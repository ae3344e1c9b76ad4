"""Unread messages per conversation, for the friend list's badges and the tab's title.

The title counts what calls for attention: a muted conversation's messages are left out,
unless one of them mentions the user (like the toasts).
"""

from __future__ import annotations

import reflex as rx

from chat_app.services import mentions, summaries
from chat_app.services.sessions import SessionKey
from chat_app.states.row_values import RowValues, add_row_buckets
from chat_app.states.service_call import call_service
from chat_app.states.viewer import viewer_id_of


class UnreadState(rx.State):
    """How many messages of each conversation this tab's user has not read yet.

    The counts live in the `unread_*` bucket vars (row_values.py), conversations with none
    left out: a message re-sends the one small bucket holding its conversation, not the
    count of every conversation.
    """

    # Unread messages over all conversations (shown in the tab title); a Field, so the page
    # sees a number var.
    unread_total: rx.Field[int] = rx.field(0)
    _user_id: int | None = None
    # The user's muted conversations (states/mute.py keeps this current).
    _muted: frozenset[int] = frozenset()

    def _counts(self) -> RowValues:
        return RowValues(self, UNREAD_BUCKETS)

    def _mentions(self) -> RowValues:
        """The conversations with an unread mention of the user (the Chats tab's `@`)."""
        return RowValues(self, MENTION_BUCKETS)

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._counts().replace({})
            self._mentions().replace({})
            self._muted = frozenset()
            self._total()

    def _show_muted(self, conversation_ids: frozenset[int]) -> None:
        """These conversations are muted now (a rare change: the total is counted again)."""
        if conversation_ids != self._muted:
            self._muted = conversation_ids
            self._total()

    def _in_title(self, conversation_id: int) -> bool:
        """Whether the conversation's unread messages count in the title."""
        return conversation_id not in self._muted or bool(self._mentions().get(conversation_id))

    def _total(self) -> None:
        total = sum(count for key, count in self._counts().all().items() if self._in_title(key))
        if self.unread_total != total:
            self.unread_total = total

    def _change(self, conversation_id: int, count: int, mentioned: bool | None) -> None:
        """Set one conversation's count and mention mark, moving the total by the difference."""
        before = self._unread(conversation_id) if self._in_title(conversation_id) else 0
        self._counts().set(conversation_id, count or None)
        if mentioned is not None:
            self._mentions().set(conversation_id, 1 if mentioned else None)
        after = count if self._in_title(conversation_id) else 0
        if after != before:
            self.unread_total += after - before

    @rx.event
    async def load(self):
        """On page load and after every reconnect: the counts as the database has them."""
        await self._load()

    async def _load(self) -> None:
        viewer_id = await viewer_id_of(self)
        if viewer_id is None:
            return
        found = await call_service(summaries.summaries, viewer_id=viewer_id)
        self._counts().replace({s.conversation_id: s.unread for s in found if s.unread})
        marked = await call_service(mentions.unread_mentions, viewer_id=viewer_id)
        self._mentions().replace(dict.fromkeys(marked, 1))
        self._total()

    def _unread(self, conversation_id: int) -> int:
        """How many messages of the conversation are unread."""
        return self._counts().get(conversation_id)

    def _count_one(self, conversation_id: int, mentioned: bool = False) -> None:
        """A message arrived in a conversation this tab does not show (`mentioned`: the user)."""
        self._change(
            conversation_id, self._unread(conversation_id) + 1, True if mentioned else None
        )

    def _set(self, conversation_id: int, count: int) -> None:
        """The conversation has `count` unread messages (0: none)."""
        # Read: the mention was seen with the rest.
        self._change(conversation_id, count, None if count else False)


# Conversation id → unread messages (none: no entry).
UNREAD_BUCKETS = add_row_buckets(UnreadState, "unread")
# Conversation id → 1 while a message mentioning the user is unread there (none: no entry).
MENTION_BUCKETS = add_row_buckets(UnreadState, "mentioned")
