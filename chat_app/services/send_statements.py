"""The send's first statement: the next seq, the conversation's lock and the send's checks.

Kept apart from statements.py (the other hot-path statements) for its size.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chat_app.services.statements import CONVERSATION, MEMBER, MESSAGE, SENT_SINCE


def _sender_member(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """One column of the sender's member row (a send's checks read it)."""
    return (
        sa.select(column)
        .where(
            MEMBER.c.conversation_id == sa.bindparam("conversation"),
            MEMBER.c.user_id == sa.bindparam("viewer"),
        )
        .scalar_subquery()
    )


# A send's first statement: it takes the conversation's write lock (the row on PostgreSQL,
# the database on SQLite) until commit, so seqs follow commit order, and hands out the next
# seq with everything the send checks, one round trip instead of two (a statement costs
# ~60 µs of the worker's CPU in SQLAlchemy, and on PostgreSQL a round trip): the
# conversation with the sender's membership, the sender's messages inside the rate window,
# and whether the client id is stored already (a retry). A refused send rolls it back. No
# row: no such conversation, or the viewer was never a member (nothing locked then). The
# membership is read in subqueries because SQLite's RETURNING may name only the updated
# table; on PostgreSQL they read the snapshot from before the lock (INSERT_IF_MEMBER checks
# again after it).
NEXT_SEQ_WITH_CHECKS = (
    sa.update(CONVERSATION)
    .where(
        CONVERSATION.c.id == sa.bindparam("conversation"),
        sa.exists().where(
            MEMBER.c.conversation_id == sa.bindparam("conversation"),
            MEMBER.c.user_id == sa.bindparam("viewer"),
        ),
    )
    .values(
        last_seq=CONVERSATION.c.last_seq + 1,
        last_message_at=sa.bindparam("now", type_=CONVERSATION.c.last_message_at.type),
    )
    .returning(
        CONVERSATION.c.id,
        CONVERSATION.c.last_seq,
        CONVERSATION.c.kind,
        CONVERSATION.c.user_low_id,
        CONVERSATION.c.user_high_id,
        _sender_member(MEMBER.c.joined_seq).label("joined_seq"),
        _sender_member(MEMBER.c.left_seq).label("left_seq"),
        _sender_member(MEMBER.c.left_at.is_not(None)).label("departed"),
        SENT_SINCE.scalar_subquery().label("recent"),
        sa.exists()
        .where(
            MESSAGE.c.sender_id == sa.bindparam("viewer"),
            MESSAGE.c.client_id == sa.bindparam("client_id"),
        )
        .label("stored"),
    )
)
