"""Shared fixtures: a throw-away SQLite database per test, configured like production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from chat_app import models  # noqa: F401  (registers the tables on the metadata)
from chat_app.services import database


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """A fresh database file with the schema, also used by code that opens its own sessions."""
    engine = database.create_db_engine(f"sqlite:///{tmp_path / 'test.db'}")
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(database, "get_engine", lambda url=None: engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session on the test database."""
    with database.session_scope(engine) as session:
        yield session
