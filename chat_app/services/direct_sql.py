"""The hot path's prebuilt statements, run straight on SQLite's driver.

SQLAlchemy spends about as much CPU on each `Connection.execute` as SQLite spends on the
statement itself: an execution context, the parameters rebuilt and processed, a result with
its metadata. For the few statements every message runs (the session check, the send's
checks, its seq and its row) that was about a tenth of the worker's Python time (py-spy,
2026-12-04). `run` compiles such a statement once, then hands the same SQL and the same
processed parameters to the driver's cursor, and turns the rows into named tuples with the
same values SQLAlchemy's rows hold (its own type processors on both sides).

It is the same transaction: the cursor belongs to the connection the session already
uses, so the session's commit and rollback cover these statements. Anything this does not
handle the way SQLAlchemy would goes through SQLAlchemy as before: another database, a
statement with list or post-compile parameters, Python-side defaults, several parameter
sets, and an engine that someone listens to (the tests that count statements).
"""

from __future__ import annotations

import keyword
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.compiler import SQLCompiler


class Rows(Protocol):
    """What the hot path reads from a result (SQLAlchemy's `Result` has the same)."""

    def first(self) -> Any:
        """The first row, or None."""
        ...

    def scalar_one(self) -> Any:
        """The first column of the only row (an error unless there is exactly one)."""
        ...

    def all(self) -> Sequence[Any]:
        """Every row."""
        ...

    def __iter__(self) -> Iterator[Any]:
        """The rows in turn."""
        ...


@dataclass(frozen=True, slots=True)
class _Plan:
    """One statement compiled for SQLite, with what turns values in and out."""

    sql: str
    # Per positional parameter: its name, its default (None: required) and its processor.
    binds: tuple[tuple[str, Callable[[], Any] | None, Callable[[Any], Any] | None], ...]
    row: Callable[..., Any] | None  # a named tuple class; None: no result rows
    outputs: tuple[Callable[[Any], Any] | None, ...]


class _FetchedRows:
    """A fetched result, read the ways the services read SQLAlchemy's."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise sa_exc.NoResultFound() if not self._rows else sa_exc.MultipleResultsFound()
        return self._rows[0][0]

    def all(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


# Keyed by the statement object: the hot path's statements are module constants. A caller
# building statements per call would only fill this up: it starts again past the bound.
_plans: dict[int, tuple[sa.Executable, _Plan | None]] = {}
_PLANS_KEPT = 256


def run(connection: sa.Connection, statement: sa.Executable, params: Mapping[str, Any]) -> Rows:
    """Execute one prebuilt statement with one set of parameters, in the caller's transaction.

    Args:
        connection: The session's connection (`session.connection()`).
        statement: A statement built once at import (not one built per call).
        params: Its parameters by name.

    Returns:
        Its rows: `first()`, `scalar_one()`, `all()` or iteration, as on SQLAlchemy's result.

    Raises:
        sqlalchemy.exc.DBAPIError: What SQLAlchemy would raise for the driver's error
            (`IntegrityError` for a duplicate client id, `OperationalError` for a locked
            database).
    """
    plan = _plan_for(connection, statement)
    if plan is None:
        return connection.execute(statement, params)
    values = [
        _value(params, name, default)
        if processor is None
        else processor(_value(params, name, default))
        for name, default, processor in plan.binds
    ]
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    try:
        cursor = driver.execute(plan.sql, values)
        fetched = cursor.fetchall() if plan.row is not None else []
    except sqlite3.Error as error:
        raise sa_exc.DBAPIError.instance(
            plan.sql, values, error, sqlite3.Error, dialect=connection.dialect
        ) from error
    return _FetchedRows([_row(plan, raw) for raw in fetched])


def _value(params: Mapping[str, Any], name: str, default: Callable[[], Any] | None) -> Any:
    if name in params:
        return params[name]
    if default is None:
        raise sa_exc.ArgumentError(f"A value is required for bind parameter {name!r}")
    return default()


def _row(plan: _Plan, raw: tuple[Any, ...]) -> Any:
    assert plan.row is not None
    return plan.row(
        *(
            value if output is None else output(value)
            for value, output in zip(raw, plan.outputs, strict=True)
        )
    )


def _plan_for(connection: sa.Connection, statement: sa.Executable) -> _Plan | None:
    dialect = connection.dialect
    if dialect.name != "sqlite" or _observed(connection):
        return None
    known = _plans.get(id(statement))
    if known is None or known[0] is not statement:
        known = (statement, _compile(statement, dialect))
        if len(_plans) >= _PLANS_KEPT:
            _plans.clear()
        _plans[id(statement)] = known
    return known[1]


def _observed(connection: sa.Connection) -> bool:
    """Whether someone listens to this connection's statements (SQLAlchemy must run them)."""
    dispatch = connection.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


def _compile(statement: sa.Executable, dialect: sa.Dialect) -> _Plan | None:
    """The plan for `statement`, or None when only SQLAlchemy runs it correctly."""
    compiled = cast("sa.ClauseElement", statement).compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or not compiled.positional:
        return None
    if (
        compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.positiontup is None
    ):
        return None
    processors = compiled._bind_processors
    binds = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        if bind.callable is not None:
            default: Callable[[], Any] | None = bind.callable
        elif bind.required:
            default = None
        else:
            default = _constant(bind.value)
        binds.append((name, default, processors.get(name)))
    columns = compiled._result_columns or []
    keys = [column.keyname for column in columns]
    if not all(_usable_key(key) for key in keys) or len(set(keys)) != len(keys):
        return None
    outputs = tuple(column.type._cached_result_processor(dialect, None) for column in columns)
    row = namedtuple("Row", keys) if columns else None
    return _Plan(sql=compiled.string, binds=tuple(binds), row=row, outputs=outputs)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _usable_key(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_")
