"""The open group's members panel: its members, one page at a time, searched on the server.

A tab never holds a large group's member list: at most PAGE_SIZE rows, and "more" or
"previous" replaces them with the next or previous page. The viewer's role is read from the
database each time the page is (never taken from the tab), and only decides which buttons
show: every action is checked again by its service (states/group_actions.py).
"""

from __future__ import annotations

from dataclasses import replace

import reflex as rx

from chat_app.i18n import text
from chat_app.services import group_directory, history
from chat_app.services.errors import DomainError, NotFound
from chat_app.services.group_views import GroupChange, MemberView
from chat_app.services.sessions import SessionKey
from chat_app.states.conversation import ConversationState
from chat_app.states.links import file_link
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

PAGE_SIZE = 30
# No username or nickname is longer: a longer search is cut (as the service does).
QUERY_KEPT = group_directory.QUERY_MAX


class GroupPanelState(rx.State):
    """What the panel shows: one page of members, the viewer's role, the last refusal."""

    panel_open: bool = False
    # At most PAGE_SIZE members matching `member_query`, from `members_offset` on.
    members: list[MemberView] = []
    member_query: str = ""
    members_offset: int = 0
    members_total: int = 0
    members_range: str = ""
    # The viewer's role as the database had it when the page was read ("" once departed).
    my_role: str = ""
    error: str = ""
    # The group the panel shows: the tab's open conversation when the panel was opened.
    _conversation_id: int = 0
    # Its name when last read (a deleted group's toast names it).
    _group_name: str = ""
    _user_id: int | None = None
    _link_key: SessionKey | None = None

    @rx.var
    def has_more(self) -> bool:
        """Whether members after this page match the search."""
        return self.members_offset + len(self.members) < self.members_total

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        if user_id is None or self._user_id != user_id:
            self._close()
            self._user_id = user_id
        self._link_key = link_key

    def _close(self) -> None:
        self.panel_open = False
        self.members, self.member_query, self.members_range = [], "", ""
        self.members_offset = self.members_total = 0
        self.my_role = self.error = ""
        self._conversation_id = 0
        self._group_name = ""

    def _shown(self, member: MemberView) -> MemberView:
        """The member with their picture's link signed for this tab's session."""
        if not member.avatar_file_id or self._link_key is None:
            return member
        return replace(member, avatar_url=file_link(self._link_key, member.avatar_file_id, "thumb"))

    async def _read(self, viewer_id: int, offset: int) -> None:
        """Read the viewer's role and one page of members (none once the viewer left)."""
        header, _writable = await call_service(
            history.group_header, viewer_id=viewer_id, conversation_id=self._conversation_id
        )
        self.my_role = header.my_role if header is not None else ""
        self._group_name = header.name if header is not None else ""
        if not self.my_role:
            self.members, self.members_offset, self.members_total = [], 0, 0
            self.members_range = ""
            return
        page = await call_service(
            group_directory.members_page,
            viewer_id=viewer_id,
            conversation_id=self._conversation_id,
            query=self.member_query,
            offset=offset,
            limit=PAGE_SIZE,
        )
        if not page.members and page.offset > 0:
            # Members left meanwhile: the page asked for is past the end now.
            page = await call_service(
                group_directory.members_page,
                viewer_id=viewer_id,
                conversation_id=self._conversation_id,
                query=self.member_query,
                offset=max(0, page.total - PAGE_SIZE),
                limit=PAGE_SIZE,
            )
        self.members = [self._shown(member) for member in page.members]
        self.members_offset, self.members_total = page.offset, page.total
        first, last = page.offset + 1, page.offset + len(page.members)
        language = await language_of(self)
        self.members_range = (
            text("group_members_range", language, first=first, last=last, total=page.total)
            if page.members
            else ""
        )

    async def _reload(self, viewer_id: int, offset: int | None = None) -> bool:
        """Read the page again; False (panel closed) when the group is gone for the viewer."""
        try:
            await self._read(viewer_id, self.members_offset if offset is None else offset)
        except NotFound:
            self._close()
            return False
        return True

    async def _refused(self, error: DomainError) -> None:
        """Show a service's refusal in the panel, in the viewer's language."""
        self.error = text(error.code or "error", await language_of(self))

    async def _group_changed(self, change: GroupChange, viewer_id: int) -> None:
        """A change pushed to this tab: follow it if the panel shows that group."""
        if not self.panel_open or self._conversation_id != change.conversation_id:
            return
        if change.event in ("deleted", "hidden") or viewer_id in change.removed_ids:
            self._close()
            return
        await self._reload(viewer_id)

    @rx.event
    @signed_in
    async def open_panel(self, viewer_id: int):
        """Open the panel on the tab's open group (the server's idea of it, not the client's)."""
        conversation = await self.get_state(ConversationState)
        if not conversation.is_group or not conversation.conversation_id:
            return
        self._close()
        self._conversation_id = conversation.conversation_id
        if await self._reload(viewer_id, 0):
            self.panel_open = True

    @rx.event
    @signed_in
    async def set_open(self, viewer_id: int, is_open: bool):
        """Follow the dialog's own close (Escape, a click outside, the close button)."""
        if not is_open:
            self._close()

    @rx.event
    @signed_in
    async def search_members(self, viewer_id: int, query: str):
        """Show the first page of members whose name holds `query` (searched in the database)."""
        if not self.panel_open:
            return
        self.member_query = query[:QUERY_KEPT]
        await self._reload(viewer_id, 0)

    @rx.event
    @signed_in
    async def more_members(self, viewer_id: int):
        """Show the next page of members instead of this one."""
        if self.panel_open and self.has_more:
            await self._reload(viewer_id, self.members_offset + PAGE_SIZE)

    @rx.event
    @signed_in
    async def previous_members(self, viewer_id: int):
        """Show the previous page of members instead of this one."""
        if self.panel_open and self.members_offset > 0:
            await self._reload(viewer_id, max(0, self.members_offset - PAGE_SIZE))
