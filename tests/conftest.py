"""Shared fixtures: a throw-away SQLite database per test, configured like production."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from chat_app import models  # noqa: F401  (registers the tables on the metadata)
from chat_app.realtime.profile import PROFILE, Profile, choose
from chat_app.services import database
from chat_app.services.blob_storage import AzureBlobStorage
from chat_app.services.storage import FileStorage, LocalFileStorage
from chat_app.settings import load_settings
from chat_app.states.safe_text import install_marker_guard
from tests.support.azurite import azurite_for_tests
from tests.support.engines import PostgresCluster, RedisServer, postgres_cluster, redis_server


def pytest_configure(config: pytest.Config) -> None:
    # User text that reaches Reflex's Var parser raises in every test (states/safe_text.py).
    install_marker_guard()
    config.addinivalue_line(
        "markers", "both_databases: run the module's tests on SQLite and on PostgreSQL"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        metafunc.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    """Which database `engine` makes: SQLite unless a module is marked `both_databases`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(autouse=True)
def _no_project_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that opens sessions without the `engine` fixture fails instead of using chat.db.

    The project's own file is shared with whatever else runs (a `make run`, the suite's other
    half): a test on it could wait on another process's lock, or leave rows behind.
    """

    def refuse(url: str | None = None) -> sa.Engine:
        raise AssertionError(
            f"this test opened a database session without the engine fixture ({url})"
        )

    monkeypatch.setattr(database, "get_engine", refuse)


@pytest.fixture
def engine(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_kind: str,
    request: pytest.FixtureRequest,
) -> Iterator[sa.Engine]:
    """A fresh database with the schema, also used by code that opens its own sessions."""
    if database_kind == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres_engine")
        url = cluster.create_database()
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = database.create_db_engine(url)
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(database, "get_engine", lambda url=None: engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session on the test database."""
    with database.session_scope(engine) as session:
        yield session


@pytest.fixture(scope="session")
def redis_engine() -> Iterator[RedisServer]:
    """A throw-away redis-server for the whole run (scaled-profile tests)."""
    with redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[PostgresCluster]:
    """A throw-away PostgreSQL cluster for the whole run (scaled-profile tests)."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def azurite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away Azurite blob emulator for the whole run; yields its connection string."""
    yield from azurite_for_tests(tmp_path_factory)


@pytest.fixture(params=["local", "blob"])
def any_storage(request: pytest.FixtureRequest, tmp_path: Path) -> FileStorage:
    """Each file store in turn (the blob one in a container of its own on Azurite)."""
    if request.param == "blob":
        container = f"files-{uuid.uuid4().hex[:16]}"
        return AzureBlobStorage(request.getfixturevalue("azurite_engine"), container)
    return LocalFileStorage(tmp_path / "private")


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    """The composition root with fresh embedded members; a test may assign any of them.

    Every member is restored afterwards, whatever the test assigned.
    """
    fresh = choose(load_settings({"CHAT_DATA_DIR": str(tmp_path)}), redis_url="")
    for field in dataclasses.fields(PROFILE):
        monkeypatch.setattr(PROFILE, field.name, getattr(fresh, field.name))
    return PROFILE
