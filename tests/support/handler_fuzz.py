"""Every remote endpoint of the app, found from the state tree, and forged arguments for it.

Every public method of an `rx.State` subclass (Reflex's own states included) can be called
by any client over `/_event`. `discover_handlers` finds them the way Reflex registers them
(each class's `event_handlers`); `payloads` draws forged payloads for one of them with
Hypothesis; the checks the fuzzer makes are in `fuzz_checks.py`.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Iterable
from typing import Any

import reflex as rx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reflex.state import BaseState

ROOT_STATE = "reflex___state____state"


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a handler, as its signature declares it."""

    name: str
    annotation: str
    required: bool


@dataclasses.dataclass(frozen=True)
class Handler:
    """One remote endpoint: a state's event handler and the name the wire protocol uses."""

    state: str
    name: str
    params: tuple[Param, ...]
    # Whether the state is part of the app's state tree (a mixin such as ComponentState
    # is an rx.State subclass too, but no session ever holds one).
    in_tree: bool

    @property
    def event_name(self) -> str:
        """`<state full name>.<handler>`, as sent in an event's `name`."""
        return f"{self.state}.{self.name}"

    def __str__(self) -> str:
        return self.event_name.removeprefix(f"{ROOT_STATE}.")


def state_classes() -> list[type[rx.State]]:
    """`rx.State` and every subclass of it, recursively, each once (import the app first)."""
    found: list[type[rx.State]] = []
    pending: list[type[rx.State]] = [rx.State]
    while pending:
        cls = pending.pop(0)
        if cls in found:
            continue
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _tree(cls: type[BaseState]) -> Iterable[type[BaseState]]:
    yield cls
    for substate in cls.get_substates():
        yield from _tree(substate)


def discover_handlers() -> list[Handler]:
    """Every event handler of every state class, with its parameters.

    Returns:
        The handlers, in state-tree order.
    """
    in_tree = set(_tree(rx.State))
    handlers = []
    for cls in state_classes():
        for name, handler in cls.event_handlers.items():
            signature = inspect.signature(handler.fn)
            params = tuple(
                Param(
                    name=p.name,
                    annotation=str(p.annotation),
                    required=p.default is inspect.Parameter.empty,
                )
                for p in list(signature.parameters.values())[1:]  # without `self`
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            )
            handlers.append(Handler(cls.get_full_name(), name, params, cls in in_tree))
    return handlers


def client_storage_keys() -> list[str]:
    """`<state>.<var>` of every browser-storage var (what `update_vars_internal` takes)."""
    keys = []
    for cls in state_classes():
        for name, field in cls.get_fields().items():
            default = getattr(field, "default", None)
            if isinstance(default, rx.Cookie | rx.LocalStorage | rx.SessionStorage):
                keys.append(f"{cls.get_full_name()}.{name}")
    return keys


# ----- forged values -----

VAR_MARKERS = [
    "<reflex.Var>x</reflex.Var>",
    "<reflex.Var>1</reflex.Var>",
    "a<reflex.Var>0</reflex.Var>b<reflex.Var>{}</reflex.Var>",
    "<reflex.Var>",
]
ODD_STRINGS = [
    "",
    " ",
    "A" * 10_000,
    "\u202e" * 5_000 + "x",
    "\u202egnp.exe",
    "\x00\x01\x07\x1b[31m\x7f",
    "\u200b\u200d\u2066",
    "👨‍👩‍👧❤️‍🔥",
    "中文名字",
    "\ud800",
    "../../../.secret_key",
    "%s%n{0}{nickname}",
    "null",
    "1",
    "-1",
    "9" * 5_000,
    "friends",
    "requests",
    "remove",
    "block",
    "en",
    "zh",
]
BIDI_AND_CONTROL = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x00\n\t"
BIG_INTS = [0, 1, -1, 2, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 2**70, -(2**70)]
# Field names the app's forms use: dicts shaped like a form, with any value types.
FORM_FIELDS = [
    "username",
    "nickname",
    "password",
    "password_confirm",
    "current_password",
    "new_password",
    "new_password_confirm",
    "body",
    "loaded",
    "total",
    "progress",
]


@dataclasses.dataclass(frozen=True)
class Values:
    """Strategies for one argument: anything at all, and values of each JSON type."""

    anything: st.SearchStrategy
    by_type: dict[str, st.SearchStrategy]

    def for_annotation(self, annotation: str) -> st.SearchStrategy:
        """Values of the declared type (so they get past the type check and reach the
        handler's own code) or of any other (so they exercise the type check)."""
        fitting = [
            strategy
            for name, strategy in self.by_type.items()
            if re.search(rf"\b{name}\b", annotation)
        ]
        return st.one_of(*fitting, self.anything) if fitting else self.anything


