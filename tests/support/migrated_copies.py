"""Migrated databases for the tests' servers, migrated once per engine and test session.

`reflex db migrate` takes about 6 s (Reflex's import, then Alembic), and the realtime and
browser tests start some thirty backends. The first database of each engine is migrated
that way; later ones start as copies of it: the SQLite file, or a PostgreSQL database made
with `CREATE DATABASE ... TEMPLATE`. The migrations themselves run afresh where they are
the subject (tests/test_migrations.py, on both engines).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

_sqlite_template: Path | None = None
# (host, port) of a PostgreSQL cluster → the name of its migrated template database.
_postgres_templates: dict[tuple[str | None, int | None], str] = {}


def migrate(database_url: str, run_migration: Callable[[], None]) -> None:
    """Bring an empty database to the migrations' head, by copy when one was migrated.

    Args:
        database_url: The SQLAlchemy URL of the empty database (SQLite or PostgreSQL).
        run_migration: Runs `reflex db migrate` against it.
    """
    if database_url.startswith("sqlite:///"):
        _sqlite(Path(database_url.removeprefix("sqlite:///")), run_migration)
    elif database_url.startswith("postgresql"):
        _postgres(database_url, run_migration)
    else:
        run_migration()


def _sqlite(path: Path, run_migration: Callable[[], None]) -> None:
    global _sqlite_template
    if _sqlite_template is not None:
        _copy_sqlite(_sqlite_template, path)
        return
    run_migration()
    folder = Path(tempfile.mkdtemp(prefix="chat-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    template = folder / "chat.db"
    _copy_sqlite(path, template)
    _sqlite_template = template


def _copy_sqlite(source: Path, destination: Path) -> None:
    """Copy a database file with its write-ahead log, if one was left beside it."""
    for suffix in ("", "-wal"):
        if (part := Path(f"{source}{suffix}")).exists():
            shutil.copyfile(part, Path(f"{destination}{suffix}"))


def _postgres(database_url: str, run_migration: Callable[[], None]) -> None:
    url = make_url(database_url)
    server = (url.host, url.port)
    maintenance = f"postgresql://{url.username}@{url.host}:{url.port}/postgres"
    name = sql.Identifier(url.database or "")
    template = _postgres_templates.get(server)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if template is not None:
            try:
                connection.execute(sql.SQL("DROP DATABASE {}").format(name))
                _copy_postgres(connection, template, name)
                return
            except psycopg.Error:
                # A cluster started afresh on the same port has no template: migrate.
                _postgres_templates.pop(server, None)
                connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
        run_migration()
        # Nobody is connected to the database just migrated: it can serve as the template.
        template = f"migrated_{uuid.uuid4().hex[:12]}"
        _copy_postgres(connection, url.database or "", sql.Identifier(template))
        _postgres_templates[server] = template


def _copy_postgres(connection: psycopg.Connection, source: str, target: sql.Identifier) -> None:
    copy = sql.SQL("CREATE DATABASE {} TEMPLATE {}")
    connection.execute(copy.format(target, sql.Identifier(source)))
