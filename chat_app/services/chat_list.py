"""The chat list: every conversation a user lists, pinned ones first, newest activity first.

One statement for the rows (conversation, the viewer's membership, read cursor, the other
person of a direct chat, the last message the viewer may read and its sender) and one for
the viewer's blocks: a user with many conversations opens the page as fast as one with a
single friend (no query per row).

A conversation is listed while the viewer is a member, and after they left (or were
removed, or unfriended) until they hide it; a direct conversation they left is listed only
when it holds messages (history to read, like the friend pane's past conversations).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from chat_app.models import (
    Conversation,
    ConversationMember,
    HiddenMessage,
    Message,
    ReadCursor,
    User,
)
from chat_app.services import relations

# At most this many rows, the most recent first: a tab's list stays bounded.
CHAT_LIST_MAX = 200
# A preview longer than this is cut: the row shows one line of it.
PREVIEW_MAX = 120
GROUP = "group"


@dataclass(frozen=True)
class ChatRowView:
    """One row of the chat list (a direct chat or a group), as the state layer shows it.

    Attributes:
        conversation_id: What the row opens.
        kind: "direct" or "group".
        name: The group's name, or the other person's nickname (their username under a
            block either way).
        username: Direct only: the other person's username.
        user_id: Direct only: the other person.
        avatar_file_id: The group's or the other person's picture ("" for none).
        avatar_url: Signed for the viewer by the state layer.
        preview_kind: The last message's kind ("text", "file", "image", "system"), "" when
            there is none, "hidden" when its sender is in a block with the viewer, "deleted"
            when it was deleted for everyone.
        preview: Its text, cut to PREVIEW_MAX (a group event's stored record; "" for hidden
            and deleted messages).
        preview_sender: Groups only: the sender's nickname ("" in direct chats).
        last_at: When the last message was sent (ISO, "" for none).
        unread: Messages after the viewer's read cursor, up to where they may read.
        muted: The viewer muted it.
        pinned: The viewer pinned it to the top of their list.
        departed: The viewer is no longer a member (read-only history).
    """

    conversation_id: int
    kind: str
    name: str
    username: str = ""
    user_id: int = 0
    avatar_file_id: str = ""
    avatar_url: str = ""
    preview_kind: str = ""
    preview: str = ""
    preview_sender: str = ""
    last_at: str = ""
    unread: int = 0
    muted: bool = False
    pinned: bool = False
    departed: bool = False


def _last_shown(conversation, member, visible_seq, viewer) -> sa.ColumnElement[int]:
    """The seq of the message the row's last line shows: the newest the viewer did not hide.

    The newest they may read, unless they deleted it for themselves; then the newest before
    it that they did not, after they joined (looked for only then: every other row costs a
    probe of one index entry).
    """
    earlier = aliased(Message)

    def hidden_at(conversation_id, seq) -> sa.Exists:
        hidden = aliased(HiddenMessage)
        return sa.exists().where(
            col(hidden.user_id) == viewer,
            col(hidden.conversation_id) == conversation_id,
            col(hidden.seq) == seq,
        )

    newest_not_hidden = (
        sa.select(col(earlier.seq))
        .where(
            col(earlier.conversation_id) == col(conversation.id),
            col(earlier.seq) < visible_seq,
            col(earlier.seq) > col(member.joined_seq),
            ~hidden_at(col(earlier.conversation_id), col(earlier.seq)),
        )
        .order_by(col(earlier.seq).desc())
        .limit(1)
        .scalar_subquery()
    )
    newest_hidden = hidden_at(col(conversation.id), visible_seq)
    return sa.case((newest_hidden, newest_not_hidden), else_=visible_seq)


def _rows_statement() -> sa.Select:
    member = aliased(ConversationMember)
    conversation = aliased(Conversation)
    other = aliased(User)
    sender = aliased(User)
    last = aliased(Message)
    cursor = aliased(ReadCursor)
    viewer = sa.bindparam("viewer")
    # A departed member reads up to where they left.
    visible_seq = sa.case(
        (
            sa.and_(
                col(member.left_seq).is_not(None), col(member.left_seq) < col(conversation.last_seq)
            ),
            col(member.left_seq),
        ),
        else_=col(conversation.last_seq),
    )
    read_seq = sa.func.coalesce(col(cursor.last_read_seq), 0)
    # Nothing before joining counts as unread.
    read_from = sa.case((col(member.joined_seq) > read_seq, col(member.joined_seq)), else_=read_seq)
    other_id = sa.case(
        (col(conversation.user_low_id) == viewer, col(conversation.user_high_id)),
        else_=col(conversation.user_low_id),
    )
    activity = sa.func.coalesce(col(last.created_at), col(conversation.created_at))
    return (
        sa.select(
            col(conversation.id).label("id"),
            col(conversation.kind).label("kind"),
            # A departed member sees the name the group had when they left.
            sa.func.coalesce(col(member.name_when_left), col(conversation.name)).label(
                "group_name"
            ),
            col(conversation.avatar_file_id).label("group_avatar"),
            col(member.left_at).label("left_at"),
            col(member.muted).label("muted"),
            col(member.pinned).label("pinned"),
            visible_seq.label("visible_seq"),
            read_from.label("read_from"),
            col(other.id).label("other_id"),
            col(other.username).label("other_username"),
            col(other.nickname).label("other_nickname"),
            col(other.avatar_file_id).label("other_avatar"),
            col(last.kind).label("last_kind"),
            col(last.body).label("last_body"),
            col(last.deleted_at).label("last_deleted_at"),
            col(last.sender_id).label("last_sender_id"),
            col(last.created_at).label("last_at"),
            col(sender.nickname).label("sender_nickname"),
            col(sender.username).label("sender_username"),
        )
        .select_from(member)
        .join(conversation, col(conversation.id) == col(member.conversation_id))
        .outerjoin(
            cursor,
            sa.and_(
                col(cursor.conversation_id) == col(conversation.id), col(cursor.user_id) == viewer
            ),
        )
        .outerjoin(other, sa.and_(col(conversation.kind) != GROUP, col(other.id) == other_id))
        .outerjoin(
            last,
            sa.and_(
                col(last.conversation_id) == col(conversation.id),
                col(last.seq) == _last_shown(conversation, member, visible_seq, viewer),
            ),
        )
        .outerjoin(sender, col(sender.id) == col(last.sender_id))
        .where(
            col(member.user_id) == viewer,
            sa.or_(col(member.left_at).is_(None), sa.not_(col(member.hidden))),
            # A direct chat left without a word in it is nothing to read.
            sa.or_(
                col(member.left_at).is_(None),
                col(conversation.kind) == GROUP,
                visible_seq > 0,
            ),
        )
        # Pinned first, so the list's limit never leaves one out.
        .order_by(col(member.pinned).desc(), activity.desc(), col(conversation.id).desc())
        .limit(sa.bindparam("limit"))
    )


ROWS = _rows_statement()


def shown_as(row: sa.Row, blocked: set[int]) -> tuple[str, str]:
    """A conversation's name and picture file as the viewer's lists show them.

    Args:
        row: The conversation's `kind`, `group_name` and `group_avatar`, and for a direct
            one the other person's `other_id`, `other_username`, `other_nickname` and
            `other_avatar` (as `ROWS` labels them).
        blocked: The users in a block with the viewer.

    Returns:
        The group's name and picture; else the other person's nickname and picture, or
        their username and no picture under a block.
    """
    if row.kind == GROUP:
        return row.group_name or "", row.group_avatar or ""
    frozen = row.other_id in blocked
    # A deleted account's nickname is "" (the UI reads "Deleted user"), not unknown.
    nickname = row.other_nickname
    name = (row.other_username or "") if frozen or nickname is None else nickname
    return name, "" if frozen else (row.other_avatar or "")


def _row(row: sa.Row, blocked: set[int]) -> ChatRowView:
    group = row.kind == GROUP
    hidden_sender = row.last_sender_id in blocked
    preview_kind = "hidden" if row.last_kind and hidden_sender else (row.last_kind or "")
    if preview_kind and row.last_deleted_at is not None:
        preview_kind = "deleted"
    # A group event's body is its record (services/system_lines.py), read whole.
    preview = row.last_body if preview_kind in ("text", "file", "image", "system") else ""
    sender = ""
    if group and preview_kind not in ("", "hidden", "deleted"):
        sender = row.sender_nickname or ""
    name, avatar = shown_as(row, blocked)
    return ChatRowView(
        conversation_id=row.id,
        kind=row.kind,
        name=name,
        username="" if group else (row.other_username or ""),
        user_id=0 if group else (row.other_id or 0),
        avatar_file_id=avatar,
        preview_kind=preview_kind,
        preview=(preview or "") if preview_kind == "system" else (preview or "")[:PREVIEW_MAX],
        preview_sender=sender,
        last_at=row.last_at.isoformat() if row.last_at else "",
        unread=max(row.visible_seq - row.read_from, 0),
        muted=bool(row.muted),
        pinned=bool(row.pinned),
        departed=row.left_at is not None,
    )


def chat_rows(
    *, session: Session, viewer_id: int, limit: int = CHAT_LIST_MAX
) -> tuple[ChatRowView, ...]:
    """The viewer's chat list: pinned conversations first, each part newest activity first.

    Args:
        session: The database session.
        viewer_id: The user (from the server-side session).
        limit: At most this many rows (the most recent).

    Returns:
        One row per listed conversation; a direct chat without messages by when it began.
    """
    blocked = relations.blocked_either_way(session=session, user_id=viewer_id)
    found = session.connection().execute(ROWS, {"viewer": viewer_id, "limit": limit})
    return tuple(_row(row, blocked) for row in found)
