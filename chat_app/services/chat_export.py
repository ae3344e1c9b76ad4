"""A chat's export: one ZIP, streamed, of everything the viewer can read in that chat.

The archive holds `messages.json` (the data), `index.html` (the same as a page that runs
nothing) and `files/` (every file still there, by the message's number). It is written
while it downloads, a batch of messages at a time, each batch read in a short session of
its own: memory stays flat whatever the chat's length, and no transaction stays open for
the download's minutes. What it covers is fixed when it starts (the messages up to the
newest the viewer may read then, inside their membership); names are today's, as the viewer
sees them (a username for someone in a block with them), a deleted message stays a
placeholder, and one the viewer deleted for themselves is left out. Starting one is paced
per user (the link's route bounds how many run at once).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chat_app.i18n import text
from chat_app.models import Message, StoredFile, User, utc_now
from chat_app.services import (
    conversations,
    message_hiding,
    reaction_rows,
    relations,
    search,
    system_lines,
)
from chat_app.services.database import session_scope
from chat_app.services.export_pages import (
    HTML_END,
    JSON_END,
    ExportedFile,
    ExportedMessage,
    archive_name,
    archive_path,
    html_item,
    html_start,
    json_record,
    json_start,
)
from chat_app.services.storage import FileStorage

EXPORTS_PER_HOUR = 10
# Downloads of export links per user: each export's, fetched again a couple of times.
DOWNLOADS_PER_HOUR = 3 * EXPORTS_PER_HOUR
# Messages read per short database session.
BATCH = 500
# A file is copied into the archive this many bytes at a time.
PIECE = 256 * 1024


@dataclass(frozen=True)
class ExportPlan:
    """What one export covers, fixed when its download starts."""

    conversation_id: int
    kind: str
    title: str
    viewer_id: int
    viewer_name: str
    language: str
    # The messages in (after_seq, up_to_seq]: the viewer's readable range at the start.
    after_seq: int
    up_to_seq: int
    blocked: frozenset[int]
    exported_at: datetime
    # For a member who left: when (reactions made later are not theirs to see).
    reactions_until: datetime | None = None

    @property
    def file_name(self) -> str:
        """The download's name (the chat's and the day's)."""
        return archive_name(self.title, self.exported_at)


