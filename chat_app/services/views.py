"""Frozen values that services hand to the UI layer (never table rows: those hold secrets)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from chat_app.models import Message, StoredFile
from chat_app.services.links import TextPart, link_parts
from chat_app.services.people_views import ContactView
from chat_app.services.reaction_views import ReactionView
from chat_app.services.reply_views import ReplyView


@dataclass(frozen=True)
class AttachmentView:
    """The file of an "image" or "file" message."""

    file_id: str
    size_label: str
    mime: str
    has_thumbnail: bool
    # Signed for the viewing user by the state layer (links differ per user).
    file_url: str = ""
    thumb_url: str = ""
    # The picture's size in pixels (0: unknown): the page reserves the thumbnail's box before
    # it loads, since nothing re-scrolls the list when an image finishes loading.
    width: int = 0
    height: int = 0

    @classmethod
    def of(cls, stored: StoredFile) -> AttachmentView:
        """Build the view of a stored file (links are added per viewer by the state layer).

        Args:
            stored: The file row of a message.

        Returns:
            The view.
        """
        return cls(
            file_id=stored.id,
            size_label=size_label(stored.size),
            mime=stored.mime,
            has_thumbnail=stored.thumbnail_key is not None,
            width=stored.width or 0,
            height=stored.height or 0,
        )


def size_label(size: int) -> str:
    """A file size as people read it: "512 B", "3 KB", "1.5 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def wire_time(moment: datetime) -> str:
    """A stored message's time as its views carry it: ISO 8601 in UTC, to the second.

    "2026-12-03T07:54:10Z" instead of `isoformat()`'s "2026-12-03T07:54:10.723949+00:00":
    the page shows hours and minutes, and every new message carries its time twice to
    each tab (its bubble and its chat row's last line), 12 bytes shorter each time.
    """
    if moment.tzinfo is UTC:
        moment = moment.replace(tzinfo=None)  # a new message's (models.utc_now)
    elif moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # isoformat, not strftime: strftime imports and calls the time module's on every call.
    return moment.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class MessageView:
    """One message as every tab shows it (the same object for sender and recipient).

    `status` is "sent" for stored messages; the sender's tab shows its own unsent copies as
    "sending", or with `error` as "failed" (a retry may store it) or "refused" (it never
    will: only Delete is offered), until the server acknowledges or the user deletes them.
    """

    seq: int
    sender_id: int
    client_id: str
    body: str
    sent_at: str
    status: str = "sent"
    error: str = ""
    # "text", "image" or "file"; for attachments the body is the file's display name.
    kind: str = "text"
    # Only on "image" and "file" messages: text messages stay small on the wire.
    attachment: AttachmentView | None = None
    # Set by the tab showing a group (states/message_buffer.py): the first of a run of one
    # sender's messages, which shows their name and picture.
    lead: bool = False
    # A stored text with web addresses: its runs of plain text and links (services/links.py);
    # empty otherwise, and the bubble shows `body`.
    parts: tuple[TextPart, ...] = ()
    # Deleted for everyone: its place and time stay, its content is gone (body "").
    deleted: bool = False
    # Its sender changed its text since it was sent.
    edited: bool = False
    # The members' quick emoji on it (services/reactions.py); none for a new message.
    reactions: tuple[ReactionView, ...] = ()
    # The message it answers, for a reply (services/reply_rows.py).
    reply: ReplyView | None = None

    @classmethod
    def stored(
        cls,
        *,
        seq: int,
        sender_id: int,
        client_id: str,
        body: str,
        created_at: datetime,
        kind: str,
        file: StoredFile | None = None,
        deleted: bool = False,
        edited: bool = False,
    ) -> MessageView:
        """The one constructor of a stored message's view, from its columns.

        Args:
            seq: The message's number in its conversation.
            sender_id: Who sent it.
            client_id: The sending tab's id for it.
            body: The text (for attachments the file's display name).
            created_at: When it was stored.
            kind: "text", "image" or "file".
            file: The attached file's row, for "image" and "file" messages.
            deleted: The message was deleted for everyone (its body is empty).
            edited: Its sender changed its text.

        Returns:
            The view, status "sent".
        """
        return cls(
            seq=seq,
            sender_id=sender_id,
            client_id=client_id,
            body=body,
            sent_at=wire_time(created_at),
            kind=kind,
            attachment=AttachmentView.of(file) if file is not None else None,
            parts=link_parts(body) if kind == "text" else (),
            deleted=deleted,
            edited=edited,
        )

    @classmethod
    def of(cls, message: Message | Row[*tuple[Any, ...]], file: StoredFile | None) -> MessageView:
        """The view of a stored message's row.

        Args:
            message: Its table row, or a Core row with the same columns.
            file: Its attached file's row, for "image" and "file" messages.

        Returns:
            The view, status "sent".
        """
        return cls.stored(
            seq=message.seq,
            sender_id=message.sender_id,
            client_id=message.client_id,
            body=message.body,
            created_at=message.created_at,
            kind=message.kind,
            file=file,
            deleted=message.deleted_at is not None,
            edited=message.edited_at is not None,
        )

    def with_status(self, status: str, error: str = "") -> MessageView:
        """The same message in another delivery state (every other field kept).

        Args:
            status: "sending", "sent", "failed" or "refused".
            error: Why it failed (shown under the bubble), else empty.

        Returns:
            The copy.
        """
        return replace(self, status=status, error=error)