def value_strategy(known_ids: Iterable[int], storage_keys: Iterable[str]) -> Values:
    """Any JSON value an attacker might send as one argument.

    Args:
        known_ids: Ids that exist in the database (other users', their requests...), so
            forged calls aim at real rows, not only at numbers that match nothing.
        storage_keys: Browser-storage var names, for dicts shaped like `update_vars_internal`'s.

    Returns:
        The strategies.
    """
    strings = st.one_of(
        st.sampled_from(ODD_STRINGS + VAR_MARKERS),
        st.text(max_size=30),
        st.text(alphabet=BIDI_AND_CONTROL, max_size=8),
    )
    ints = st.one_of(
        st.sampled_from(BIG_INTS + sorted(set(known_ids))),
        st.integers(min_value=-(2**70), max_value=2**70),
    )
    # NaN and infinities are not JSON.
    floats = st.floats(allow_nan=False, allow_infinity=False)
    atoms = st.one_of(st.none(), st.booleans(), ints, floats, strings)
    keys = st.one_of(st.sampled_from(FORM_FIELDS), st.text(max_size=12))
    nested = st.recursive(
        atoms,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=10,
    )
    form_like = st.fixed_dictionaries({}, optional={field: nested for field in FORM_FIELDS})
    storage_like = st.dictionaries(st.sampled_from(sorted(storage_keys)), nested, max_size=3)
    dicts = st.one_of(form_like, storage_like, st.dictionaries(keys, nested, max_size=4))
    lists = st.lists(nested, max_size=4)
    return Values(
        anything=st.one_of(atoms, nested, form_like, storage_like),
        by_type={
            "int": ints,
            "float": st.one_of(floats, ints),
            "str": strings,
            "bool": st.booleans(),
            "dict": dicts,
            "list": lists,
            "Any": st.one_of(atoms, nested, dicts),
        },
    )


def payload_strategy(handler: Handler, values: Values) -> st.SearchStrategy:
    """Whole payloads: right names with forged values, one missing, one extra, wrong names,
    and payloads that are not an object at all.

    Args:
        handler: The handler called.
        values: What one argument may be (`value_strategy`).

    Returns:
        The strategy.
    """
    names = [p.name for p in handler.params]
    right = st.fixed_dictionaries(
        {p.name: values.for_annotation(p.annotation) for p in handler.params}
    )
    extra = st.tuples(right, st.text(min_size=1, max_size=12), values.anything).map(
        lambda t: {**t[0], t[1]: t[2]}
    )
    wrong = st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda k: k not in names),
        values.anything,
        min_size=1,
    )
    not_an_object = st.one_of(st.none(), st.lists(values.anything, max_size=3), st.text())
    shapes = [right, right, right, right, extra, wrong, not_an_object]
    if names:
        shapes.append(
            st.tuples(right, st.sampled_from(names)).map(
                lambda t: {k: v for k, v in t[0].items() if k != t[1]}
            )
        )
    return st.one_of(shapes)


def payloads(handler: Handler, values: Values, count: int) -> list[Any]:
    """`count` forged payloads for `handler`, the same on every run (derandomized).

    Args:
        handler: The handler called.
        values: What one argument may be.
        count: How many examples Hypothesis draws at most.

    Returns:
        The payloads, each small enough for one websocket frame.
    """
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    @given(payload_strategy(handler, values))
    def collect(payload: Any) -> None:
        # Reflex drops a socket whose frame exceeds 1,000,000 bytes: keep under it.
        if len(json.dumps(payload)) < 900_000:
            drawn.append(payload)

    collect()
    return drawn


def aimed_payloads(handler: Handler, target_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Well-formed calls aimed at other users' rows: every `int` parameter set to their ids.

    Random integers almost never name an existing row; these do, so a handler that acts
    on an id without checking the caller's relation to it changes a victim's row.

    Args:
        handler: The handler called.
        target_ids: The victims' user ids and the ids of their requests.

    Returns:
        Payloads (none for a handler without an `int` parameter).
    """
    ints = [p.name for p in handler.params if re.search(r"\bint\b", p.annotation)]
    if not ints:
        return []
    plain = {"str": ["block", "remove"], "bool": [True], "dict": [{}], "list": [[]]}

    def others(param: Param) -> list[Any]:
        found = [
            v for t, vs in plain.items() if re.search(rf"\b{t}\b", param.annotation) for v in vs
        ]
        return found or [None]

    aimed = []
    for target in target_ids:
        for variant in range(2):
            payload = {
                p.name: target if p.name in ints else others(p)[variant % len(others(p))]
                for p in handler.params
            }
            if payload not in aimed:
                aimed.append(payload)
    return aimed
