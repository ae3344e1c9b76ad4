"""The committed Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from chat_app import models  # noqa: F401  (registers the tables)
from tests.support.live_app import migrated_environment


def test_migrations_match_the_models(tmp_path: Path):
    env, _log = migrated_environment(tmp_path)
    engine = sa.create_engine(env["REFLEX_DB_URL"])
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
