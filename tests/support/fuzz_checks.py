"""What the handler fuzzer checks after its forged calls: other users' rows, the server's log."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def _rows(connection: sa.Connection, table: sa.Table) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(sa.select(table))]


def victim_rows(database_url: str, victim_user_ids: Iterable[int]) -> dict[str, dict[Any, Any]]:
    """Every row that belongs to the victims, transitively through foreign keys.

    A row belongs to them if one of its foreign keys points at a row that does (a user,
    their friendship, request, block, conversation, its messages, files, sessions...),
    whoever else it names: a block or request the fuzzing user managed to aim at a victim
    is one of their rows too. `last_seen_at` columns are bookkeeping the victims' own tabs
    closing writes, not something a caller changes, and are left out.

    Args:
        database_url: The backend's database.
        victim_user_ids: The users the fuzzing user has no relation to.

    Returns:
        table name -> primary key -> the row's other values.
    """
    engine = sa.create_engine(database_url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    try:
        with engine.connect() as connection:
            tables = {
                name: _rows(connection, table)
                for name, table in metadata.tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()
    marked: dict[str, set[Any]] = {name: set() for name in tables}
    marked["user"] = set(victim_user_ids)

    def key(table: sa.Table, row: dict[str, Any]) -> Any:
        return tuple(row[c.name] for c in table.primary_key.columns)

    changed = True
    while changed:
        changed = False
        for name, rows in tables.items():
            table = metadata.tables[name]
            for row in rows:
                row_key = key(table, row)
                if (row_key[0] if len(row_key) == 1 else row_key) in marked[name]:
                    continue
                for fk in table.foreign_keys:
                    target = fk.column.table.name
                    if row[fk.parent.name] is not None and row[fk.parent.name] in marked.get(
                        target, ()
                    ):
                        marked[name].add(row_key[0] if len(row_key) == 1 else row_key)
                        changed = True
                        break
    snapshot: dict[str, dict[Any, Any]] = {}
    for name, rows in tables.items():
        table = metadata.tables[name]
        for row in rows:
            row_key = key(table, row)
            if (row_key[0] if len(row_key) == 1 else row_key) in marked[name]:
                values = {k: repr(v) for k, v in row.items() if k != "last_seen_at"}
                snapshot.setdefault(name, {})[row_key] = values
    return snapshot


def diff_rows(before: dict[str, dict[Any, Any]], after: dict[str, dict[Any, Any]]) -> list[str]:
    """Human-readable differences between two `victim_rows` snapshots."""
    problems = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        for key in sorted(set(old) | set(new), key=repr):
            if old.get(key) != new.get(key):
                problems.append(f"{table} {key}: {old.get(key)} -> {new.get(key)}")
    return problems


_EXCEPTION = re.compile(r"\s*[\w.]*(Error|Exception|Exit|Interrupt)\b")
_PROBLEM = re.compile(r"Traceback \(most recent call last\)|\bERROR\b|\bCRITICAL\b")


class LogWatch:
    """Reads what a backend has written to its log since the last look."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = path.stat().st_size

    def new_lines(self) -> list[str]:
        """Lines written since the previous call."""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        self.offset += len(data)
        return data.decode("utf-8", "replace").splitlines()


def problems_in(lines: list[str]) -> list[str]:
    """The records that show a failure: an ERROR or CRITICAL line, a traceback.

    A traceback is given by its exception line (`KeyError: 'x'`), which says what broke.

    Args:
        lines: Log lines.

    Returns:
        One entry per problem.
    """
    problems = []
    for index, line in enumerate(lines):
        if not _PROBLEM.search(line):
            continue
        if line.lstrip().startswith("Traceback"):
            # Its exception line (indentation and line wrapping vary with the logger).
            ending = next(
                (later.strip() for later in lines[index + 1 :] if _EXCEPTION.match(later)),
                "(no exception line)",
            )
            problems.append(f"Traceback -> {ending}")
        else:
            problems.append(line.strip())
    return problems
