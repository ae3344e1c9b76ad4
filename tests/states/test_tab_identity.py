"""The cheap reads of a tab's token and address agree with Reflex's `router.session`."""

from __future__ import annotations

from reflex.istate.data import RouterData

from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.tab_identity import tab_session_of


def test_the_token_and_address_are_the_routers_in_every_state_of_the_tab(tab_factory):
    conversation = tab_factory(ConversationState, token="tab-7", ip="192.0.2.7")

    for state in (conversation, conversation.parent_state):
        assert state is not None
        assert tab_session_of(state).client_token == state.router.session.client_token == "tab-7"
        assert tab_session_of(state).client_ip == state.router.session.client_ip == "192.0.2.7"


def test_they_follow_the_router_when_the_tab_reconnects_elsewhere(tab_factory):
    auth = tab_factory(AuthState, token="tab-1", ip="192.0.2.1")
    root = auth.parent_state
    assert root is not None

    # What Reflex does for a new connection (new sid, possibly a new token and address).
    root.router = RouterData.from_router_data(
        {"token": "tab-2", "ip": "198.51.100.2", "headers": {}, "pathname": "/"}
    )

    assert tab_session_of(auth).client_token == auth.router.session.client_token == "tab-2"
    assert tab_session_of(auth).client_ip == auth.router.session.client_ip == "198.51.100.2"
