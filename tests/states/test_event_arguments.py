"""An event runs only if it names a handler and its payload fits that handler's signature.

The live check is tests/realtime/test_handler_fuzz.py (every handler, forged payloads,
over the socket); these are the rules themselves, and the payloads the app's own pages
and Reflex's frontend send, which must keep fitting.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.state import (
    FrontendEventExceptionState,
    OnLoadInternalState,
    State,
    StateUpdate,
    UpdateVarsInternalState,
)
from reflex_base.event import Event

import chat_app.chat_app  # noqa: F401  (registers every handler)
from chat_app.states import event_arguments
from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.emoji_picker import EmojiPickerState
from chat_app.states.event_arguments import ArgumentGuard, event_fits, fits
from chat_app.states.friends import FriendsState
from chat_app.states.password_change import PasswordChangeState
from chat_app.states.profile import ProfileState
from chat_app.states.ui import UiState
from chat_app.states.uploads import UploadState


@pytest.mark.parametrize(
    ("value", "hint", "expected"),
    [
        (3, int, True),
        (True, int, False),
        ("3", int, False),
        ({"a": 1}, int, False),
        (2**63 - 1, int, True),
        (2**63, int, False),
        (-(2**70), int, False),
        (1.5, float, True),
        (2, float, True),
        (False, float, False),
        (True, bool, True),
        (0, bool, False),
        ("x", str, True),
        (None, str, False),
        (["a"], str, False),
        ({"k": [1]}, dict, True),
        ([], dict, False),
        ("zh", str | list[str], True),
        (["zh"], str | list[str], True),
        ([1], str | list[str], False),
        (None, dict[str, Any] | None, True),
        (["a", "b"], list[str], True),
        (["a", 2], list[str], False),
        (object(), Any, True),
    ],
)
def test_values_must_have_the_annotated_type(value: Any, hint: Any, expected: bool) -> None:
    assert fits(value, hint) is expected


def event(state: type[rx.State], handler: str, payload: Any) -> Event:
    return Event(name=f"{state.get_full_name()}.{handler}", payload=payload)


# What the app's components and Reflex's frontend really send: these must keep running.
LEGITIMATE = [
    event(State, "hydrate_and_load", {}),
    event(State, "hydrate_and_load", {"vars": {"a.b": "c"}, "hashes": ["x"]}),
    event(State, "set_is_hydrated", {"value": True}),
    event(OnLoadInternalState, "on_load_internal", {}),
    event(UpdateVarsInternalState, "update_vars_internal", {"vars": {"a.b": 1}}),
    event(
        FrontendEventExceptionState,
        "handle_frontend_exception",
        {"info": "TypeError: x", "component_stack": ""},
    ),
    event(UiState, "set_language", {"language": "zh"}),
    event(UiState, "set_language", {"language": ["zh"]}),
    # A copy's callback: the browser's result is undefined, so it is left out.
    event(UiState, "say_copied", {"what": "message"}),
    event(AuthState, "login", {"form_data": {"username": "ann", "password": "pw"}}),
    event(PasswordChangeState, "set_password_dialog_open", {"is_open": False}),
    event(AuthState, "logout", {}),
    event(FriendsState, "ask_confirm", {"kind": "block", "user_id": 4, "nickname": "Bo"}),
    event(FriendsState, "send_request", {"user_id": 4}),
    event(ComposerState, "set_draft", {"value": "hi"}),
    event(UploadState, "reject_files", {"count": 2}),
    event(UploadState, "set_upload_progress", {"progress": {"progress": 0.5}}),
    event(
        UploadState,
        "upload",
        {"files_": [rx.UploadFile(file=io.BytesIO(b"x"), path=Path("a.txt"))]},
    ),
    event(ProfileState, "set_avatar_dialog_open", {"is_open": True}),
    event(EmojiPickerState, "set_query", {"value": "smile"}),
    event(EmojiPickerState, "setvar", {"var_name": "query", "value": "smile"}),
]

FORGED = [
    event(State, "set_is_hydrated", {}),
    event(State, "hydrate_and_load", {"vars": "not a dict"}),
    event(UpdateVarsInternalState, "update_vars_internal", {"vars": None}),
    event(FrontendEventExceptionState, "handle_frontend_exception", {"info": {"a": 1}}),
    event(UiState, "detect_language", {"extra": 1}),
    event(UiState, "say_copied", {"what": ["message"]}),
    event(AuthState, "login", {"form": {}}),
    event(AuthState, "login", ["username", "password"]),
    event(PasswordChangeState, "set_password_dialog_open", {"is_open": "yes"}),
    event(FriendsState, "send_request", {"user_id": True}),
    event(FriendsState, "send_request", {"user_id": 2**70}),
    event(FriendsState, "send_request", {"user_id": {"id": 4}}),
    event(FriendsState, "ask_confirm", {"kind": "block", "user_id": 4}),
    event(UploadState, "reject_files", {"count": "2"}),
    event(UploadState, "upload", {"files_": [{"filename": "a.txt"}]}),
    event(EmojiPickerState, "setvar", {"var_name": "no_such_var", "value": "x"}),
    event(EmojiPickerState, "setvar", {"var_name": None, "value": "x"}),
    event(EmojiPickerState, "setvar", {"var_name": "query", "value": ["x"]}),
    event(EmojiPickerState, "setvar", {"var_name": "query"}),
]


@pytest.mark.parametrize("legitimate", LEGITIMATE, ids=lambda e: e.name.rsplit(".", 1)[-1])
def test_what_the_pages_send_runs(legitimate: Event) -> None:
    assert event_fits(legitimate)


@pytest.mark.parametrize("forged", FORGED, ids=lambda e: e.name.rsplit(".", 1)[-1])
def test_forged_arguments_are_dropped(forged: Event) -> None:
    assert not event_fits(forged)


async def test_the_middleware_answers_a_forged_event_with_an_empty_update() -> None:
    guard = ArgumentGuard()
    state: Any = None
    assert await guard.preprocess(None, state, LEGITIMATE[0]) is None
    dropped = await guard.preprocess(None, state, FORGED[0])
    assert isinstance(dropped, StateUpdate)
    assert not dropped.delta
    assert not dropped.events


async def test_an_event_naming_no_handler_never_reaches_reflex() -> None:
    received: list[Any] = []

    class Namespace:
        async def on_event(self, sid: str, data: Any) -> None:
            received.append(data)

    class App:
        event_namespace = Namespace()

    app = App()
    event_arguments.refuse_unknown_events(app)
    known = {"name": f"{AuthState.get_full_name()}.logout", "payload": {}}
    for data in (
        {"name": "reflex___state____state.reflex___state____component_state.setvar"},
        {"name": f"{AuthState.get_full_name()}.logout_evrywhere", "payload": {"a": 1}},
        {"name": ["not", "a", "name"]},
        "a string",
        known,
    ):
        await app.event_namespace.on_event("sid", data)
    assert received == [known]
