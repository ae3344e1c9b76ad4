"""The hot path's prebuilt statements, run straight on the database driver's cursor.

SQLAlchemy spends about as much CPU on each `Connection.execute` as SQLite spends on the
statement itself: an execution context, the parameters rebuilt and processed, a result with
its metadata. For the few statements every message runs (the session check, the send's
checks, its seq and its row, the reads) that was about a seventh of the worker's Python
time (py-spy, 2026-12-04). `run` compiles such a statement once, then hands the same SQL and
the same processed parameters to the driver's cursor (SQLite's, or psycopg's for
PostgreSQL), and turns the rows into named tuples with the same values SQLAlchemy's rows
hold (its own type processors on both sides). A driver's error becomes the one SQLAlchemy
would raise, and a lost connection is invalidated as SQLAlchemy invalidates it.

It is the same transaction: the cursor belongs to the connection the session already
uses, so the session's commit and rollback cover these statements. Anything this does not
handle the way SQLAlchemy would goes through SQLAlchemy as before: another driver,
literal-execute parameters, lists of tuples or of more than 64 items, Python-side defaults,
several parameter sets, and an engine that someone listens to (the tests that count
statements).
"""

from __future__ import annotations

import keyword
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
    """One statement compiled for one driver, with what turns values in and out."""

    sql: str
    # Per parameter: its value, processed, from the call's parameters.
    binds: tuple[Callable[[Mapping[str, Any]], Any], ...]
    # The parameters' names for a driver that takes them by name (psycopg's `%(name)s`);
    # None: by position, in the order of `binds` (SQLite's `?`).
    names: tuple[str, ...] | None
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


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement compiled once, and its plans: one, or one per length of its lists."""

    statement: sa.Executable
    compiled: SQLCompiler | None  # None: only SQLAlchemy runs it as it should
    lists: tuple[str, ...]  # its list parameters (`IN` a list: one placeholder per item)
    plans: dict[tuple[int, ...], _Plan | None]


# Keyed by the statement object: the hot path's statements are module constants. A caller
# building statements per call would only fill this up: it starts again past the bound.
# A process may reach two databases (the tests do): each dialect compiles its own SQL.
_compiled: dict[tuple[int, str, str], _Compiled] = {}
_KEPT = 256
# Lists longer than this go through SQLAlchemy (a plan per length would pile up).
_LIST_PLANS_UP_TO = 64
# The drivers whose cursor is given exactly what SQLAlchemy would give it.
_DRIVERS = frozenset({"pysqlite", "psycopg"})


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
    plan = _plan_for(connection, statement, params)
    if plan is None:
        return connection.execute(statement, params)
    values: list[Any] | dict[str, Any] = [value_of(params) for value_of in plan.binds]
    if plan.names is not None:
        values = dict(zip(plan.names, values, strict=True))
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(plan.sql, values)
        fetched = cursor.fetchall() if plan.row is not None else []
    except connection.dialect.loaded_dbapi.Error as error:
        raise _as_sqlalchemy_error(connection, plan.sql, values, error, cursor) from error
    finally:
        cursor.close()
    return _FetchedRows([_row(plan, raw) for raw in fetched])


def _as_sqlalchemy_error(
    connection: sa.Connection, sql: str, values: Any, error: Any, cursor: Any
) -> Exception:
    """The error SQLAlchemy would raise; a lost database connection is not used again."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.driver_connection, cursor)
    if lost:
        # As SQLAlchemy does: the pool drops this connection instead of handing it out.
        connection.invalidate(error)
    return sa_exc.DBAPIError.instance(
        sql,
        values,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )


def _row(plan: _Plan, raw: tuple[Any, ...]) -> Any:
    assert plan.row is not None
    return plan.row(
        *(
            value if output is None else output(value)
            for value, output in zip(raw, plan.outputs, strict=True)
        )
    )


def _plan_for(
    connection: sa.Connection, statement: sa.Executable, params: Mapping[str, Any]
) -> _Plan | None:
    dialect = connection.dialect
    if dialect.driver not in _DRIVERS or _observed(connection):
        return None
    key = (id(statement), dialect.name, dialect.paramstyle)
    known = _compiled.get(key)
    if known is None or known.statement is not statement:
        known = _compile(statement, dialect)
        if len(_compiled) >= _KEPT:
            _compiled.clear()
        _compiled[key] = known
    if known.compiled is None:
        return None
    try:
        lengths = tuple(len(params[name]) for name in known.lists)
    except (KeyError, TypeError):
        return None  # SQLAlchemy says what is wrong with them
    if any(length > _LIST_PLANS_UP_TO for length in lengths):
        return None
    if lengths not in known.plans:
        known.plans[lengths] = _plan(known, params, dialect)
    return known.plans[lengths]


