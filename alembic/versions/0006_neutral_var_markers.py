"""neutral var markers: stored names lose Reflex's Var marker tags

Reflex parses `<reflex.Var>...</reflex.Var>` in strings that become Vars; user text holding
it froze the server when shown in a toast (chat_app/states/safe_text.py). Registration and
uploads now refuse or neutralise the tags; this rewrites names stored before, with the
full-width angle brackets `services.validation.neutralize_var_markers` uses. Data only,
idempotent (a neutralised name holds no tag), plain UPDATE ... REPLACE on SQLite and
PostgreSQL alike.

Revision ID: fb5a8cc4ac8d
Revises: d15dde59dd59
Create Date: 2026-12-02 03:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = 'fb5a8cc4ac8d'
down_revision: Union[str, Sequence[str], None] = 'd15dde59dd59'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Frozen copies of services.validation's constants: a migration must not change later.
TAGS = (
    ("<reflex.Var>", "\uff1creflex.Var\uff1e"),
    ("</reflex.Var>", "\uff1c/reflex.Var\uff1e"),
)


def _neutralised(column: sa.ColumnClause) -> sa.ColumnElement:
    expression: sa.ColumnElement = column
    for tag, neutral in TAGS:
        expression = sa.func.replace(expression, tag, neutral)
    return expression


def _holds_tag(column: sa.ColumnClause) -> sa.ColumnElement:
    # instr/strpos would differ per dialect; LIKE with no wildcard in the tags works on both
    # (case-insensitive on SQLite: a superset, REPLACE itself is exact).
    return sa.or_(*(column.like(f"%{tag}%") for tag, _neutral in TAGS))


def upgrade() -> None:
    """Neutralise the tags in nicknames, stored file names and file messages' names."""
    user = sa.table("user", sa.column("nickname", sa.String))
    stored_file = sa.table("storedfile", sa.column("original_name", sa.String))
    # A file message's body is its file's display name; text messages stay as written
    # (they are only ever shown from state vars, never parsed).
    message = sa.table("message", sa.column("body", sa.Text), sa.column("kind", sa.String))
    op.execute(
        user.update()
        .where(_holds_tag(user.c.nickname))
        .values(nickname=_neutralised(user.c.nickname))
    )
    op.execute(
        stored_file.update()
        .where(_holds_tag(stored_file.c.original_name))
        .values(original_name=_neutralised(stored_file.c.original_name))
    )
    op.execute(
        message.update()
        .where(message.c.kind.in_(["file", "image"]), _holds_tag(message.c.body))
        .values(body=_neutralised(message.c.body))
    )


def downgrade() -> None:
    """Nothing to undo: the original tags are not worth restoring."""
