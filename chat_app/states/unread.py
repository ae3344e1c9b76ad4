"""Unread messages per conversation, for the friend list's badges and the tab's title."""

from __future__ import annotations

import reflex as rx

from chat_app.services import summaries
from chat_app.services.sessions import SessionKey
from chat_app.states.service_call import call_service
from chat_app.states.viewer import viewer_id_of


class UnreadState(rx.State):
    """How many messages of each conversation this tab's user has not read yet."""

    unread: dict[int, int] = {}
    _user_id: int | None = None

    @rx.var
    def unread_total(self) -> int:
        """Unread messages over all conversations (shown in the tab title)."""
        return sum(self.unread.values())

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self.unread = {}

    @rx.event
    async def load(self):
        """On page load and after every reconnect: the counts as the database has them."""
        await self._load()

    async def _load(self) -> None:
        viewer_id = await viewer_id_of(self)
        if viewer_id is None:
            return
        found = await call_service(summaries.summaries, viewer_id=viewer_id)
        unread = {s.conversation_id: s.unread for s in found if s.unread}
        if unread != self.unread:
            self.unread = unread

    def _count_one(self, conversation_id: int) -> None:
        """A message arrived in a conversation this tab does not show."""
        count = self.unread.get(conversation_id, 0) + 1
        self.unread = {**self.unread, conversation_id: count}

    def _set(self, conversation_id: int, count: int) -> None:
        """The conversation has `count` unread messages (0: none)."""
        if self.unread.get(conversation_id, 0) == count:
            return
        others = {key: value for key, value in self.unread.items() if key != conversation_id}
        self.unread = {**others, conversation_id: count} if count else others
