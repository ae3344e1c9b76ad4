"""A chat list row as one tab shows it: the service's row with its last line in words.

Pure (no reflex): the same line is written when the list is read and when a pushed message
replaces it, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_app.i18n import text
from chat_app.services import system_lines
from chat_app.services.chat_list import PREVIEW_MAX, ChatRowView

GROUP = "group"


@dataclass(frozen=True)
class ChatRow:
    """One row of the Chats tab (a direct chat or a group).

    Attributes:
        conversation_id: What the row opens.
        kind: "direct" or "group".
        name: The group's name or the other person's nickname.
        username: Direct only: the other person's username ("" for a group).
        user_id: Direct only: the other person (0 for a group).
        avatar_url: The picture, signed for the viewer ("": initials).
        line: The last message as the row shows it ("" for none).
        last_at: When it was sent (ISO; "" for none).
        muted: The viewer muted the conversation.
        departed: The viewer is no longer a member (history only).
    """

    conversation_id: int
    kind: str
    name: str
    username: str = ""
    user_id: int = 0
    avatar_url: str = ""
    line: str = ""
    last_at: str = ""
    muted: bool = False
    departed: bool = False


def preview_line(
    kind: str, body: str, sender: str, language: str, viewer_id: int | None = None
) -> str:
    """The row's last line: the text (after the sender's name in a group), or what it was.

    Args:
        kind: The message's kind ("text", "file", "image", "system"), "hidden" for one
            from a user in a block with the reader, "deleted" for one deleted for everyone,
            "" for none.
        body: Its text (for files and images, the file's name).
        sender: The sender's nickname in a group ("" in a direct chat).
        language: The reader's language.
        viewer_id: The reader (a group event about them says "You").

    Returns:
        One line of plain text (state data, never turned into a Var).
    """
    if kind == "system":
        return _one_line(system_lines.preview_of(body, language, viewer_id))
    if kind == "hidden":
        return text("preview_hidden", language)
    if kind == "deleted":
        return text("preview_deleted", language)
    if kind == "image":
        shown = "🖼 " + body
    elif kind == "file":
        shown = "📎 " + body
    elif kind == "text":
        shown = body
    else:
        return ""
    shown = _one_line(shown)
    return f"{sender}: {shown}" if sender else shown


def _one_line(shown: str) -> str:
    """`shown` cut to PREVIEW_MAX, its runs of spaces and line breaks one space each."""
    return " ".join(shown[:PREVIEW_MAX].split())


def chat_row(row: ChatRowView, avatar_url: str, language: str, viewer_id: int | None) -> ChatRow:
    """The row `viewer_id`'s tab shows for a service row (its avatar link signed by the caller)."""
    return ChatRow(
        conversation_id=row.conversation_id,
        kind=row.kind,
        name=row.name,
        username=row.username,
        user_id=row.user_id,
        avatar_url=avatar_url,
        line=preview_line(row.preview_kind, row.preview, row.preview_sender, language, viewer_id),
        last_at=row.last_at,
        muted=row.muted,
        departed=row.departed,
    )
