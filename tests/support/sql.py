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


def query(database_url: str, sql: str, **params: object) -> list[sa.Row]:
    """The rows of one SQL query, on a test's own engine that is disposed after."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params).all())
    finally:
        engine.dispose()


def rows_with_body(database_url: str, body: str) -> int:
    """How many message rows hold exactly this text."""
    return int(
        query(database_url, "SELECT count(*) FROM message WHERE body = :body", body=body)[0][0]
    )


def user_ids(database_url: str, *usernames: str) -> list[int]:
    """The ids of users by username, in the order given."""
    rows = dict(query(database_url, "SELECT username, id FROM user"))
    return [rows[name] for name in usernames]
