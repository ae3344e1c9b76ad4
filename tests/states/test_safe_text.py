"""User text never reaches Reflex's Var parser: toasts show it literally, forged markers fail.

Reflex's `LiteralStringVar.create` loops forever on `<reflex.Var>x</reflex.Var>` and raises
on `<reflex.Var>1</reflex.Var>`. The test process runs with the guard of
chat_app/states/safe_text.py installed (tests/conftest.py), so a path that lets such text
through fails here with `ForgedVarMarker` instead of hanging.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import reflex as rx
from reflex_base.constants.base import REFLEX_VAR_CLOSING_TAG, REFLEX_VAR_OPENING_TAG
from reflex_base.event import Event, EventSpec
from reflex_base.vars.sequence import LiteralStringVar
from sqlmodel import Session, select

from chat_app.models import User
from chat_app.realtime import push
from chat_app.services import text_rules, validation
from chat_app.states import composer as composer_module
from chat_app.states import friends as friends_module
from chat_app.states import safe_text
from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.error_handler import backend_error_toast
from chat_app.states.friends import FriendsState
from chat_app.states.safe_text import (
    ForgedVarMarker,
    empty_field,
    literal_text,
    scroll_to,
    toast_error,
    toast_info,
    toast_success,
)
from tests.support.tabs import chat_tabs, conversation_with, logged_in_tab, run
from tests.support.toasts import toasts_of_specs

MARKERS = [
    "<reflex.Var>x</reflex.Var>",  # Reflex loops forever
    "<reflex.Var>1</reflex.Var>",  # KeyError
    "<reflex.Var>-7</reflex.Var>",
    "<reflex.Var>\u00b2</reflex.Var>",  # isnumeric() but not int(): ValueError
    "<reflex.Var></reflex.Var>",  # IndexError
    "a<reflex.Var>1</reflex.Var>b<reflex.Var>y</reflex.Var>c",
]
ODD_TEXTS = [
    *MARKERS,
    "<reflex.Var>no closing tag",
    '"quotes" \\ </script><b>',
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 \u202eevil \u200f",
    "\ud800 lone surrogate",
    "",
]
SOURCE = Path(__file__).resolve().parents[2] / "chat_app"


def sent_payload(spec) -> dict:
    """The payload the tab receives for one event spec."""
    (event,) = Event.from_event_type(spec)
    return event.payload


@pytest.mark.parametrize("value", ODD_TEXTS)
def test_literal_text_is_the_json_text_and_carries_no_marker(value: str):
    var = literal_text(value)
    assert json.loads(str(var)) == value
    assert REFLEX_VAR_OPENING_TAG not in str(var)
    # Inside an f-string, too, it stays an expression and is not parsed again.
    composed = rx.Var.create(f"Hi {var}!")
    assert REFLEX_VAR_OPENING_TAG not in str(composed)
    # As a plain event argument the tab gets the exact text.
    assert sent_payload(rx.set_value("field", var))["value"] == value


@pytest.mark.parametrize("value", ODD_TEXTS)
@pytest.mark.parametrize("toast", [toast_info, toast_error, toast_success])
def test_toasts_show_any_text_literally(toast, value: str):
    payload = json.dumps(sent_payload(toast(f"New message from {value}")))
    assert REFLEX_VAR_OPENING_TAG not in payload
    assert toasts_of_specs([toast(f"New message from {value}")]) == [f"New message from {value}"]


@pytest.mark.parametrize("marker", MARKERS)
def test_a_toast_description_is_literal_too(marker: str):
    function = sent_payload(toast_info("Note", description=f"from {marker}"))["function"]
    assert REFLEX_VAR_OPENING_TAG not in function
    assert json.dumps(f"from {marker}").replace("<", "\\u003c") in function


def test_scroll_to_passes_the_id_literally():
    assert (
        '"message-<reflex.Var>1' not in sent_payload(scroll_to("message-<reflex.Var>1"))["function"]
    )
    assert 'getElementById("message-12")' in sent_payload(scroll_to("message-12"))["function"]


def test_empty_field_sends_the_fields_ref_and_an_empty_value():
    assert sent_payload(empty_field("friend-search")) == {"ref": "ref_friend_search", "value": ""}


def test_the_backend_error_toast_keeps_its_language_switch():
    function = sent_payload(backend_error_toast(RuntimeError("x")))["function"]
    assert "__toast" in function
    assert "backend-error" in function


@pytest.mark.parametrize("marker", MARKERS)
def test_the_guard_fails_on_user_text_reaching_the_parser(marker: str):
    # What a later `rx.toast(f"... {nickname}")` would do: parsed when it is sent.
    with pytest.raises(ForgedVarMarker):
        Event.from_event_type(rx.toast.info(f"New message from {marker}"))
    with pytest.raises(ForgedVarMarker):
        rx.Var.create(marker)


def test_the_guard_lets_reflex_own_fstrings_through():
    count = rx.Var.create(3)
    assert str(rx.Var.create(f"({count}) Chat")) == '("("+3+") Chat")'
    # A forged tag naming a real Var, but without its JavaScript after it, is refused.
    real = re.search(r"<reflex.Var>(-?\d+)</reflex.Var>", f"{count}")
    assert real is not None
    with pytest.raises(ForgedVarMarker):
        rx.Var.create(f"x {REFLEX_VAR_OPENING_TAG}{real.group(1)}{REFLEX_VAR_CLOSING_TAG} y")


def test_the_guard_is_installed_in_tests_and_by_the_environment_variable(monkeypatch):
    assert getattr(LiteralStringVar.create, "_chat_marker_guard", False)
    monkeypatch.delenv(safe_text.STRICT_MARKERS_VARIABLE, raising=False)
    assert safe_text.install_marker_guard_if_requested() is False
    monkeypatch.setenv(safe_text.STRICT_MARKERS_VARIABLE, "1")
    assert safe_text.install_marker_guard_if_requested() is True  # idempotent


def test_services_know_the_reflex_marker_tags():
    assert validation.VAR_MARKER_TAGS == (REFLEX_VAR_OPENING_TAG, REFLEX_VAR_CLOSING_TAG)


# Reflex event builders that turn a Python str into a Var; only safe_text.py may call them,
# with text it made literal. rx.redirect only ever gets a route constant.
_UNSAFE_CALL = re.compile(
    r"rx\.(toast(\.(info|error|success|warning|loading))?|window_alert|set_clipboard"
    r"|call_function|call_script|run_script|set_value|scroll_to|download)\(|rx\.redirect\((?!routes\.)"
)


def test_only_the_helper_builds_text_events():
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in SOURCE.rglob("*.py")
        if path.name != "safe_text.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _UNSAFE_CALL.search(line)
    ]
    assert offenders == []


# ----- every path that puts a stored name into a toast -----


def set_nickname(engine, username: str, nickname: str) -> None:
    """Write a nickname the form would refuse, as one stored before validation refused it."""
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        user.nickname = nickname
        session.add(user)
        session.commit()


@pytest.fixture
def whole_names(monkeypatch) -> None:
    """Toasts keep names whole, so the whole marker (26 characters) reaches the toast path."""
    monkeypatch.setattr(text_rules, "NAME_IN_SENTENCE", 64)


def capture_pushes(monkeypatch, module) -> list:
    """Record `(tab tokens, change)` of every push, through `notify_users` or `module`'s own."""
    pushed: list = []

    def record(tabs, cls, change, *rest) -> list[str]:
        if tabs := list(tabs):  # a push to no tab is none
            pushed.append((tabs, change))
        return tabs

    monkeypatch.setattr(push, "_app", object())  # pushes need a bound app
    monkeypatch.setattr(push, "push_to_tabs", record)
    if hasattr(module, "push_to_tabs"):
        monkeypatch.setattr(module, "push_to_tabs", record)
    return pushed