@dataclass(frozen=True)
class SentMessage:
    """The outcome of a send: the stored message and who must hear about it."""

    conversation_id: int
    message: MessageView
    sender_id: int
    # The members to notify besides the sender.
    recipient_ids: tuple[int, ...]
    # False when the client id was already stored: a retry, nothing new to announce.
    created: bool
    # The members the message mentions (services/mentions.py): toasted even when muted.
    mentioned_ids: tuple[int, ...] = ()
    # The recipients who muted the conversation: no toast or sound (but for a mention).
    muted_ids: frozenset[int] = frozenset()
    # For a reply: the recipients who joined after the message it quotes (shown the reply
    # with its quote withheld, services/reply_rows.py `quote_seen_by`).
    quote_withheld_from: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MessageChange:
    """A stored message changed (deleted or edited): its new view and who shows it."""

    conversation_id: int
    message: MessageView
    # The conversation's change number of this change (catch-up asks for the ones after).
    change_seq: int
    # Every member whose range holds the message, current or departed, the actor included.
    reader_ids: tuple[int, ...]
    # The message is the conversation's newest: the chat list's rows show it.
    was_last: bool
    # Readers who deleted it for themselves (asked only when `was_last`): their rows do not.
    hidden_by: tuple[int, ...] = ()
    # Readers who joined after the message a reply quotes: shown it with the quote withheld
    # (services/reply_rows.py, `quote_seen_by`).
    quote_withheld_from: frozenset[int] = frozenset()


@dataclass(frozen=True)
class GroupHeader:
    """What a group's conversation header shows, as one member sees it."""

    name: str
    avatar_file_id: str
    # Current members (departed ones not counted); 0 for a viewer who left.
    member_count: int
    # The viewer's role: "owner" | "admin" | "member" ("" once they left).
    my_role: str


@dataclass(frozen=True)
class HistoryPage:
    """Messages of one conversation in order, and the read positions of both sides."""

    conversation_id: int
    # The other member of a direct conversation (the friend); an empty contact (user id 0)
    # in a group, whose readers come from read_cursors.readers.
    friend: ContactView
    messages: tuple[MessageView, ...]
    has_older: bool
    my_read_seq: int
    friend_read_seq: int
    # The newest seq the viewer may read (where they left, for a departed member).
    last_seq: int
    # "direct" or "group".
    kind: str = "direct"
    # The viewer is a current member (may write); a departed one reads history only.
    writable: bool = True
    # A group's name, picture and size; None for a direct conversation.
    group: GroupHeader | None = None
    # The conversation's change number when the page was read: the page shows every change
    # up to it, and a tab back from an absence asks for the ones after.
    last_change_seq: int = 0
    # The page's messages the viewer deleted for themselves (the tab leaves them out).
    hidden_seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class CatchUp:
    """What a tab that was away is missing: newer messages and the membership as it is now."""

    messages: tuple[MessageView, ...]
    # Still a current member (a removal or an unfriending while away turns this off).
    writable: bool
    # The group's header now (renamed, members added or gone); None for a direct chat.
    group: GroupHeader | None
    # The messages changed (deleted) after the change number the tab asked from, in the
    # viewer's range, oldest change first.
    changes: tuple[MessageView, ...] = ()
    # More changed than `changes` holds: the tab reads its page again.
    changes_cut: bool = False
    # The change number `changes` reach: the tab asks for the ones after it next time.
    last_change_seq: int = 0
    # The shown messages the viewer deleted for themselves (asked with `hidden_from`).
    hidden_seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class ConversationSummary:
    """Per-conversation line of the friend list: unread count and last activity."""

    conversation_id: int
    # The other member of a direct conversation; 0 for a group.
    friend_id: int
    unread: int
    last_seq: int
    last_message_at: str
    # "direct" or "group".
    kind: str = "direct"