def start_export(*, session: Session, viewer_id: int, conversation_id: object) -> int:
    """Count one export of a chat the viewer may read, or refuse it.

    Args:
        session: The database session (the count is committed).
        viewer_id: Who exports (from the server-side session).
        conversation_id: The chat (untrusted id).

    Returns:
        The chat's id, to sign its export link with.

    Raises:
        NotFound: Not a chat the viewer may read.
        RateLimited: More than EXPORTS_PER_HOUR in an hour ("too_many_exports").
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    relations.count_action(
        session=session, user_id=viewer_id, action="exports", limit=EXPORTS_PER_HOUR
    )
    return found.id


def count_download(*, session: Session, viewer_id: int) -> None:
    """Count one download of an export link, or refuse it past DOWNLOADS_PER_HOUR.

    A link may be fetched again while it lives (a failed download), and each fetch writes
    the whole archive: counted apart from the exports started, with room for retries.

    Args:
        session: The database session.
        viewer_id: The link's user.

    Raises:
        RateLimited: More than DOWNLOADS_PER_HOUR in an hour ("too_many_export_downloads").
    """
    relations.count_action(
        session=session, user_id=viewer_id, action="export_downloads", limit=DOWNLOADS_PER_HOUR
    )


def plan_export(
    *, session: Session, viewer_id: int, conversation_id: object, language: str
) -> ExportPlan:
    """What an export of a chat covers for the viewer, as of now.

    Args:
        session: The database session.
        viewer_id: Who exports (from a verified link).
        conversation_id: The chat (untrusted id).
        language: The export's language.

    Returns:
        The plan.

    Raises:
        NotFound: Not a chat the viewer may read (any more).
    """
    found = conversations.readable(session, viewer_id, conversation_id)
    viewer = session.get(User, viewer_id)
    return ExportPlan(
        conversation_id=found.id,
        kind=found.kind,
        title=search.scope_title(session=session, viewer_id=viewer_id, conversation_id=found.id)
        or text("deleted_user", language),
        viewer_id=viewer_id,
        viewer_name=viewer.nickname if viewer is not None else "",
        language=language,
        after_seq=found.joined_seq,
        up_to_seq=found.reads_up_to,
        blocked=frozenset(relations.blocked_either_way(session=session, user_id=viewer_id)),
        exported_at=utc_now(),
        reactions_until=reaction_rows.shown_until(session, viewer_id, found),
    )


class _Sink(io.RawIOBase):
    """Where the archive is written: what it holds is handed on and forgotten at once."""

    def __init__(self) -> None:
        super().__init__()
        self._pieces: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]  # bytes-like, as io passes it
        piece = bytes(data)
        self._pieces.append(piece)
        self._written += len(piece)
        return len(piece)

    def tell(self) -> int:
        return self._written

    def take(self) -> Iterator[bytes]:
        pieces, self._pieces = self._pieces, []
        if pieces:
            yield b"".join(pieces)


Scope = Callable[[], AbstractContextManager[Session]]
T = TypeVar("T")


def export_chunks(
    plan: ExportPlan, storage: FileStorage, scope: Scope = session_scope
) -> Iterator[bytes]:
    """The export's ZIP, piece by piece, as it is written.

    Args:
        plan: What it covers (`plan_export`).
        storage: Where the files' bytes are.
        scope: Opens a database session (one per batch).

    Yields:
        The archive's bytes.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        start = json_start(plan.title, plan.kind, plan.exported_at, plan.viewer_name)
        with archive.open("messages.json", "w", force_zip64=True) as out:
            out.write(start.encode())
            separator = b""
            for message in _messages(plan, scope):
                out.write(separator + json.dumps(json_record(message), ensure_ascii=False).encode())
                separator = b",\n"
                yield from sink.take()
            out.write(JSON_END.encode())
        yield from sink.take()
        with archive.open("index.html", "w", force_zip64=True) as out:
            out.write(
                html_start(plan.title, plan.exported_at, plan.viewer_name, plan.language).encode()
            )
            for message in _messages(plan, scope):
                out.write(html_item(message, plan.language).encode())
                yield from sink.take()
            out.write(HTML_END.encode())
        yield from sink.take()
        for path, key, size in _files(plan, scope):
            yield from _copy_file(archive, sink, storage, path, key, size)
    yield from sink.take()


