"""The one session guard (`@signed_in`, states/viewer.py): who a handler runs for, or /auth.

The probes below are guarded functions called with a real state as `self`, as Reflex calls
a handler; real handlers show what Reflex and the argument guard read from the wrapper.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncIterator
from typing import Any

import pytest
import reflex as rx
from reflex.state import BaseState
from reflex_base.event import Event, EventHandler, resolve_upload_handler_param

import chat_app.chat_app  # noqa: F401  (registers every handler)
from chat_app.states.auth import AuthState
from chat_app.states.event_arguments import event_fits, payload_fits
from chat_app.states.friends import FriendsState
from chat_app.states.password_change import PasswordChangeState
from chat_app.states.presence import PresenceState
from chat_app.states.profile import ProfileState
from chat_app.states.viewer import FollowsViewer, _follows_viewer, signed_in, viewer_id_of
from tests.support.sessions import count_resolutions, top_level
from tests.support.tabs import PASSWORD, logged_in_tab, redirect_targets, run

# Handlers that must take the user from the guard (a client never names it).
GUARDED = {
    (FriendsState, "search"),
    (FriendsState, "send_request"),
    (FriendsState, "accept"),
    (FriendsState, "confirm"),
    (FriendsState, "unblock"),
    (ProfileState, "upload_avatar"),
    (PasswordChangeState, "change_password"),
    (AuthState, "logout_everywhere"),
}


def _guarded_handlers() -> list[tuple[type[BaseState], str, EventHandler]]:
    """Every registered handler whose function takes `viewer_id` from the guard."""
    found = []
    pending: list[type[BaseState]] = [rx.State]
    while pending:
        state = pending.pop()
        pending.extend(state.get_substates())
        for name, handler in state.event_handlers.items():
            wrapped = getattr(handler.fn, "__wrapped__", None)
            if wrapped is not None and "viewer_id" in inspect.signature(wrapped).parameters:
                found.append((state, name, handler))
    return found


# A value of each type the guarded handlers take.
_SAMPLES: dict[Any, Any] = {int: 1, str: "x", bool: True, dict: {}, list: []}


def _probe(ran: list[tuple[int, Any]]):
    @signed_in
    async def probe(self: rx.State, viewer_id: int, word: str) -> str:
        ran.append((viewer_id, word))
        return word

    return probe


def _stream_probe(ran: list[tuple[int, Any]]):
    @signed_in
    async def stream(self: rx.State, viewer_id: int, count: int) -> AsyncIterator[str]:
        for number in range(count):
            ran.append((viewer_id, number))
            yield f"{viewer_id}:{number}"

    return stream


async def test_an_anonymous_tab_goes_to_auth_and_the_handler_does_not_run(tab_factory):
    tab = tab_factory(FriendsState, token="nobody-tab")
    ran: list[tuple[int, Any]] = []
    assert redirect_targets(await run(_probe(ran), tab, "hi")) == ["/auth"]
    assert redirect_targets(await run(_stream_probe(ran), tab, 3)) == ["/auth"]
    assert ran == []


async def test_a_signed_in_tab_runs_the_handler_with_its_users_id(tab_factory):
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    ann_id = (await tab.get_state(AuthState))._user_id
    assert ann_id is not None
    ran: list[tuple[int, Any]] = []
    assert await run(_probe(ran), tab, "hi") == ["hi"]
    assert ran == [(ann_id, "hi")]


async def test_an_async_generator_handler_streams_its_updates(tab_factory):
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    ann_id = (await tab.get_state(AuthState))._user_id
    stream = _stream_probe(ran := [])
    assert inspect.isasyncgenfunction(stream)  # Reflex sends each update as it comes
    assert await run(stream, tab, 2) == [f"{ann_id}:0", f"{ann_id}:1"]
    assert ran == [(ann_id, 0), (ann_id, 1)]


def test_the_guarded_handlers_are_the_expected_ones():
    found = {(state, name) for state, name, _handler in _guarded_handlers()}
    assert found >= GUARDED


@pytest.mark.parametrize(
    ("state", "name", "handler"),
    _guarded_handlers(),
    ids=[f"{state.__name__}.{name}" for state, name, _handler in _guarded_handlers()],
)
def test_a_client_cannot_name_the_viewer(state: type[BaseState], name: str, handler: EventHandler):
    assert "viewer_id" not in inspect.signature(handler.fn).parameters
    assert "viewer_id" not in handler.fn.__annotations__
    # What a client may send: the handler's own arguments, without the injected id.
    hints = typing.get_type_hints(handler.fn)
    payload = {
        parameter: _SAMPLES[typing.get_origin(hint) or hint]
        for parameter, hint in hints.items()
        if parameter != "return"
    }
    assert payload_fits(handler, payload)
    forged = Event(name=f"{state.get_full_name()}.{name}", payload={**payload, "viewer_id": 1})
    assert not payload_fits(handler, forged.payload)
    assert not event_fits(forged)  # the ArgumentGuard middleware drops it


def test_reflex_still_finds_a_guarded_upload_handlers_files():
    handler = ProfileState.event_handlers["upload_avatar"]
    assert resolve_upload_handler_param(handler) == ("files_", list[rx.UploadFile])


async def test_a_new_user_on_the_tab_clears_what_the_last_one_saw(tab_factory):
    bob_tab = await logged_in_tab(tab_factory, "bob", "bob-tab")
    bob_id = (await bob_tab.get_state(AuthState))._user_id
    tab = await logged_in_tab(tab_factory, "ann", "shared-tab")
    assert isinstance(tab, FollowsViewer)
    presence = await tab.get_state(PresenceState)
    assert not isinstance(presence, FollowsViewer)
    # The guard's answer, kept per class, is the protocol's (asked twice: once kept).
    for state, follows in [(tab, True), (presence, False), (tab, True), (presence, False)]:
        assert _follows_viewer(state) == follows
    await run(tab.search, {"username": "bob"})
    await run(tab.ask_confirm, "block", bob_id, "")
    probe = _probe(ran := [])
    await run(probe, tab, "still ann")
    # The same user: the pane keeps what it shows.
    assert tab.search_result is not None
    assert tab.confirm_kind == "block"

    auth = await tab.get_state(AuthState)
    await run(auth.logout)
    await run(auth.login, {"username": "bob", "password": PASSWORD})
    await run(probe, tab, "now bob")
    assert ran[-1] == (bob_id, "now bob")
    assert tab._user_id == bob_id
    assert (tab.search_query, tab.search_result, tab.search_relation) == ("", None, "")
    assert (tab.confirm_kind, tab.confirm_user_id, tab.confirm_nickname) == ("", 0, "")
    assert tab._link_key is not None
    assert tab._link_key == await auth._link_key()


async def test_one_event_resolves_the_session_once_across_guarded_states(tab_factory, monkeypatch):
    tab = await logged_in_tab(tab_factory, "ann", "ann-tab")
    calls = count_resolutions(monkeypatch)
    ran: list[tuple[int, Any]] = []
    with top_level("ann-tab").fork():
        await run(tab.search, {"username": "nobody"})
        await run((await tab.get_state(PresenceState)).load)
        await run(_probe(ran), await tab.get_state(ProfileState), "hi")
        await run(_stream_probe(ran), await tab.get_state(AuthState), 1)
        assert await viewer_id_of(tab) is not None
    assert len(calls) == 1
    assert len(ran) == 2
    with top_level("ann-tab").fork():  # the next click asks again
        await run(tab.search, {"username": "nobody"})
    assert len(calls) == 2
