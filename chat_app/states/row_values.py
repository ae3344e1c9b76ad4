"""One small value per row of a long list (a position, an unread count), in a fixed set of vars.

Reflex re-sends a whole var when it is assigned. One dict of a value per conversation would
cost its whole size on every message, so a user with many conversations would receive all
of them for each one. The values are spread over ROW_BUCKETS dict vars by key (conversation
id modulo ROW_BUCKETS): a change re-sends the one bucket that holds the row, a bucket holds
about one value in ROW_BUCKETS, and a row without a value there has none on the wire.

The page looks a row's value up in the browser (`row_value`) in an array of the bucket vars:
nothing more travels for that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast

import reflex as rx
from reflex.vars import ArrayVar, NumberVar, ObjectVar

ROW_BUCKETS = 32

V = TypeVar("V")


def bucket_names(prefix: str) -> tuple[str, ...]:
    """The names of a state's bucket vars for `prefix`, bucket 0 first."""
    return tuple(f"{prefix}_{index}" for index in range(ROW_BUCKETS))


def add_row_buckets(state: type[rx.State], prefix: str, value_type: Any = int) -> tuple[str, ...]:
    """Give `state` the bucket vars `<prefix>_0` … (each a dict: row key → value).

    Called once, right after the class: declaring 32 vars by hand would say nothing more.
    An empty bucket is None, not a dict of its own in every tab's state.
    """
    names = bucket_names(prefix)
    for name in names:
        state.add_var(name, dict[int, value_type] | None, None)
    return names


def bucket_of(key: int) -> int:
    """The bucket that holds row `key`'s value."""
    return key % ROW_BUCKETS


class RowValues(Generic[V]):
    """Reads and writes one state's bucket vars for the rows' values.

    Only a bucket whose content changes is assigned (and so re-sent); reading uses the raw
    values, which Reflex's change-tracking proxy would only slow down.
    """

    def __init__(self, state: rx.State, names: tuple[str, ...]) -> None:
        """Wrap `state`'s buckets `names` (from `add_row_buckets`)."""
        self._state = state
        self._names = names

    def _bucket(self, index: int) -> dict[int, V]:
        return self._state.__dict__.get(self._names[index]) or {}

    def get(self, key: int, default: Any = 0) -> Any:
        """Row `key`'s value, or `default` when it has none."""
        return self._bucket(bucket_of(key)).get(key, default)

    def set(self, key: int, value: V | None) -> None:
        """Give row `key` a value (None: none); re-sends its bucket if that changes it."""
        index = bucket_of(key)
        bucket = self._bucket(index)
        if bucket.get(key) == value:
            return
        changed = {row: held for row, held in bucket.items() if row != key}
        if value is not None:
            changed[key] = value
        setattr(self._state, self._names[index], changed or None)

    def replace(self, values: Mapping[int, V]) -> None:
        """Hold exactly `values`; only the buckets that differ are re-sent."""
        spread: list[dict[int, V]] = [{} for _ in self._names]
        for key, value in values.items():
            spread[bucket_of(key)][key] = value
        for index, bucket in enumerate(spread):
            if self._bucket(index) != bucket:
                setattr(self._state, self._names[index], bucket or None)

    def all(self) -> dict[int, V]:
        """Every row's value."""
        found: dict[int, V] = {}
        for index in range(len(self._names)):
            found.update(self._bucket(index))
        return found


def row_value(state: type[rx.State], names: tuple[str, ...], key: Any, default: Any) -> NumberVar:
    """In the page: row `key`'s value in `state`'s buckets `names`, else `default`.

    `key` is an int var of the row (its conversation id); the lookup runs in the browser.
    A value of 0 counts as none (the buckets never hold one).
    """
    return cast(NumberVar, _entry(state, names, key, default))


def row_entry(state: type[rx.State], names: tuple[str, ...], key: Any, default: Any) -> rx.Var:
    """In the page: row `key`'s entry (any value) in `state`'s buckets, else `default`."""
    return _entry(state, names, key, default)


def _entry(state: type[rx.State], names: tuple[str, ...], key: Any, default: Any) -> rx.Var:
    buckets = cast(ArrayVar, rx.Var.create([getattr(state, name) for name in names]))
    bucket = cast(ObjectVar, buckets[key % ROW_BUCKETS])
    return bucket.get(key, default)
