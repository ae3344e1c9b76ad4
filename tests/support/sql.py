"""SQL for tests: what a piece of code runs (query counts, refusals) and what rows hold."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event


@contextmanager
def statements_run(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def rows_with_body(database_url: str, body: str) -> int:
    """How many message rows hold exactly this text (a test's own engine, disposed after)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM message WHERE body = :body")
            return int(connection.execute(query, {"body": body}).scalar_one())
    finally:
        engine.dispose()


def user_ids(database_url: str, *usernames: str) -> list[int]:
    """The ids of users by username, in the order given (a test's own engine, disposed after)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = dict(connection.execute(sa.text("SELECT username, id FROM user")).all())
    finally:
        engine.dispose()
    return [rows[name] for name in usernames]
