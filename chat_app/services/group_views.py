"""Frozen values the group services hand to the state layer (never table rows)."""

from __future__ import annotations

from dataclasses import dataclass

from chat_app.services.views import MessageView


@dataclass(frozen=True)
class GroupChange:
    """What one group action changed, for the state layer to push after the commit.

    Attributes:
        conversation_id: The group (or, for mute and pin, any conversation).
        event: "created", "added", "removed", "left", "renamed", "avatar", "role",
            "owner", "deleted", "muted", "pinned" or "hidden".
        member_ids: Whose tabs must hear of it: the group's current members after the
            change (only the actor for "muted", "pinned" and "hidden").
        removed_ids: Users this change took out of the group (removed, left, or every
            member of a deleted group): their tabs get the change, then nothing more.
        messages: The system messages the change wrote to the timeline, in seq order.
        storage_keys: Stored contents the caller deletes once the commit is done (a
            replaced avatar, a deleted group's files); their rows are gone already.
    """

    conversation_id: int
    event: str
    member_ids: tuple[int, ...]
    removed_ids: tuple[int, ...] = ()
    messages: tuple[MessageView, ...] = ()
    storage_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberView:
    """One current member of a group, as the members panel shows them."""

    user_id: int
    username: str
    nickname: str
    # "owner" | "admin" | "member"
    role: str
    avatar_file_id: str = ""
    # Signed for the viewing user by the state layer.
    avatar_url: str = ""


@dataclass(frozen=True)
class MembersPage:
    """One page of a group's current members matching a search, and how many match."""

    conversation_id: int
    members: tuple[MemberView, ...]
    offset: int
    total: int

    @property
    def has_more(self) -> bool:
        """Whether members after this page match the search."""
        return self.offset + len(self.members) < self.total
