"""The committed Alembic migrations build exactly the schema the models describe.

They run unchanged on both profiles' databases: SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from chat_app import models  # noqa: F401  (registers the tables)
from tests.support.engines import PostgresCluster
from tests.support.live_app import migrated_environment


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migrations_match_the_models(database: str, tmp_path: Path, request):
    extra = {}
    if database == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres_engine")
        extra["REFLEX_DB_URL"] = cluster.create_database()
    env, _log = migrated_environment(tmp_path, **extra)
    engine = sa.create_engine(env["REFLEX_DB_URL"])
    assert engine.dialect.name == database
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
