"""Reading a conversation: pages of history (newest, or older than a seq) and catch-up.

Also the stored records of the group events a tab shows, to write their lines again in
another language.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from chat_app.models import Message, StoredFile
from chat_app.services import (
    conversations,
    message_changes,
    message_hiding,
    reaction_rows,
    read_cursors,
    relations,
    reply_rows,
    statements,
    validation,
)
from chat_app.services.errors import NotFound
from chat_app.services.people_views import ContactView
from chat_app.services.views import CatchUp, GroupHeader, HistoryPage, MessageView

PAGE_SIZE = 50
# At most this many seqs per `system_records` call: more than a tab's window and live slots
# hold together (states/live_messages.py; a test checks it).
MOST_SEQS = 5 * PAGE_SIZE


def _views(
    session: Session,
    rows: Sequence[Message],
    until: datetime | None = None,
    joined_seq: int = 0,
) -> tuple[MessageView, ...]:
    """The views of stored messages, their files and their reactions loaded in a query each.

    `until`: only the reactions made until then (`reaction_rows.shown_until`); `joined_seq`:
    where the reader's membership starts (a quote of an older message is withheld).
    """
    file_ids = [row.file_id for row in rows if row.file_id]
    files = (
        {f.id: f for f in session.exec(select(StoredFile).where(col(StoredFile.id).in_(file_ids)))}
        if file_ids
        else {}
    )
    views = [MessageView.of(row, files.get(row.file_id or "")) for row in rows]
    return reply_rows.with_replies(
        session, rows, reaction_rows.with_reactions(session, rows, views, until), joined_seq
    )


def _withheld(
    views: Sequence[MessageView], hidden: Collection[int], quoted: Collection[int] = ()
) -> tuple[MessageView, ...]:
    """The views, those the viewer hid (`hidden` seqs) without their content.

    The tab shows none of them; a message edited after its reader left is hidden for them
    (services/message_edits.py), and its new text must not reach their tab at all, nor
    through the quote of a reply (`quoted`: those quotes read as of a deleted message).
    """
    if not hidden and not quoted:
        return tuple(views)
    return tuple(
        replace(view, body="", parts=(), attachment=None, reactions=(), reply=None)
        if view.seq in hidden
        else replace(view, reply=replace(view.reply, text="", deleted=True))
        if view.reply is not None and view.reply.seq in quoted
        else view
        for view in views
    )


def _gone_for(
    session: Session, viewer_id: int, conversation: conversations.ConversationRef
) -> set[int]:
    """For a member who left, every message hidden for them (none asked of a current one)."""
    if not conversation.departed:
        return set()
    up_to = conversation.reads_up_to
    return set(message_hiding.hidden_between(session, viewer_id, conversation.id, 0, up_to))


def _contact(session: Session, viewer_id: int, user_id: int) -> ContactView:
    found = session.connection().execute(statements.USER_VIEW, {"user": user_id}).first()
    if found is None:
        raise NotFound()
    contact = ContactView(
        user_id=found.id,
        username=found.username,
        nickname=found.nickname,
        avatar_file_id=found.avatar_file_id or "",
    )
    (contact,) = relations.hide_blocked(session=session, viewer_id=viewer_id, contacts=[contact])
    return contact


def history(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    before_seq: object = None,
    limit: int = PAGE_SIZE,
) -> HistoryPage:
    """A page of the conversation, oldest first: the newest page, or the one before a seq.

    Args:
        session: The database session.
        viewer_id: Who reads (from the server-side session).
        conversation_id: The conversation (untrusted id).
        before_seq: Only messages older than this seq (for "load older"); None for newest.
        limit: Page size.

    Returns:
        The page (only messages inside the viewer's membership), the other member of a
        direct conversation and both read positions.

    Raises:
        NotFound: Not a conversation the viewer may read (conversations.readable).
    """
    conversation = conversations.readable(session, viewer_id, conversation_id)
    # Read before the page: every change up to it shows in the rows read after.
    last_change_seq = message_changes.last_change_seq(session, conversation.id)
    statement = _in_range(conversation)
    if before_seq is not None:
        statement = statement.where(col(Message.seq) < validation.valid_id(before_seq))
    rows = session.exec(statement.order_by(col(Message.seq).desc()).limit(limit + 1)).all()
    shown = list(reversed(rows[:limit]))
    hidden = (
        message_hiding.hidden_between(
            session, viewer_id, conversation.id, shown[0].seq, shown[-1].seq
        )
        if shown
        else ()
    )
    friend, friend_read_seq = ContactView(user_id=0, username="", nickname=""), 0
    for other_id in conversation.others(viewer_id):
        friend = _contact(session, viewer_id, other_id)
        friend_read_seq = read_cursors.read_seq(session, other_id, conversation.id, shared=True)
    return HistoryPage(
        conversation_id=conversation.id,
        friend=friend,
        messages=_withheld(
            _views(
                session,
                shown,
                reaction_rows.shown_until(session, viewer_id, conversation),
                conversation.joined_seq,
            ),
            hidden,
            _gone_for(session, viewer_id, conversation),
        ),
        has_older=len(rows) > limit,
        my_read_seq=read_cursors.read_seq(session, viewer_id, conversation.id),
        friend_read_seq=friend_read_seq,
        last_seq=conversation.reads_up_to,
        kind=conversation.kind,
        writable=not conversation.departed,
        group=_group_header(session, viewer_id, conversation),
        last_change_seq=last_change_seq,
        hidden_seqs=hidden,
    )


def group_header(
    *, session: Session, viewer_id: int, conversation_id: object
) -> tuple[GroupHeader | None, bool]:
    """A group's header as the viewer sees it now, and whether they may still write.

    Args:
        session: The database session.
        viewer_id: Who reads (from the server-side session).
        conversation_id: The conversation (untrusted id).

    Returns:
        The header (None for a direct chat) and False once the viewer left.

    Raises:
        NotFound: Not a conversation the viewer may read (conversations.readable).
    """
    conversation = conversations.readable(session, viewer_id, conversation_id)
    return _group_header(session, viewer_id, conversation), not conversation.departed


def _group_header(
    session: Session, viewer_id: int, conversation: conversations.ConversationRef
) -> GroupHeader | None:
    """A group's name, picture, size and the viewer's role (None for a direct chat)."""
    if conversation.kind != "group":
        return None
    where = {"conversation": conversation.id, "viewer": viewer_id}
    row = session.connection().execute(statements.GROUP_HEADER, where).one()
    return GroupHeader(
        name=row.name or "",
        avatar_file_id=row.avatar_file_id or "",
        # Counted for current members only: how the group changed since is not a departed
        # member's to know (`my_role` is theirs while they are in it).
        member_count=row.member_count if row.my_role else 0,
        my_role=row.my_role or "",
    )


def _in_range(conversation: conversations.ConversationRef) -> SelectOfScalar[Message]:
    """The conversation's messages inside the viewer's membership: (joined_seq, left_seq]."""
    return select(Message).where(
        Message.conversation_id == conversation.id,
        col(Message.seq) > conversation.joined_seq,
        col(Message.seq) <= conversation.reads_up_to,
    )


def messages_after(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    after_seq: object,
    limit: int = PAGE_SIZE,
) -> tuple[MessageView, ...]:
    """Messages newer than `after_seq`, oldest first (catch-up after a reconnect).

    Args:
        session: The database session.
        viewer_id: Who reads.
        conversation_id: The conversation (untrusted id).
        after_seq: The last seq the tab holds.
        limit: At most this many (a longer gap reloads the newest page instead).

    Returns:
        The missing messages (only those inside the viewer's membership).

    Raises:
        NotFound: Not a conversation the viewer may read, or a malformed seq.
    """
    conversation = conversations.readable(session, viewer_id, conversation_id)
    return _after(session, conversation, after_seq, limit)


def catch_up(
    *,
    session: Session,
    viewer_id: int,
    conversation_id: object,
    after_seq: object,
    after_change: object = None,
    hidden_from: object = None,
    limit: int = PAGE_SIZE,
) -> CatchUp:
    """`messages_after`, with the viewer's membership and the group's header as they are now.

    A tab that was away (a reload, a dropped socket) may have missed its removal from the
    group, a rename or members coming and going: no push tells it afterwards.

    Args:
        session: The database session.
        viewer_id: Who reads.
        conversation_id: The conversation (untrusted id).
        after_seq: The last seq the tab holds.
        after_change: The last change number the tab read (None: no changes asked for).
        hidden_from: The oldest seq the tab shows: the messages from there the viewer
            deleted for themselves (on another device while away) are named too. None:
            not asked (a gap noticed in the pushes, not an absence).
        limit: At most this many messages.

    Returns:
        The missing messages, whether the viewer may still write, the group's header, and
        the messages changed (deleted) after `after_change`.

    Raises:
        NotFound: Not a conversation the viewer may read, or a malformed seq or change
            number.
    """
    conversation = conversations.readable(session, viewer_id, conversation_id)
    until = reaction_rows.shown_until(session, viewer_id, conversation)
    changes, cut, reached = (), False, 0
    if after_change is not None:
        changes, cut, reached = message_changes.changes_after(
            session, conversation, after_change, until
        )
    hidden: tuple[int, ...] = ()
    if hidden_from is not None:
        low = _seq_from(hidden_from)
        hidden = message_hiding.hidden_between(
            session, viewer_id, conversation.id, low, conversation.reads_up_to
        )
    messages = _after(session, conversation, after_seq, limit, until)
    if gone := _gone_for(session, viewer_id, conversation):
        # What changed after they left is hidden for them: neither its text nor the change.
        messages = _withheld(messages, gone, gone)
        changes = _withheld([change for change in changes if change.seq not in gone], (), gone)
        hidden = tuple(sorted({*hidden, *(view.seq for view in messages if view.seq in gone)}))
    return CatchUp(
        messages=messages,
        writable=not conversation.departed,
        group=_group_header(session, viewer_id, conversation),
        changes=changes,
        changes_cut=cut,
        last_change_seq=reached,
        hidden_seqs=hidden,
    )


def _seq_from(value: object) -> int:
    """A seq a tab names as where it stands (0 for none), or NotFound."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NotFound()
    return value


def _after(
    session: Session,
    conversation: conversations.ConversationRef,
    after_seq: object,
    limit: int,
    until: datetime | None = None,
) -> tuple[MessageView, ...]:
    rows = session.exec(
        _in_range(conversation)
        .where(col(Message.seq) > _seq_from(after_seq))
        .order_by(col(Message.seq))
        .limit(limit)
    ).all()
    return _views(session, rows, until, conversation.joined_seq)


def system_records(
    *, session: Session, viewer_id: int, conversation_id: object, seqs: object
) -> tuple[MessageView, ...]:
    """The group events among `seqs` the viewer may read, with their stored records.

    A tab keeps a system line only in words (services/system_lines.py): to write it in
    another language it reads the record again.

    Args:
        session: The database session.
        viewer_id: Who reads (from the server-side session).
        conversation_id: The conversation (untrusted id).
        seqs: The seqs of the lines the tab shows (untrusted: a list of ids, at most
            MOST_SEQS).

    Returns:
        The system messages among them inside the viewer's membership, oldest first, each
        with its stored body (JSON); other kinds and seqs outside the range are left out.

    Raises:
        NotFound: Not a conversation the viewer may read (conversations.readable), or
            malformed seqs.
    """
    if not isinstance(seqs, list | tuple) or len(seqs) > MOST_SEQS:
        raise NotFound()
    wanted = {validation.valid_id(seq) for seq in seqs}
    conversation = conversations.readable(session, viewer_id, conversation_id)
    if not wanted:
        return ()
    rows = session.exec(
        _in_range(conversation)
        .where(Message.kind == "system", col(Message.seq).in_(wanted))
        .order_by(col(Message.seq))
    ).all()
    return _views(session, rows)
