"""Who hears that members of a group are typing, and whom each of them may hear.

Typing goes to the current members only (a departed member hears nothing), and never
across a block, either way: each member hears the typers they are in no block with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from chat_app.services import statements

_BLOCK = statements.BLOCK
# The blocks involving any of these users, either way.
_BLOCKS_OF = sa.select(_BLOCK.c.blocker_id, _BLOCK.c.blocked_id).where(
    _BLOCK.c.blocker_id.in_(sa.bindparam("users", expanding=True))
    | _BLOCK.c.blocked_id.in_(sa.bindparam("users", expanding=True))
)


@dataclass(frozen=True)
class TypingAudience:
    """The current members of a group and the typers each of them may hear of.

    Attributes:
        member_ids: The conversation's current members, in id order.
        blocked: Pairs (typer, member) in a block either way: the member hears nothing
            of that typer.
    """

    member_ids: tuple[int, ...]
    blocked: frozenset[tuple[int, int]]

    def heard_by(self, member_id: int, typer_ids: Iterable[int]) -> tuple[int, ...]:
        """The typers (in the given order) a member hears: not themselves, no blocks.

        Args:
            member_id: The listening member.
            typer_ids: Who is typing, in the order they started.

        Returns:
            The typers this member is shown.
        """
        members = set(self.member_ids)
        return tuple(
            typer
            for typer in typer_ids
            if typer != member_id and typer in members and (typer, member_id) not in self.blocked
        )


def typing_audience(
    *, session: Session, conversation_id: int, typer_ids: Iterable[int]
) -> TypingAudience:
    """The current members of a conversation, and the blocks between them and the typers.

    Args:
        session: The database session.
        conversation_id: The conversation (an id the server holds, not a client's).
        typer_ids: Who is typing (a typer who is no current member is heard by nobody).

    Returns:
        The audience.
    """
    connection = session.connection()
    where = {"conversation": conversation_id}
    members = tuple(sorted(connection.execute(statements.ACTIVE_MEMBER_IDS, where).scalars()))
    typers = sorted(set(typer_ids))
    blocked: set[tuple[int, int]] = set()
    if typers and members:
        for blocker, blocked_id in connection.execute(_BLOCKS_OF, {"users": typers}):
            # Stored one way; both sides are out of each other's typing.
            blocked.add((blocker, blocked_id))
            blocked.add((blocked_id, blocker))
    return TypingAudience(members, frozenset(blocked))
