"""Frozen values about people that services hand to the UI layer: users, contacts, friends.

Never table rows (those hold secrets); the messages' views are in `views.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_app.models import User


@dataclass(frozen=True)
class UserView:
    """What the UI may know about a user."""

    id: int
    username: str
    nickname: str
    avatar_file_id: str = ""

    @classmethod
    def of(cls, user: User) -> UserView:
        """Build the view of a stored user.

        Args:
            user: A persisted user row.

        Returns:
            The view, without the password hash.
        """
        assert user.id is not None
        return cls(
            id=user.id,
            username=user.username,
            nickname=user.nickname,
            avatar_file_id=user.avatar_file_id or "",
        )


@dataclass(frozen=True)
class LoginResult:
    """A new device session: the user and the bearer token (shown once, stored hashed)."""

    user: UserView
    token: str


@dataclass(frozen=True)
class ContactView:
    """Another user as shown in lists: friends, requests, blocked users, search results."""

    user_id: int
    username: str
    nickname: str
    # For requests: the request id the accept/reject/cancel buttons act on.
    request_id: int = 0
    avatar_file_id: str = ""
    # Signed for the viewing user by the state layer.
    avatar_url: str = ""
    # In the friends list: the viewer's conversation with this friend (opened by this id).
    conversation_id: int = 0


@dataclass(frozen=True)
class FriendsSnapshot:
    """Everything one user's friend pane shows."""

    friends: tuple[ContactView, ...] = ()
    incoming: tuple[ContactView, ...] = ()
    outgoing: tuple[ContactView, ...] = ()
    blocked: tuple[ContactView, ...] = ()
    # Conversations with people who are no longer friends, newest first, each with its id.
    past: tuple[ContactView, ...] = ()

    def relation_to(self, user_id: int, viewer_id: int) -> tuple[str, int]:
        """How the snapshot's owner relates to `user_id`, and the pending request's id.

        Args:
            user_id: The other user.
            viewer_id: The snapshot's owner.

        Returns:
            (relation, request_id): relation is one of self, friend, request_sent,
            request_received, blocked, can_add; request_id is 0 unless a request is pending.
        """
        if user_id == viewer_id:
            return "self", 0
        for relation, contacts in (
            ("blocked", self.blocked),
            ("friend", self.friends),
            ("request_received", self.incoming),
            ("request_sent", self.outgoing),
        ):
            for contact in contacts:
                if contact.user_id == user_id:
                    return relation, contact.request_id
        return "can_add", 0


@dataclass(frozen=True)
class Notice:
    """Something to tell a user as a toast: `kind` is an i18n key, `nickname` who did it."""

    user_id: int
    kind: str
    nickname: str


@dataclass(frozen=True)
class FriendsChange:
    """What a friends action changed: whose panes to refresh and whom to notify."""

    affected_user_ids: frozenset[int]
    notices: tuple[Notice, ...] = ()
