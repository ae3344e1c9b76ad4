"""Pinning a chat to the top of the list, handlers called directly.

A pinned conversation is read first into the Chats tab on every tab of its user (the others
by a push that reads the list again); forged ids, other people's conversations and
anonymous tabs pin nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from chat_app.models import ConversationMember
from chat_app.states import chat_list as chat_list_state
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState
from tests.support.tabs import PASSWORD, conversation_with, people, redirect_targets, run
from tests.support.toasts import toasts_of_specs
from tests.support.users import make_friends, send_text


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[int], Any, str]]:
    """Every push the pin handler queues: (user ids, change, the tab left out)."""
    recorded: list[tuple[list[int], Any, str]] = []

    async def recording(user_ids, state_cls, change, except_tab=""):
        assert state_cls is ChatListState
        recorded.append((list(user_ids), change, except_tab))
        return []

    monkeypatch.setattr(chat_list_state, "notify_users", recording)
    return recorded


async def _lists(tab_factory, engine) -> tuple[ChatListState, int, int, int]:
    """Ann's Chats tab with Bob's chat (older) and Cat's (newer); and the three ids."""
    (ann, ann_id), (_bob, bob_id), (_cat, cat_id) = await people(
        tab_factory, ChatListState, "ann", "bob", "cat"
    )
    with Session(engine) as db:
        make_friends(db, ann_id, bob_id)
        make_friends(db, ann_id, cat_id)
    with_bob = await conversation_with(ann, bob_id)
    with_cat = await conversation_with(ann, cat_id)
    with Session(engine) as db:
        send_text(db, bob_id, with_bob, "older")
        send_text(db, cat_id, with_cat, "newer")
    await run(ann.load)
    return ann, ann_id, with_bob, with_cat


def _names(tab: ChatListState) -> list[str]:
    return [row.name for row in tab.rows]


async def test_a_pinned_chat_is_first_on_every_tab_of_its_user(tab_factory, engine, pushed):
    ann, ann_id, with_bob, _with_cat = await _lists(tab_factory, engine)
    assert _names(ann) == ["Cat", "Bob"]
    # Ann's phone, the same list.
    phone = tab_factory(ChatListState, token="ann-phone")
    await run((await phone.get_state(AuthState)).login, {"username": "ann", "password": PASSWORD})
    await run(phone.load)

    assert await run(ann.set_pinned, with_bob, True) == []
    assert (_names(ann), ann.pinned_ids) == (["Bob", "Cat"], [with_bob])
    ((users, change, left_out),) = pushed
    assert (users, left_out) == ([ann_id], "ann-tab")
    await change(phone)
    assert (_names(phone), phone.pinned_ids) == (["Bob", "Cat"], [with_bob])

    await run(ann.set_pinned, with_bob, False)
    assert (_names(ann), ann.pinned_ids) == (["Cat", "Bob"], [])
    await pushed[1][1](phone)
    assert (_names(phone), phone.pinned_ids) == (["Cat", "Bob"], [])
    # A push reaching a tab that changed hands meanwhile reads nothing into it.
    await run((await phone.get_state(AuthState)).logout)
    await run(phone.load)
    await pushed[1][1](phone)
    assert phone.rows == []


@pytest.mark.parametrize(
    "args", [("bob-cat", True), ("own", "yes"), ("1", True), (None, None), (10**30, True)]
)
async def test_forged_pins_change_nothing_and_say_so(tab_factory, engine, pushed, args):
    ann, _ann_id, with_bob, _with_cat = await _lists(tab_factory, engine)
    with Session(engine) as db:
        ids = {row.name: row.user_id for row in ann.rows}
        bob_id, cat_id = ids["Bob"], ids["Cat"]
        make_friends(db, bob_id, cat_id)
    theirs = None
    conversation, pinned = args
    if conversation == "bob-cat":
        bob_tab = tab_factory(ChatListState, token="bob-2")
        await run(
            (await bob_tab.get_state(AuthState)).login, {"username": "bob", "password": PASSWORD}
        )
        theirs = await conversation_with(bob_tab, cat_id)
    conversation = {"bob-cat": theirs, "own": with_bob}.get(conversation, conversation)
    events = await run(ann.set_pinned, conversation, pinned)
    assert ann.pinned_ids == []
    assert _names(ann) == ["Cat", "Bob"]
    assert pushed == []
    if args[0] in ("bob-cat", 10**30):
        assert len(toasts_of_specs(events)) == 1
    with Session(engine) as db:
        assert db.exec(select(ConversationMember).where(ConversationMember.pinned)).all() == []


async def test_an_anonymous_tab_pins_nothing(tab_factory, engine, pushed):
    _ann, _ann_id, with_bob, _with_cat = await _lists(tab_factory, engine)
    stranger = tab_factory(ChatListState, token="stranger")
    (await stranger.get_state(AuthState)).session_token = "forged-token"
    assert redirect_targets(await run(stranger.set_pinned, with_bob, True)) == ["/auth"]
    assert pushed == []
    with Session(engine) as db:
        assert db.exec(select(ConversationMember).where(ConversationMember.pinned)).all() == []
