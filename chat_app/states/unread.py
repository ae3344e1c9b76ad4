"""Unread messages per conversation, for the friend list's badges and the tab's title."""

from __future__ import annotations

import reflex as rx

from chat_app.services import summaries
from chat_app.services.sessions import SessionKey
from chat_app.states.service_call import call_service
from chat_app.states.viewer import viewer_id_of


class UnreadState(rx.State):
    """How many messages of each friend this tab's user has not read yet."""

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
        viewer_id = await viewer_id_of(self)
        if viewer_id is None:
            return
        found = await call_service(summaries.summaries, viewer_id=viewer_id)
        unread = {summary.friend_id: summary.unread for summary in found if summary.unread}
        if unread != self.unread:
            self.unread = unread

    def _count_one(self, friend_id: int) -> None:
        """A message from `friend_id` arrived where its conversation is not open."""
        self.unread = {**self.unread, friend_id: self.unread.get(friend_id, 0) + 1}

    def _set(self, friend_id: int, count: int) -> None:
        """The conversation with `friend_id` has `count` unread messages (0: none)."""
        if self.unread.get(friend_id, 0) == count:
            return
        others = {key: value for key, value in self.unread.items() if key != friend_id}
        self.unread = {**others, friend_id: count} if count else others