def _copy_file(
    archive: zipfile.ZipFile, sink: _Sink, storage: FileStorage, path: str, key: str, size: int
) -> Iterator[bytes]:
    try:
        source = storage.open(key)
    except FileNotFoundError:
        return  # its bytes are gone (deleted since the batch was read): the page names it
    entry = zipfile.ZipInfo(path, date_time=utc_now().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_STORED  # pictures and archives are compressed already
    with source, archive.open(entry, "w", force_zip64=size >= 2**31) as out:
        while piece := source.read(PIECE):
            out.write(piece)
            yield from sink.take()


def _in_batches(
    plan: ExportPlan, scope: Scope, read: Callable[[Session, Sequence[sa.Row]], list[T]]
) -> Iterator[T]:
    """`read` of the plan's messages (with their files), BATCH at a time, oldest first.

    Each batch is read, and made into what the archive needs, in a session closed before
    any of it is written: no transaction waits on the download.
    """
    after = plan.after_seq
    while after < plan.up_to_seq:
        with scope() as session:
            rows = (
                session.connection()
                .execute(
                    _ROWS.where(
                        col(Message.conversation_id) == plan.conversation_id,
                        col(Message.seq) > after,
                        col(Message.seq) <= plan.up_to_seq,
                        message_hiding.not_hidden_from(plan.viewer_id),
                    )
                )
                .all()
            )
            made = read(session, rows) if rows else []
        if not rows:
            return
        yield from made
        after = rows[-1].seq


_ROWS = (
    sa.select(
        *(
            col(column)
            for column in (
                Message.id,
                Message.seq,
                Message.sender_id,
                Message.kind,
                Message.body,
                Message.created_at,
                Message.edited_at,
                Message.deleted_at,
                Message.reply_to_seq,
                StoredFile.original_name,
                StoredFile.size,
                StoredFile.mime,
                StoredFile.storage_key,
            )
        )
    )
    .outerjoin(StoredFile, col(StoredFile.id) == col(Message.file_id))
    .order_by(col(Message.seq))
    .limit(BATCH)
)


def _files(plan: ExportPlan, scope: Scope) -> Iterator[tuple[str, str, int]]:
    def read(_session: Session, rows: Sequence[sa.Row]) -> list[tuple[str, str, int]]:
        return [
            (archive_path(row.seq, row.original_name), row.storage_key, row.size)
            for row in rows
            if row.storage_key and row.deleted_at is None
        ]

    return _in_batches(plan, scope, read)


def _messages(plan: ExportPlan, scope: Scope) -> Iterator[ExportedMessage]:
    def read(session: Session, rows: Sequence[sa.Row]) -> list[ExportedMessage]:
        names = _names(session, plan, rows)
        reactions = _reactions(session, [row.id for row in rows], plan.reactions_until)
        return [_exported(plan, row, names, reactions.get(row.id, ())) for row in rows]

    return _in_batches(plan, scope, read)


def _exported(
    plan: ExportPlan,
    row: sa.Row,
    names: dict[int, str],
    reactions: tuple[tuple[str, int], ...],
) -> ExportedMessage:
    deleted = row.deleted_at is not None
    if row.kind == "system":
        line = system_lines.system_line(
            row.body, plan.language, lambda user_id: names.get(user_id, ""), plan.viewer_id
        )
        return ExportedMessage(row.seq, row.created_at, "system", None, "", False, line)
    file = None
    if row.storage_key and not deleted:
        path = archive_path(row.seq, row.original_name)
        file = ExportedFile(row.original_name, row.size, row.mime, path, row.kind == "image")
    return ExportedMessage(
        seq=row.seq,
        sent_at=row.created_at,
        kind=row.kind,
        sender_id=row.sender_id,
        sender_name=names.get(row.sender_id, ""),
        mine=row.sender_id == plan.viewer_id,
        text="" if deleted else row.body,
        file=file,
        edited_at=row.edited_at,
        deleted=deleted,
        reactions=() if deleted else reactions,
        reply_to=row.reply_to_seq,
    )


def _names(session: Session, plan: ExportPlan, rows: Sequence[sa.Row]) -> dict[int, str]:
    """Today's names of a batch's senders and of the people its event lines name."""
    ids = {row.sender_id for row in rows}
    for row in rows:
        if row.kind == "system":
            ids |= system_lines.user_ids_in(row.body)
    found = session.exec(
        select(User.id, User.username, User.nickname).where(col(User.id).in_(ids))
    ).all()
    deleted = text("deleted_user", plan.language)
    return {
        user_id: username if user_id in plan.blocked else (nickname or deleted)
        for user_id, username, nickname in found
        if user_id is not None
    }


def _reactions(
    session: Session, message_ids: list[int], until: datetime | None
) -> dict[int, tuple[tuple[str, int], ...]]:
    """Each message's reactions as (emoji, count), in the order each emoji was first used."""
    counts: dict[int, tuple[tuple[str, int], ...]] = {}
    for message_id, made in reaction_rows.reactions_by_message(session, message_ids, until).items():
        emojis = [emoji for emoji, _user_id in made]
        counts[message_id] = tuple((emoji, emojis.count(emoji)) for emoji in dict.fromkeys(emojis))
    return counts
