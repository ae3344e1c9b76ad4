"""What a message's reactions look like to a tab: each quick emoji and who reacted with it.

Pure data (no database): the message view holds these (services/views.py), and the page
counts them and marks the viewer's own from the ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The emoji a member may react with, in the order the menu and the bubble show them. A
# short fixed set: a message holds at most six kinds of reaction, and nothing else a
# client sends is stored.
QUICK_REACTIONS: tuple[str, ...] = ("👍", "❤️", "😂", "😮", "😢", "🙏")


@dataclass(frozen=True)
class ReactionView:
    """One emoji on a message and the members who reacted with it (in the order they did)."""

    emoji: str
    user_ids: tuple[int, ...]


def summarize(rows: Iterable[tuple[str, int]]) -> tuple[ReactionView, ...]:
    """A message's reactions from its (emoji, user id) rows, oldest first.

    Args:
        rows: The stored reactions of one message, in the order they were made.

    Returns:
        One view per emoji that has any, in QUICK_REACTIONS order.
    """
    users: dict[str, list[int]] = {}
    for emoji, user_id in rows:
        users.setdefault(emoji, []).append(user_id)
    return tuple(
        ReactionView(emoji, tuple(users[emoji])) for emoji in QUICK_REACTIONS if emoji in users
    )
