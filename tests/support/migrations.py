"""Running the committed Alembic migrations up or down to a given revision, for data tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.config import Config

from alembic import command

PROJECT_DIR = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    """The project's migrations, pointed at the database at `url`."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_DIR / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    return config


def database_at(
    revision: str, database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[Config, str]:
    """A new database migrated up to `revision`: SQLite in `tmp_path`, or a PostgreSQL one.

    Args:
        revision: The revision to stop at (the one before the migration under test).
        database: "sqlite" or "postgresql" (the session's cluster).
        tmp_path: Where the SQLite file goes.
        request: The pytest request, to reach the PostgreSQL fixture.

    Returns:
        The Alembic config pointed at it, and its URL.
    """
    if database == "postgresql":
        url = request.getfixturevalue("postgres_engine").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, revision)
    return config, url
