"""The tab's token and address, read without building a RouterData (states/tab_identity.py)."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from chat_app.states.auth import AuthState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.tab_identity import client_address, tab_token
from tests.support.tabs import make_tab


@pytest.mark.parametrize("state_cls", [AuthState, ConversationState, ComposerState])
def test_every_state_of_a_tab_names_the_tab_and_its_address_as_its_router_does(state_cls):
    state = make_tab(state_cls, token="tab-42", ip="10.0.0.7")

    assert tab_token(state) == state.router.session.client_token == "tab-42"
    assert client_address(state) == state.router.session.client_ip == "10.0.0.7"


def test_a_new_connection_of_the_tab_is_what_it_names_next():
    state = make_tab(ConversationState, token="tab-1", ip="10.0.0.7")
    root = state.parent_state
    assert root is not None
    # A reconnect from another address (a phone moving from Wi-Fi to mobile data).
    root.router = RouterData.from_router_data(
        {"token": "tab-1", "ip": "10.9.9.9", "headers": {}, "pathname": "/"}
    )

    assert client_address(state) == "10.9.9.9"
    assert tab_token(state) == "tab-1"


def test_a_tab_before_its_first_event_has_no_token():
    assert tab_token(rx.State()) == ""
