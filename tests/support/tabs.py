"""Tabs for state tests: drive handlers directly, as a browser tab would, without a server."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from reflex.istate.data import RouterData

from chat_app import routes
from chat_app.services import conversations
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.service_call import call_service
from chat_app.states.unread import UnreadState

S = TypeVar("S", bound=rx.State)

PASSWORD = "correct horse"


def at_address(state: rx.State, address: str) -> None:
    """Give the tab's root the router data of the browser at `address` (as a navigation does)."""
    root = state._get_root_state()
    session = root.router.session
    root.router = RouterData.from_router_data(
        {
            "token": session.client_token,
            "ip": session.client_ip,
            "headers": {"user-agent": "pytest"},
            "pathname": address.partition("#")[0].partition("?")[0],
            "asPath": address,
        }
    )


def make_tab(state_cls: type[S], *, token: str = "tab-1", ip: str = "127.0.0.1") -> S:
    """A fresh root state for one tab, with router data like a real connection's."""
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"token": token, "ip": ip, "headers": {"user-agent": "pytest"}, "pathname": "/"}
    )
    root.is_hydrated = True  # its page has loaded: what a person clicks, they see
    state = root.get_substate(state_cls.get_full_name().split(".")[1:])
    assert isinstance(state, state_cls)
    return state


async def run(handler: Callable[..., Any], *args: Any) -> list[Any]:
    """Call a handler like Reflex does and collect what it returned or yielded."""
    result = handler(*args)
    if inspect.isasyncgen(result):
        return [item async for item in result if item is not None]
    if inspect.isawaitable(result):
        result = await result
    if result is None:
        return []
    events = list(result) if isinstance(result, list) else [result]
    # The browser follows a move to the chat's history entry (a fragment: no page load).
    owner = getattr(handler, "__self__", None)
    if isinstance(owner, rx.State) and routes.CHAT_WITH_CONVERSATION in redirect_targets(events):
        at_address(owner, routes.CHAT_WITH_CONVERSATION)
    return events


def redirect_targets(events: list[Any]) -> list[str]:
    targets = []
    for event in events:
        for name, value in getattr(event, "args", ()):
            if name._js_expr == "path":
                targets.append(value._var_value)
    return targets


async def logged_in_tab(tab_factory, username: str, token: str) -> FriendsState:
    """A tab of a newly registered user, its friend pane loaded."""
    tab = tab_factory(FriendsState, token=token)
    auth = await tab.get_state(AuthState)
    form = {
        "username": username,
        "nickname": username.title(),
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    await run(auth.register, form)
    await run(tab.load)
    return tab


async def people(tab_factory, state_cls: type[S], *names: str) -> list[tuple[S, int]]:
    """A logged-in tab of a new user per name (token "<name>-tab"): its `state_cls`, its id."""
    made = []
    for name in names:
        tab = await logged_in_tab(tab_factory, name, f"{name}-tab")
        user_id = (await tab.get_state(AuthState))._user_id
        assert user_id is not None
        made.append((await tab.get_state(state_cls), user_id))
    return made


async def conversation_with(tab: rx.State, friend_id: int) -> int:
    """The id of the conversation between the tab's user and `friend_id`."""
    viewer_id = (await tab.get_state(AuthState))._user_id
    assert viewer_id is not None
    return await call_service(conversations.direct_with, viewer_id=viewer_id, friend_id=friend_id)


async def chat_tabs(tab_factory) -> tuple[ConversationState, ConversationState, int, int]:
    """Ann's and Bob's chat states, friends, loaded: `(ann, bob, ann_id, bob_id)`."""
    ann_friends = await logged_in_tab(tab_factory, "ann", "ann-tab")
    bob_friends = await logged_in_tab(tab_factory, "bob", "bob-tab")
    await run(ann_friends.search, {"username": "bob"})
    assert ann_friends.search_result is not None
    bob_id = ann_friends.search_result.user_id
    await run(ann_friends.send_request, bob_id)
    await run(bob_friends.load)
    await run(bob_friends.accept, bob_friends.incoming[0].request_id)
    ann_id = bob_friends.friends[0].user_id
    ann = await ann_friends.get_state(ConversationState)
    bob = await bob_friends.get_state(ConversationState)
    for tab in (ann, bob):
        await run((await tab.get_state(UnreadState)).load)
        await run(tab.load)
    return ann, bob, ann_id, bob_id


async def named_tabs(tab_factory, *names: str) -> list[tuple[ConversationState, int]]:
    """A chat tab of each newly registered user (no friendships): `[(state, user_id)]`."""
    return await people(tab_factory, ConversationState, *names)


def in_english(words_by_field: dict[str, dict[str, str]]) -> dict[str, str]:
    """A form's refusals kept in each language (`i18n.in_every_language`), in English."""
    return {field: words["en"] for field, words in words_by_field.items()}
