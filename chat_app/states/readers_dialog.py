"""Who read one of the viewer's own messages in a group: a dialog, paged on the server.

A state of its own, not the conversation's: the pushes every message makes never carry
this list. The conversation is the one the tab has open on the server (never an id the
browser names), and the service answers only for the sender's own message while they
are a current member; anything else leaves the dialog closed.
"""

from __future__ import annotations

import reflex as rx

from chat_app.services import group_reads
from chat_app.services.errors import NotFound
from chat_app.services.people_views import ContactView
from chat_app.states.conversation import ConversationState
from chat_app.states.links import with_avatar_link
from chat_app.states.service_call import call_service
from chat_app.states.viewer import signed_in

PAGE_SIZE = 20
# A dialog keeps at most this many readers ("more" stops there).
READERS_KEPT = 200


class ReadersState(rx.State):
    """The "read by" dialog of one message."""

    readers_open: bool = False
    readers: list[ContactView] = []
    readers_more: bool = False
    _seq: int = 0
    _conversation_id: int = 0

    @rx.event
    @signed_in
    async def show_readers(self, viewer_id: int, seq: int):
        """Open the dialog with the first readers of one of the viewer's messages."""
        conversation = await self.get_state(ConversationState)
        self._close()
        if not conversation.is_group or not isinstance(seq, int) or isinstance(seq, bool):
            return
        page = await self._page(viewer_id, conversation.conversation_id, seq, 0)
        if page is None:
            return
        self._seq, self._conversation_id = seq, conversation.conversation_id
        self.readers = self._with_links(conversation, page.readers)
        self.readers_more = page.has_more
        self.readers_open = True

    @rx.event
    @signed_in
    async def more_readers(self, viewer_id: int):
        """Add the next page of readers to the open dialog."""
        conversation = await self.get_state(ConversationState)
        if not self.readers_open or conversation.conversation_id != self._conversation_id:
            self._close()
            return
        if not self.readers_more or len(self.readers) >= READERS_KEPT:
            return
        after = self.readers[-1].user_id if self.readers else 0
        page = await self._page(viewer_id, self._conversation_id, self._seq, after)
        if page is None:
            self._close()
            return
        self.readers = [*self.readers, *self._with_links(conversation, page.readers)]
        self.readers_more = page.has_more and len(self.readers) < READERS_KEPT

    @rx.event
    def set_readers_open(self, is_open: bool):
        """The dialog's own open/close (Escape, the close button): it only closes."""
        if is_open is not True:
            self._close()

    def _close(self) -> None:
        if self.readers_open:
            self.readers_open = False
        if self.readers:
            self.readers = []
        self.readers_more = False
        self._seq = self._conversation_id = 0

    @staticmethod
    async def _page(
        viewer_id: int, conversation_id: int, seq: int, after_id: int
    ) -> group_reads.ReadersPage | None:
        try:
            return await call_service(
                group_reads.readers_page,
                viewer_id=viewer_id,
                conversation_id=conversation_id,
                seq=seq,
                after_id=after_id,
                limit=PAGE_SIZE,
            )
        except NotFound:
            return None

    @staticmethod
    def _with_links(
        conversation: ConversationState, readers: tuple[ContactView, ...]
    ) -> list[ContactView]:
        return [with_avatar_link(reader, conversation._link_key) for reader in readers]