@pytest.mark.parametrize("marker", ["<reflex.Var>x</reflex.Var>", "<reflex.Var>1</reflex.Var>"])
async def test_friend_request_toasts_show_a_marker_nickname_literally(
    tab_factory, engine, monkeypatch, whole_names, marker: str
):
    mal = await logged_in_tab(tab_factory, "mal", "mal-tab")
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    set_nickname(engine, "mal", marker)
    set_nickname(engine, "bob", f"{marker}!")
    pushed = capture_pushes(monkeypatch, friends_module)

    await run(mal.search, {"username": "bob"})
    assert mal.search_result is not None
    await run(mal.send_request, mal.search_result.user_id)
    ((tabs, change),) = pushed
    assert tabs == ["bob-tab"]
    assert toasts_of_specs(await change(bob)) == [f"{marker} sent you a friend request."]

    pushed.clear()
    await run(bob.load)
    await run(bob.accept, bob.incoming[0].request_id)
    ((tabs, change),) = pushed
    assert tabs == ["mal-tab"]
    assert toasts_of_specs(await change(mal)) == [f"{marker}! is now your friend."]


@pytest.mark.parametrize("marker", ["<reflex.Var>x</reflex.Var>", "<reflex.Var>1</reflex.Var>"])
async def test_new_message_toast_shows_a_marker_nickname_literally(
    tab_factory, engine, monkeypatch, whole_names, marker: str
):
    _ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    set_nickname(engine, "ann", marker)
    # A new tab of Ann's takes her profile from the database.
    ann_tab = tab_factory(FriendsState, token="ann-tab-2")
    auth = await ann_tab.get_state(AuthState)
    await run(auth.login, {"username": "ann", "password": "correct horse"})
    assert auth.nickname == marker
    ann = await ann_tab.get_state(ConversationState)
    await run(ann.load)
    pushed = capture_pushes(monkeypatch, composer_module)

    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    await run((await ann.get_state(ComposerState)).send, {"body": "hello"})
    (tabs, change), _to_her_first_tab = pushed
    assert tabs == ["bob-tab"]
    assert bob.open_friend_id != ann_id  # Bob's conversation is closed: he gets a toast
    assert toasts_of_specs(await change(bob)) == [f"New message from {marker}"]
    friends = await bob.get_state(FriendsState)
    await run(friends.load)
    assert friends.friends[0].nickname == marker  # a state var: JSON, shown as is


async def test_toasts_cut_a_long_name_and_keep_the_words_after_it(tab_factory, engine, monkeypatch):
    mal = await logged_in_tab(tab_factory, "mal", "mal-tab")
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    set_nickname(engine, "mal", "W" * 32)
    # The default cut leaves half a marker, which must still show literally.
    set_nickname(engine, "bob", "<reflex.Var>1</reflex.Var>")
    pushed = capture_pushes(monkeypatch, friends_module)

    await run(mal.search, {"username": "bob"})
    assert mal.search_result is not None
    await run(mal.send_request, mal.search_result.user_id)
    ((_tabs, change),) = pushed
    assert toasts_of_specs(await change(bob)) == ["W" * 15 + "… sent you a friend request."]

    pushed.clear()
    await run(bob.load)
    await run(bob.accept, bob.incoming[0].request_id)
    ((_tabs, change),) = pushed
    assert toasts_of_specs(await change(mal)) == ["<reflex.Var>1</… is now your friend."]


def test_only_a_state_var_is_copied_to_the_clipboard():
    with pytest.raises(TypeError):
        safe_text.copy_to_clipboard("a link <reflex.Var>1</reflex.Var>")
    assert isinstance(safe_text.copy_to_clipboard(rx.Var.create("x")), EventSpec)
