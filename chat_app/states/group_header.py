"""The open group's header: name, picture, size and the viewer's role.

A mixin of the conversation state (states/conversation.py): these change when a group is
opened, renamed or its members change, never per message. In a direct conversation they
are empty and the header shows the friend (the `open_friend_*` vars) instead.
"""

from __future__ import annotations

import reflex as rx

from chat_app.services.sessions import SessionKey
from chat_app.services.views import GroupHeader
from chat_app.states.links import picture_link


class GroupHeaderVars(rx.State, mixin=True):
    """The open group's header values (empty for a direct conversation)."""

    is_group: bool = False
    group_name: str = ""
    group_avatar_url: str = ""
    member_count: int = 0
    # "owner" | "admin" | "member"; "" in a direct chat or once the viewer left.
    my_role: str = ""
    # The file the picture link was signed for: a signature differs at every signing, and
    # re-signing an unchanged picture would re-send its link on every catch-up.
    _group_avatar_file: str = ""

    def _show_group(self, header: GroupHeader | None, key: SessionKey | None) -> None:
        """Show a group's header, or clear it for a direct conversation (None)."""
        if header is None:
            self._clear_group()
            return
        avatar = header.avatar_file_id
        if avatar != self._group_avatar_file or not self.group_avatar_url:
            self._group_avatar_file = avatar
            avatar_url = picture_link(key, avatar)
        else:
            avatar_url = self.group_avatar_url
        shown = {
            "is_group": True,
            "group_name": header.name,
            "group_avatar_url": avatar_url,
            "member_count": header.member_count,
            "my_role": header.my_role,
        }
        # Assigned only where it changed: an assignment re-sends the var (a catch-up after
        # every reconnect would send the header again).
        for name, value in shown.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _clear_group(self) -> None:
        if self.is_group:
            self.is_group = False
            self.group_name = self.group_avatar_url = self.my_role = ""
            self._group_avatar_file = ""
            self.member_count = 0