def _observed(connection: sa.Connection) -> bool:
    """Whether someone listens to this connection's statements (SQLAlchemy must run them)."""
    dispatch = connection.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


def _compile(statement: sa.Executable, dialect: sa.Dialect) -> _Compiled:
    """`statement` compiled, or marked for SQLAlchemy when only it runs it correctly."""
    compiled = cast("sa.ClauseElement", statement).compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        return _Compiled(statement, None, (), {})
    lists = tuple(bind.key for bind in compiled.post_compile_params if bind.expanding)
    if (
        compiled.escaped_bind_names
        or (compiled.positional and compiled.positiontup is None)
        or compiled.literal_execute_params
        or len(lists) != len(compiled.post_compile_params)
        or compiled.insert_prefetch
        or compiled.update_prefetch
    ):
        return _Compiled(statement, None, (), {})
    return _Compiled(statement, compiled, lists, {})


def _plan(known: _Compiled, params: Mapping[str, Any], dialect: sa.Dialect) -> _Plan | None:
    """The plan for the statement with lists as long as those in `params`."""
    compiled = known.compiled
    assert compiled is not None
    processors = cast("dict[str, Callable[[Any], Any]]", dict(compiled._bind_processors))
    by_name = not compiled.positional
    sql, order = compiled.string, _parameter_names(compiled, known.lists)
    # An item of a list: (the list's name, its place in it).
    items: dict[str, tuple[str, int]] = {}
    if known.lists:
        # It reads (and takes out) only the lists; the items' names depend on their lengths.
        expanded = compiled._process_parameters_for_postcompile(
            {name: list(params[name]) for name in known.lists}
        )
        sql = expanded.statement
        processors.update(expanded.processors)
        for name in known.lists:
            names = expanded.parameter_expansion.get(name, [])
            if len(names) != len(params[name]) or any(not isinstance(n, str) for n in names):
                return None  # a list of tuples, say: SQLAlchemy's
            items.update((item, (name, index)) for index, item in enumerate(names))
            if by_name:
                order.extend(names)
        if not by_name:
            order = list(expanded.positiontup or ())
    binds = []
    for name in order:
        if name in items:
            binds.append(_item_of(*items[name], processors.get(name)))
        else:
            binds.append(_value_of(name, compiled.binds[name], processors.get(name)))
    columns = compiled._result_columns or []
    keys = [column.keyname for column in columns]
    if not all(_usable_key(key) for key in keys) or len(set(keys)) != len(keys):
        return None
    outputs = tuple(column.type._cached_result_processor(dialect, None) for column in columns)
    row = namedtuple("Row", keys) if columns else None
    names = tuple(order) if by_name else None
    return _Plan(sql=sql, binds=tuple(binds), names=names, row=row, outputs=outputs)


def _parameter_names(compiled: SQLCompiler, lists: tuple[str, ...]) -> list[str]:
    """The statement's parameters: in order by position, or each name once (lists left out)."""
    if compiled.positional:
        return list(compiled.positiontup or ())
    return [name for name in dict.fromkeys(compiled.bind_names.values()) if name not in lists]


def _value_of(
    name: str, bind: Any, processor: Callable[[Any], Any] | None
) -> Callable[[Mapping[str, Any]], Any]:
    """How one named parameter's value is read from a call's parameters."""
    if bind.callable is not None:
        default: Callable[[], Any] | None = bind.callable
    elif bind.required:
        default = None
    else:
        default = _constant(bind.value)

    def value_of(params: Mapping[str, Any]) -> Any:
        if name in params:
            value = params[name]
        elif default is None:
            raise sa_exc.ArgumentError(f"A value is required for bind parameter {name!r}")
        else:
            value = default()
        return value if processor is None else processor(value)

    return value_of


def _item_of(
    name: str, index: int, processor: Callable[[Any], Any] | None
) -> Callable[[Mapping[str, Any]], Any]:
    """How one item of a list parameter is read from a call's parameters."""

    def item_of(params: Mapping[str, Any]) -> Any:
        value = params[name][index]
        return value if processor is None else processor(value)

    return item_of


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _usable_key(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_")
