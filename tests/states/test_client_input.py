"""Browser storage and error reports are checked before Reflex applies them."""

from __future__ import annotations

import inspect

import pytest
import reflex.state as reflex_state
from reflex.state import BaseState, State, StateUpdate
from reflex_base.event import Event, EventHandler

import chat_app.chat_app  # noqa: F401  (registers every state of the app)
from chat_app.states import client_input
from chat_app.states.auth import AuthState
from chat_app.states.client_input import (
    FRONTEND_EXCEPTION,
    HYDRATE,
    STORAGE_PATTERNS,
    UPDATE_VARS,
    ClientInputGuard,
    clean_storage_vars,
    storage_name,
)
from chat_app.states.conversation import ConversationState
from chat_app.states.ui import UiState


def key(state: type[BaseState], var: str) -> str:
    return f"{state.get_full_name()}.{var}_rx_state_"


TOKEN = key(AuthState, "session_token")
OPEN_FRIEND = key(ConversationState, "open_friend_store")
LANGUAGE = key(UiState, "language")
GOOD = {TOKEN: "A" * 43, OPEN_FRIEND: "17", LANGUAGE: "zh"}
FORGED = [
    {"a": 1},
    [1, 2],
    7,
    3.5,
    None,
    True,
    "x" * 1_000_000,
    "",
    "²",
    "-1",
    "0",
    "1e3",
    " 17",
    "17\n",
    "english",
    "zh\x00",
]


def all_states(cls: type[BaseState] = State) -> list[type[BaseState]]:
    found = [cls]
    for sub in cls.get_substates():
        found += all_states(sub)
    return found


def storage_vars() -> list[tuple[type[BaseState], str]]:
    return [
        (cls, name)
        for cls in all_states()
        for name in cls.get_fields()
        if cls._is_client_storage(name)
    ]


def test_every_browser_storage_var_of_the_app_has_a_pattern():
    found = storage_vars()
    names = {storage_name(key(cls, name)) for cls, name in found}
    # Discovery must find the three known ones (an empty walk would pass vacuously).
    assert {"chat_session", "chat_open_friend", "chat_language"} <= names
    assert len(found) >= 3
    assert names <= set(STORAGE_PATTERNS), names - set(STORAGE_PATTERNS)


def test_only_the_two_guarded_events_let_a_client_set_storage():
    """Pins Reflex: `_apply_client_storage_vars` is called from these handlers only."""
    callers = set()
    for name, member in vars(reflex_state).items():
        if inspect.isfunction(member) and "_apply_client_storage_vars" in member.__code__.co_names:
            callers.add(name)
        if not (inspect.isclass(member) and issubclass(member, State)):
            continue
        for attr, handler in vars(member).items():
            fn = handler.fn if isinstance(handler, EventHandler) else handler
            if inspect.isfunction(fn) and "_apply_client_storage_vars" in fn.__code__.co_names:
                callers.add(f"{member.get_full_name()}.{attr}")
    assert callers == {HYDRATE, UPDATE_VARS}


def test_well_formed_values_pass_unchanged():
    assert clean_storage_vars(GOOD) == GOOD
    assert clean_storage_vars({LANGUAGE: "en"}) == {LANGUAGE: "en"}


@pytest.mark.parametrize("forged", FORGED, ids=repr)
def test_forged_values_become_absent(forged):
    clean = clean_storage_vars({TOKEN: forged, OPEN_FRIEND: forged, LANGUAGE: forged})
    assert clean == {TOKEN: "", OPEN_FRIEND: "", LANGUAGE: ""}


@pytest.mark.parametrize(
    "values",
    [
        None,
        [],
        "vars",
        3,
        {"nope.x_rx_state_": "1"},
        {"": 1},
        {f"{State.get_full_name()}.is_hydrated": True},
    ],
    ids=repr,
)
def test_anything_but_a_storage_var_is_dropped(values):
    assert clean_storage_vars(values) == {}


async def preprocess(name: str, payload: object) -> tuple[StateUpdate | None, object]:
    event = Event(name=name, payload=payload)  # type: ignore[arg-type]
    result = await ClientInputGuard().preprocess(None, None, event)  # type: ignore[arg-type]
    return result, event.payload


async def test_update_vars_internal_payload_is_rewritten_in_place():
    result, payload = await preprocess(
        UPDATE_VARS, {"vars": {LANGUAGE: {"x": 1}, OPEN_FRIEND: "12", "bogus.x": 1}}
    )
    assert result is None
    assert payload == {"vars": {LANGUAGE: "", OPEN_FRIEND: "12"}}


async def test_hydrate_payload_keeps_well_formed_hashes_only():
    result, payload = await preprocess(HYDRATE, {"vars": {TOKEN: 5}, "hashes": {"a": 1}})
    assert result is None
    assert payload == {"vars": {TOKEN: ""}}
    _, payload = await preprocess(HYDRATE, {"hashes": ["ab", "cd"]})
    assert payload == {"hashes": ["ab", "cd"]}


async def test_frontend_reports_are_cut_before_reflex_scans_them():
    result, payload = await preprocess(
        FRONTEND_EXCEPTION, {"info": "x" * 1_000_000, "component_stack": "s" * 50_000}
    )
    assert result is None
    assert isinstance(payload, dict)
    assert len(payload["info"]) == client_input.MAX_REPORT_LENGTH
    assert len(payload["component_stack"]) == client_input.MAX_REPORT_LENGTH


@pytest.mark.parametrize(
    "payload", [{"info": {"a": 1}, "component_stack": ""}, {"info": "x"}, [], "info"], ids=repr
)
async def test_malformed_frontend_reports_are_dropped(payload):
    result, _ = await preprocess(FRONTEND_EXCEPTION, payload)
    assert isinstance(result, StateUpdate)


async def test_other_events_are_left_alone():
    payload = {"form_data": {"x": {"y": 1}}}
    result, after = await preprocess(f"{AuthState.get_full_name()}.login", payload)
    assert result is None
    assert after == {"form_data": {"x": {"y": 1}}}
