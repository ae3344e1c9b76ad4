"""Search in every conversation the viewer may read: the newest matching messages first.

A query is split into words at spaces; a message matches when its text (or its file's
name) holds every word, anywhere, case aside: "学习" finds "我们学习小组", "port" finds
"Report.pdf". Words of three characters or more are looked up in the database's own index
(services/search_index.py); one- and two-character words (common in Chinese) only filter
what it finds. A query of short words alone has no index to use: it reads the newest
SHORT_SCAN messages of the whole server, and the results say so (`shallow`).

What the viewer may read, exactly as the conversation shows it: inside their membership
(after joining, up to leaving), not in a departed conversation they hid, not from someone
in a block with them, not a message they deleted for themselves.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from time import monotonic

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from chat_app.models import Conversation, ConversationMember, Message, User
from chat_app.services import chat_list, conversations, message_hiding, relations, validation
from chat_app.services.chat_list import GROUP
from chat_app.services.errors import RateLimited, ValidationFailed
from chat_app.services.search_index import SEARCHED_KINDS, SQLITE_TABLE
from chat_app.services.snippets import SnippetPart, snippet
from chat_app.services.views import wire_time

QUERY_MAX = 100
WORDS_MAX = 6
INDEXED_LENGTH = 3
RESULTS_PAGE = 20
# A query of short words reads at most this many of the newest messages (a few tens of ms).
SHORT_SCAN = 100_000
# Per user and worker: a search costs a query of up to SHORT_SCAN rows.
SEARCHES_PER_WINDOW = 20
PACE_WINDOW_SECONDS = 10.0


@dataclass(frozen=True)
class SearchHit:
    """One message found, as the results list shows it.

    Attributes:
        message_id: The message (orders the results; "more" continues below it).
        conversation_id: Where it is.
        seq: Its place there (the conversation opens at it).
        kind: The conversation's kind, "direct" or "group".
        title: The group's name, or the other person's nickname (username under a block).
        avatar_file_id: The group's or the other person's picture ("" for none).
        sender_name: Who wrote it (a deleted account's nickname is "").
        mine: The viewer wrote it.
        message_kind: "text", "file" or "image" (a file's text is its name).
        sent_at: When (ISO, UTC).
        parts: The text around the words found, each occurrence marked (services/snippets.py).
    """

    message_id: int
    conversation_id: int
    seq: int
    kind: str
    title: str
    avatar_file_id: str
    sender_name: str
    mine: bool
    message_kind: str
    sent_at: str
    parts: tuple[SnippetPart, ...]


@dataclass(frozen=True)
class SearchResults:
    """A page of results, newest first.

    Attributes:
        words: The words searched for, as understood.
        hits: The messages found.
        more: Older ones may follow (ask again below the last hit's message id).
        shallow: Only the newest SHORT_SCAN messages were read (short words alone).
    """

    words: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    more: bool
    shallow: bool


def search_words(query: object) -> tuple[str, ...]:
    """The words of a query, each once (case aside).

    Args:
        query: The text typed (untrusted).

    Returns:
        The words; empty for a blank query.

    Raises:
        ValidationFailed: Not text, over QUERY_MAX characters or WORDS_MAX words.
    """
    if not isinstance(query, str) or not _encodable(query):
        raise ValidationFailed({"query": "search_invalid"})
    if len(query) > QUERY_MAX:
        raise ValidationFailed({"query": "search_too_long"})
    words: dict[str, str] = {}
    for word in query.split():
        words.setdefault(word.casefold(), word)
    if len(words) > WORDS_MAX:
        raise ValidationFailed({"query": "search_too_many_words"})
    return tuple(words.values())


def _encodable(query: str) -> bool:
    # A forged JSON string may hold a lone surrogate, which no database driver can send.
    try:
        query.encode()
    except UnicodeEncodeError:
        return False
    return True


def search_messages(
    *,
    session: Session,
    viewer_id: int,
    query: object,
    before_id: object = None,
    conversation_id: object = None,
) -> SearchResults:
    """The newest messages the viewer may read that hold every word of `query`.

    Args:
        session: The database session.
        viewer_id: Who searches (from the server-side session).
        query: The text typed (untrusted).
        before_id: Only messages older than this message id (the next page), or None.
        conversation_id: Only in this conversation (untrusted id; one the viewer cannot
            read finds nothing), or None for all.

    Returns:
        Up to RESULTS_PAGE hits, newest first; none for a blank query.

    Raises:
        ValidationFailed: A query `search_words` refuses.
        NotFound: A malformed `before_id` or `conversation_id`.
    """
    words = search_words(query)
    if not words:
        return SearchResults(words=(), hits=(), more=False, shallow=False)
    before = None if before_id is None else validation.valid_id(before_id)
    scope = None if conversation_id is None else validation.valid_id(conversation_id)
    indexed = [word for word in words if len(word) >= INDEXED_LENGTH]
    sqlite = session.connection().dialect.name == "sqlite"
    blocked = relations.blocked_either_way(session=session, user_id=viewer_id)
    statement, floor = _statement(session, viewer_id, words, indexed, before, sqlite, scope)
    if blocked:
        statement = statement.where(col(Message.sender_id).not_in(blocked))
    statement = statement.where(message_hiding.not_hidden_from(viewer_id))
    rows = session.connection().execute(statement).all()
    return SearchResults(
        words=words,
        hits=_hits(session, viewer_id, words, rows[:RESULTS_PAGE], blocked),
        more=len(rows) > RESULTS_PAGE,
        shallow=floor > 0,
    )


def _statement(
    session: Session,
    viewer_id: int,
    words: tuple[str, ...],
    indexed: list[str],
    before: int | None,
    sqlite: bool,
    scope: int | None = None,
) -> tuple[sa.Select, int]:
    """The query, and the id (the seq in one conversation) it reads down to (0: all)."""
    member = aliased(ConversationMember)
    message_id = col(Message.id)
    statement = (
        sa.select(
            message_id,
            col(Message.conversation_id),
            col(Message.seq),
            col(Message.sender_id),
            col(Message.kind),
            col(Message.body),
            col(Message.created_at),
        )
        .join(
            member,
            sa.and_(
                col(member.conversation_id) == col(Message.conversation_id),
                col(member.user_id) == viewer_id,
            ),
        )
        .where(
            col(Message.kind).in_(SEARCHED_KINDS),
            col(Message.seq) > col(member.joined_seq),
            sa.or_(col(member.left_seq).is_(None), col(Message.seq) <= col(member.left_seq)),
            sa.or_(col(member.left_at).is_(None), sa.not_(col(member.hidden))),
        )
        .limit(RESULTS_PAGE + 1)
    )
    floor = 0
    # In one conversation its own newest messages bound a scan, read along its seq index.
    place = message_id if scope is None else col(Message.seq)
    if scope is not None:
        statement = statement.where(col(Message.conversation_id) == scope)
    if not indexed:
        newest = sa.select(sa.func.max(place))
        if scope is not None:
            newest = newest.where(col(Message.conversation_id) == scope)
        floor = max((session.connection().execute(newest).scalar() or 0) - SHORT_SCAN, 0)
        statement = statement.where(place > floor)
    if sqlite and indexed:
        fts = sa.table(SQLITE_TABLE, sa.column("rowid"))
        rowid = fts.c.rowid
        statement = statement.join(fts, rowid == message_id).where(
            sa.text(f"{SQLITE_TABLE} MATCH :phrase").bindparams(phrase=_match_phrase(indexed))
        )
        if before is not None:
            statement = statement.where(rowid < before)
        # SQLite's LIKE ignores case for ASCII letters only; the index ignores it for all.
        short = [word for word in words if word not in indexed]
        return _containing(statement, short, ilike=False).order_by(rowid.desc()), floor
    if before is not None:
        statement = statement.where(message_id < before)
    return _containing(statement, list(words), ilike=not sqlite).order_by(message_id.desc()), floor


def scope_title(*, session: Session, viewer_id: int, conversation_id: object) -> str:
    """The name a search in one conversation shows it by, as its chat row does.

    Args:
        session: The database session.
        viewer_id: Who searches (from the server-side session).
        conversation_id: The conversation (untrusted id).

    Returns:
        The group's name, or the other person's nickname (username under a block; "" for
        a deleted account).

    Raises:
        NotFound: Not a conversation the viewer may read.
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    blocked = relations.blocked_either_way(session=session, user_id=viewer_id)
    return _places(session, viewer_id, {found.id}, blocked)[found.id][1]


def _match_phrase(words: list[str]) -> str:
    """An FTS5 query finding every word as a substring: each quoted, quotes doubled."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def _containing(statement: sa.Select, words: list[str], ilike: bool) -> sa.Select:
    body = col(Message.body)
    for word in words:
        pattern = validation.like_pattern(word)
        found = body.ilike(pattern, escape="\\") if ilike else body.like(pattern, escape="\\")
        statement = statement.where(found)
    return statement


def _hits(
    session: Session,
    viewer_id: int,
    words: tuple[str, ...],
    rows: Sequence[sa.Row],
    blocked: set[int],
) -> tuple[SearchHit, ...]:
    places = _places(session, viewer_id, {row.conversation_id for row in rows}, blocked)
    senders = _names(session, {row.sender_id for row in rows})
    hits = []
    for row in rows:
        kind, title, avatar = places[row.conversation_id]
        hits.append(
            SearchHit(
                message_id=row.id,
                conversation_id=row.conversation_id,
                seq=row.seq,
                kind=kind,
                title=title,
                avatar_file_id=avatar,
                sender_name=senders.get(row.sender_id, ""),
                mine=row.sender_id == viewer_id,
                message_kind=row.kind,
                sent_at=wire_time(row.created_at),
                parts=snippet(row.body, words),
            )
        )
    return tuple(hits)


def _places(
    session: Session, viewer_id: int, conversation_ids: set[int], blocked: set[int]
) -> dict[int, tuple[str, str, str]]:
    """Conversation id → (kind, title, picture), as the chat list names it."""
    if not conversation_ids:
        return {}
    other = aliased(User)
    mine = aliased(ConversationMember)
    other_id = sa.case(
        (col(Conversation.user_low_id) == viewer_id, col(Conversation.user_high_id)),
        else_=col(Conversation.user_low_id),
    )
    rows = session.connection().execute(
        sa.select(
            col(Conversation.id),
            col(Conversation.kind),
            # A departed member sees the name the group had when they left.
            sa.func.coalesce(col(mine.name_when_left), col(Conversation.name)).label("group_name"),
            col(Conversation.avatar_file_id).label("group_avatar"),
            col(other.id).label("other_id"),
            col(other.username).label("other_username"),
            col(other.nickname).label("other_nickname"),
            col(other.avatar_file_id).label("other_avatar"),
        )
        .outerjoin(other, sa.and_(col(Conversation.kind) != GROUP, col(other.id) == other_id))
        .outerjoin(
            mine,
            sa.and_(
                col(mine.conversation_id) == col(Conversation.id), col(mine.user_id) == viewer_id
            ),
        )
        .where(col(Conversation.id).in_(conversation_ids))
    )
    return {row.id: (row.kind, *chat_list.shown_as(row, blocked)) for row in rows}


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.connection().execute(
        sa.select(col(User.id), col(User.nickname)).where(col(User.id).in_(user_ids))
    )
    return {row.id: row.nickname or "" for row in rows}


class SearchPace:
    """At most SEARCHES_PER_WINDOW searches per user in PACE_WINDOW_SECONDS, per worker."""

    def __init__(self) -> None:
        self._times: dict[int, deque[float]] = {}

    def check(self, user_id: int, now: float | None = None) -> None:
        """Count a search by `user_id`, or refuse it.

        Args:
            user_id: Who searches.
            now: The monotonic time (tests pass their own).

        Raises:
            RateLimited: Over the limit in the window ("too_many_searches").
        """
        now = monotonic() if now is None else now
        since = now - PACE_WINDOW_SECONDS
        # Forget users with no search in the window: the map stays as small as the
        # number of people searching now.
        for quiet in [key for key, times in self._times.items() if times[-1] <= since]:
            del self._times[quiet]
        times = self._times.setdefault(user_id, deque())
        while times and times[0] <= since:
            times.popleft()
        if len(times) >= SEARCHES_PER_WINDOW:
            raise RateLimited("too_many_searches")
        times.append(now)


PACE = SearchPace()
