"""sqlite wal: the SQLite file is switched to WAL mode once, here

WAL is a setting of the file itself, kept across connections and restarts. The app used to
set it on every new connection; on a just-migrated file the first connections then each
tried the switch, which needs the file to itself (two registrations at once once failed
with "database is locked"). Now the migration makes it, outside any transaction (SQLite
refuses the switch inside one), and the app only checks it at start-up
(chat_app/services/database.py). PostgreSQL: nothing to do. The downgrade keeps WAL: the
code before this revision sets it anyway.

Revision ID: 110fce3e5803
Revises: 354ae6a1e856
Create Date: 2026-12-02 07:00:00.000000

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '110fce3e5803'
down_revision: Union[str, Sequence[str], None] = '354ae6a1e856'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Switch an SQLite file to WAL mode (a no-op on a file already in it)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA journal_mode=WAL")


def downgrade() -> None:
    """Keep WAL: the earlier code switches every connection to it anyway."""
