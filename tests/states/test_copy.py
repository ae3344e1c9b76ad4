"""Copy offered only where the browser can copy, and "Copied" only once it has."""

from __future__ import annotations

import json

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from chat_app.states import safe_text
from chat_app.states.ui import UiState, is_secure_page
from tests.support.tabs import run


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("https://chat.example.org/", True),
        ("http://localhost:3000/", True),
        ("http://LOCALHOST:3000/admin", True),
        ("http://chat.localhost/", True),
        ("http://127.0.0.1:3000/", True),
        ("http://127.5.0.1/", True),
        ("http://[::1]:3000/", True),
        # A plain LAN address: the browser has no clipboard for the page.
        ("http://192.168.1.20:3000/", False),
        ("http://chat.example.org/", False),
        ("http://localhost.example.org/", False),
        ("http://[::1", False),
        ("file:///tmp/x.html", False),
        ("", False),
        (None, False),
        ("https://" + "a" * 3000, False),
    ],
)
def test_a_page_is_secure_as_browsers_count_it(url: object, secure: bool):
    assert is_secure_page(url) is secure


def _ui_tab(origin: str) -> UiState:
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"token": "t", "headers": {"user-agent": "pytest", "origin": origin}, "pathname": "/"}
    )
    state = root.get_substate(UiState.get_full_name().split(".")[1:])
    assert isinstance(state, UiState)
    return state


def test_a_tab_may_copy_only_on_a_secure_page():
    lan = _ui_tab("http://192.168.1.20:3000")
    lan._detect_device()
    assert lan.can_copy is False
    served = _ui_tab("https://chat.example.org")
    served._detect_device()
    assert served.can_copy is True


def test_copied_is_said_when_the_browser_took_the_text():
    spec = safe_text.copy_to_clipboard(rx.Var.create("x"), then=UiState.say_copied("message"))
    args = {str(name): value for name, value in spec.args}
    assert "writeText" in str(args["function"])
    # "Copied" is the write's callback, not an event after it, which would run also when
    # the browser refused.
    assert "say_copied" in str(args["callback"])
    plain = safe_text.copy_to_clipboard(rx.Var.create("x"))
    assert str({str(name): value for name, value in plain.args}["callback"]) == "null"


@pytest.mark.parametrize(("language", "said"), [("en", "Copied"), ("zh", "已复制"), ("", "Copied")])
async def test_copied_is_said_in_the_tabs_language(language: str, said: str):
    tab = _ui_tab("http://localhost:3000")
    tab.language = language
    (toast,) = await run(tab.say_copied, "message")
    shown = str({str(name): value for name, value in toast.args}["function"])
    assert json.dumps(said) in shown


@pytest.mark.parametrize("what", ["nothing", "", None, 3, ["message"], {"a": 1}])
async def test_copied_says_nothing_for_anything_else(what: object):
    assert await run(_ui_tab("http://localhost:3000").say_copied, what) == []
