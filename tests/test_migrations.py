"""The committed Alembic migrations build exactly the schema the models describe.

They run unchanged on both profiles' databases: SQLite and PostgreSQL. A migrated SQLite
file is already in WAL mode, so the app's first connections never race to switch it.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from chat_app import models  # noqa: F401  (registers the tables)
from chat_app.services import auth, database, search_index
from tests.support.engines import PostgresCluster
from tests.support.live_app import freshly_migrated_environment


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migrations_match_the_models(database: str, tmp_path: Path, request):
    extra = {}
    if database == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres_engine")
        extra["REFLEX_DB_URL"] = cluster.create_database()
    env, _log = freshly_migrated_environment(tmp_path, **extra)
    engine = sa.create_engine(env["REFLEX_DB_URL"])
    assert engine.dialect.name == database
    with engine.connect() as connection:
        # The search index is raw DDL outside the metadata: compared on its own below.
        opts = {"compare_type": True, "include_name": search_index.outside_search_index}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file `reflex db migrate` made, untouched by the app since."""
    env, _log = freshly_migrated_environment(tmp_path_factory.mktemp("migrated"))
    return Path(env["REFLEX_DB_URL"].removeprefix("sqlite:///"))


def test_a_migrated_sqlite_file_is_already_in_wal_mode(migrated_sqlite: Path):
    # A plain connection, without the app's connection settings: the file's own mode.
    with contextlib.closing(sqlite3.connect(migrated_sqlite)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _register_at_once(url: str, workers: int) -> list[BaseException]:
    """Each worker, with its own engine, registers a user at the same moment; the errors."""
    engines = [database.create_db_engine(url) for _ in range(workers)]
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def register(index: int) -> None:
        try:
            with database.session_scope(engines[index]) as session:
                start.wait(10)
                auth.register(
                    session=session,
                    username=f"user_{index}",
                    nickname=f"User {index}",
                    password="correct horse",
                    password_confirm="correct horse",
                    # On this machine: the first account needs no setup code from here.
                    client_address=f"127.0.0.{index + 1}",
                )
                session.commit()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=register, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for engine in engines:
        engine.dispose()
    return failures


def test_two_registrations_at_once_on_a_migrated_file_both_succeed(
    migrated_sqlite: Path, tmp_path: Path
):
    """Two workers register at the same moment on a just-migrated file while another reads.

    The reader is what made the lazy switch to WAL fail: the switch needs the file to
    itself, so a first connection made while anyone reads waited out its busy timeout and
    failed with "database is locked". On a file already in WAL mode nobody waits.
    """
    path = tmp_path / "chat.db"
    # The file with its write-ahead log, if the migration left one (nobody has it open).
    for suffix in ("", "-wal"):
        if (source := Path(f"{migrated_sqlite}{suffix}")).exists():
            shutil.copyfile(source, f"{path}{suffix}")
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        assert reader.execute('SELECT count(*) FROM "user"').fetchone() == (0,)
        assert _register_at_once(f"sqlite:///{path}", workers=2) == []
        reader.execute("COMMIT")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute('SELECT count(*) FROM "user"').fetchone() == (2,)
