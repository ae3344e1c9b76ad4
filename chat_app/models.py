"""Database tables (SQLModel). No behaviour here: the rules live in services."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# `utc_now` is imported from here by the services too (one place for "now").
from chat_app.utc_time import UTCDateTime
from chat_app.utc_time import utc_now as utc_now


class User(SQLModel, table=True):
    """A registered person. `username_key` (lower-cased) makes names unique case-insensitively."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=32)
    username_key: str = Field(max_length=32, unique=True, index=True)
    nickname: str = Field(max_length=32)
    password_hash: str = Field(max_length=255)
    avatar_file_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # When the user's last tab went away (shown to friends as "last seen").
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A short sound for a new message or friend request, in one of the user's tabs.
    chime_enabled: bool = Field(default=True)
    # "user" | "admin" (administers the server: /admin and `python -m chat_app.admin`).
    role: str = Field(default="user", max_length=8)
    # A disabled account cannot log in; an administrator can enable it again.
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A deleted account keeps its row (its messages stay for the others) with the personal
    # data blanked and login blocked for good; the username stays reserved.
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthSession(SQLModel, table=True):
    """One logged-in device. Only the sha256 of the bearer token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=256)
    # The client's address as seen through the configured proxies, when it last logged in
    # or was last active (shown in "My devices").
    client_address: str = Field(default="", max_length=64)


class LoginFailure(SQLModel, table=True):
    """A failed password check, kept for the throttling window (shared by every worker via the DB).

    `device` is the sha256 of the session token of a device that was already logged in as
    this user when it failed (change password, or a login on that device), else "": such a
    device is throttled on its own counter, which nobody else can fill.
    """

    id: int | None = Field(default=None, primary_key=True)
    username_key: str = Field(max_length=128, index=True)
    client_address: str = Field(max_length=64, index=True)
    device: str = Field(default="", max_length=64, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class RegistrationRecord(SQLModel, table=True):
    """An account created from a client address, kept for the registration window only."""

    id: int | None = Field(default=None, primary_key=True)
    client_address: str = Field(max_length=64, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class FriendRequest(SQLModel, table=True):
    """A request to become friends. At most one pending request per pair, either direction.

    `pair_low`/`pair_high` are the two user ids in order, so a partial unique index can
    hold "one pending request per pair" even when both users ask at the same moment.
    """

    __table_args__ = (
        sa.Index(
            "ux_friendrequest_pending_pair",
            "pair_low",
            "pair_high",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    to_user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    pair_low: int
    pair_high: int
    # pending → accepted | rejected | cancelled | withdrawn (removed by a block)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Friendship(SQLModel, table=True):
    """Two users who are friends, stored once as (lower id, higher id)."""

    __table_args__ = (sa.UniqueConstraint("user_low_id", "user_high_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_low_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    user_high_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)


class Block(SQLModel, table=True):
    """`blocker` does not want contact with `blocked`. The blocked side is never told."""

    __table_args__ = (sa.UniqueConstraint("blocker_id", "blocked_id"),)

    id: int | None = Field(default=None, primary_key=True)
    blocker_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    blocked_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
    """A conversation: `direct` between two friends, or a `group` with a name and members.

    A direct conversation is stored once per pair as (lower id, higher id); accepting a
    friend request creates it (services/friends.py), it outlives the friendship and a
    re-friending reuses it. A group has no pair (NULLs never collide in the unique
    constraint) but a name, an optional avatar and its creator. Who may read and write
    either kind is in `ConversationMember`.

    `last_seq` numbers the messages: bumping it inside the sending transaction locks the
    row, so sequence order is commit order and "everything after seq N" never skips one.
    """

    __table_args__ = (sa.UniqueConstraint("user_low_id", "user_high_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # "direct" | "group"
    kind: str = Field(default="direct", max_length=8)
    user_low_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="CASCADE"
    )
    user_high_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="CASCADE"
    )
    # Groups only: 1-64 characters, checked by services.
    name: str | None = Field(default=None, max_length=64)
    avatar_file_id: str | None = Field(default=None, max_length=64)
    creator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    last_seq: int = Field(default=0)
    # Numbers the changes to its messages as `last_seq` numbers them (a tab catches up).
    last_change_seq: int = Field(default=0)
    last_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ConversationMember(SQLModel, table=True):
    """A user's place in a conversation (both kinds): role, when they joined and left.

    A member reads the messages after `joined_seq` and, once they left (or were removed),
    up to `left_seq` only. The two members of a direct conversation follow the friendship:
    unfriending sets `left_at`, re-friending clears it. The read cursor stays in
    `ReadCursor`, which the per-message hot paths read and write.
    """

    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "user_id"),
        sa.Index("ix_conversationmember_user_left", "user_id", "left_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    # "owner" | "admin" | "member" (both members of a direct conversation are "member").
    role: str = Field(default="member", max_length=8)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    joined_seq: int = Field(default=0)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_seq: int | None = Field(default=None)
    # A group's name when they left: theirs to see, not a later rename (None: a member).
    name_when_left: str | None = Field(default=None, max_length=64)
    # No toasts or sounds (a mention still gives a toast); the unread count shows muted.
    muted: bool = Field(default=False)
    # Listed above the chats not pinned ("Pin to top"), theirs only.
    pinned: bool = Field(default=False)
    # A departed member removed the conversation from their list.
    hidden: bool = Field(default=False)


class Message(SQLModel, table=True):
    """One message. (conversation, seq) is its place; (sender, client_id) makes sends idempotent.

    A message deleted for everyone keeps its place (seq, sender, time) and loses its
    content (body emptied, file removed); an edited one keeps its place and time.
    """

    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "seq"),
        sa.UniqueConstraint("sender_id", "client_id"),
        sa.Index("ix_message_sender_created", "sender_id", "created_at"),
        # Only changed messages: a new message (change_seq 0) costs its insert nothing here.
        sa.Index(
            "ix_message_conversation_change",
            "conversation_id",
            "change_seq",
            sqlite_where=sa.text("change_seq > 0"),
            postgresql_where=sa.text("change_seq > 0"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    seq: int
    sender_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    client_id: str = Field(max_length=64)
    # "text" | "file" | "image" | "system" (a group event: its body is a JSON record).
    kind: str = Field(default="text", max_length=16)
    body: str = Field(sa_type=sa.Text)
    # For kind "file" and "image": the attachment (the body holds its display name).
    file_id: str | None = Field(default=None, foreign_key="storedfile.id", max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Its sender changed its text (the latest time).
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The seq of the message of this conversation it replies to (quotes), if any.
    reply_to_seq: int | None = None
    # The conversation's `last_change_seq` at this message's latest change (0: none). The
    # database's default, not Python's: the send's INSERT stays on the driver's cursor
    # (services/direct_sql.py sends a statement with a Python-side default to SQLAlchemy).
    change_seq: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )


class ReadCursor(SQLModel, table=True):
    """How far a user has read a conversation (drives unread counts and read receipts)."""

    __table_args__ = (sa.UniqueConstraint("user_id", "conversation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    last_read_seq: int = Field(default=0)
    # What the other side is shown ("read"): follows last_read_seq, except while either
    # side blocks the other, when it stays where it was.
    shared_seq: int = Field(default=0)


class Reaction(SQLModel, table=True):
    """A member reacted to a message with one of the quick emoji (services/reactions.py)."""

    __table_args__ = (sa.UniqueConstraint("message_id", "user_id", "emoji"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    emoji: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class HiddenMessage(SQLModel, table=True):
    """A message one member deleted for themselves only: gone from their view, not others'."""

    __table_args__ = (sa.UniqueConstraint("user_id", "conversation_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    seq: int
    created_at: datetime = Field(sa_type=UTCDateTime)


class Mention(SQLModel, table=True):
    """A message names a member with `@`: stored as the user, not only as text."""

    __table_args__ = (sa.UniqueConstraint("message_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")


class FoundUser(SQLModel, table=True):
    """`viewer` found `user` by exact username: from then on the viewer may name them by id."""

    __table_args__ = (sa.UniqueConstraint("viewer_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    viewer_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    found_at: datetime = Field(sa_type=UTCDateTime)


class UserAction(SQLModel, table=True):
    """One attempt of a rate-limited action (block, unblock, search), kept for its window."""

    __table_args__ = (sa.Index("ix_useraction_user_action", "user_id", "action", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    action: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class StoredFile(SQLModel, table=True):
    """An uploaded file: stored under a random key, its real name only here.

    `conversation_id` is None for avatars. `mime` is sniffed from the content, never taken
    from the name or the browser.
    """

    id: str = Field(primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    conversation_id: int | None = Field(
        default=None, foreign_key="conversation.id", index=True, ondelete="CASCADE"
    )
    original_name: str = Field(max_length=255)
    size: int
    mime: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=100)
    thumbnail_key: str | None = Field(default=None, max_length=100)
    width: int | None = None
    height: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)


class InstanceSetting(SQLModel, table=True):
    """One setting the administrators change at run time (e.g. the registration mode)."""

    key: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=64)


class AuditEntry(SQLModel, table=True):
    """One administrator action: who, what, to whom, when.

    Names are copied, not joined, so the record still reads right after a rename or an
    account deletion.

    `actor_id` is None for the command-line tool (`actor_name` is then "command line").
    """

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    actor_name: str = Field(max_length=32)
    action: str = Field(max_length=32)
    target_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    target_name: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Invite(SQLModel, table=True):
    """A link that lets people register (or join a group). Only the token's sha256 is stored.

    `conversation_id` set: made from a group's settings; whoever uses it joins the group.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    creator_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    conversation_id: int | None = Field(
        default=None, foreign_key="conversation.id", index=True, ondelete="CASCADE"
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    max_uses: int
    used_count: int = Field(default=0)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PasswordReset(SQLModel, table=True):
    """A one-time link an administrator hands to a user who forgot their password."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # None when made with the command-line tool.
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TokenGuess(SQLModel, table=True):
    """A wrong invite, reset or setup token from a client address, kept for its window."""

    __table_args__ = (sa.Index("ix_tokenguess_address_created", "client_address", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_address: str = Field(max_length=64)
    # "invite" | "reset" | "setup"
    kind: str = Field(max_length=8)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
