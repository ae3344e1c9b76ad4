"""The new-message sound: one tab per user plays it, never where the conversation is on screen.

Pushes run through `realtime.push` for real, into the tabs' own states (a stand-in app that
holds them, every tab connected); what each tab's browser is sent is recorded.
"""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlmodel import Session

from chat_app.models import User
from chat_app.realtime import push
from chat_app.realtime.profile import PROFILE
from chat_app.states.auth import AuthState
from chat_app.states.chime import ChimeState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from tests.support.tab_app import TabsApp
from tests.support.tabs import PASSWORD, chat_tabs, conversation_with, logged_in_tab, run

RING = f"{ChimeState.get_full_name()}.ring"


def ringing(app: TabsApp) -> list[str]:
    """The tabs told to play the sound since the last call."""
    found = sorted(t for t, names in app.sent.items() if any(RING in n for n in names))
    app.sent.clear()
    return found


@pytest.fixture
def app(tab_factory) -> TabsApp:
    del tab_factory  # first: it unbinds any app and clears tabs and seats (states/conftest.py)
    return TabsApp()


async def second_tab(tab_factory, username: str, token: str) -> ConversationState:
    tab = tab_factory(FriendsState, token=token)
    await run((await tab.get_state(AuthState)).login, {"username": username, "password": PASSWORD})
    conversation = await tab.get_state(ConversationState)
    await run(conversation.load)  # as the page's load does
    return conversation


async def send(tab: ConversationState, body: str) -> None:
    await run((await tab.get_state(ComposerState)).send, {"body": body})
    await push.settled()


async def chat_with_two_bob_tabs(tab_factory, app: TabsApp):
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    bob_2 = await second_tab(tab_factory, "bob", "bob-tab-2")
    app.connect(ann, bob, bob_2)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    return ann, bob, bob_2, ann_id


async def test_a_message_sounds_in_one_tab_of_the_recipient_the_one_in_front(tab_factory, app):
    ann, bob, bob_2, _ann_id = await chat_with_two_bob_tabs(tab_factory, app)
    # Neither of Bob's tabs shows the conversation, and none has been brought to the front.
    await send(ann, "one")
    first = ringing(app)
    assert len(first) == 1
    assert first[0] in {"bob-tab", "bob-tab-2"}
    await send(ann, "two")
    assert ringing(app) == first  # the same tab, every time

    # Bob brings his second tab to the front: it plays from now on, the first does not.
    await run((await bob_2.get_state(ChimeState)).tab_focused)
    await send(ann, "three")
    assert ringing(app) == ["bob-tab-2"]
    await run((await bob.get_state(ChimeState)).tab_visibility, False)  # shown again
    await send(ann, "four")
    assert ringing(app) == ["bob-tab"]
    await run((await bob_2.get_state(ChimeState)).tab_visibility, True)  # hidden: no claim
    await send(ann, "five")
    assert ringing(app) == ["bob-tab"]


async def test_no_sound_while_the_conversation_is_on_screen(tab_factory, app):
    ann, bob, _bob_2, ann_id = await chat_with_two_bob_tabs(tab_factory, app)
    await run((await bob.get_state(ChimeState)).tab_focused)
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    await send(ann, "seen")
    assert ringing(app) == []
    await run(bob.reader_scrolled_up)  # reading older messages: still looking at it
    await send(ann, "seen too")
    assert ringing(app) == []
    await run(bob.tab_visibility, True)  # Bob switched to another application
    await send(ann, "not seen")
    assert ringing(app) == ["bob-tab"]


async def test_when_the_tab_in_front_has_gone_another_one_plays(tab_factory, app):
    ann, bob, bob_2, _ann_id = await chat_with_two_bob_tabs(tab_factory, app)
    await run((await bob_2.get_state(ChimeState)).tab_focused)
    del app.roots["bob-tab-2"]  # closed
    await send(ann, "hello")
    assert ringing(app) == ["bob-tab"]
    # The survivor took the seat: a tab loading now does not take it away.
    await run((await bob.get_state(ChimeState)).load)
    await send(ann, "again")
    assert ringing(app) == ["bob-tab"]


async def test_a_friend_request_sounds_once_and_other_notices_do_not(tab_factory, app):
    ann = await logged_in_tab(tab_factory, "ann", "ann-tab")
    bob = await logged_in_tab(tab_factory, "bob", "bob-tab")
    bob_2 = await (await second_tab(tab_factory, "bob", "bob-tab-2")).get_state(FriendsState)
    app.connect(ann, bob, bob_2)
    await run(ann.search, {"username": "bob"})
    assert ann.search_result is not None
    await run(ann.send_request, ann.search_result.user_id)
    await push.settled()
    assert len(ringing(app)) == 1
    await run(bob.load)
    await run(bob.accept, bob.incoming[0].request_id)  # Ann's toast: "… is now your friend"
    await push.settled()
    assert ringing(app) == []


async def test_the_setting_is_the_users_on_every_tab_and_silences_the_sound(
    tab_factory, app, engine
):
    _ann, bob, bob_2, _ann_id = await chat_with_two_bob_tabs(tab_factory, app)
    chime, chime_2 = await bob.get_state(ChimeState), await bob_2.get_state(ChimeState)
    for state in (chime, chime_2):
        await run(state.load)
    assert chime.enabled
    await run(chime.ring)
    assert chime.rings == 1

    await run(chime.set_enabled, False)
    await push.settled()
    assert (chime.enabled, chime_2.enabled) == (False, False)
    with Session(engine) as session:
        bob_row = session.get(User, chime._user_id)
        assert bob_row is not None
        assert bob_row.chime_enabled is False
    await run(chime.ring)
    assert chime.rings == 1  # told to play, but the user does not want it
    await run(chime.set_enabled, "no")  # forged: ignored
    assert not chime.enabled

    # A fresh load (another device, a reload) reads the setting and plays nothing old.
    chime.enabled = True
    await run(chime.load)
    assert (chime.enabled, chime.rings) == (False, 0)
    await run(chime.set_enabled, True)
    await push.settled()
    assert chime_2.enabled


async def test_a_store_failure_loses_the_sound_not_the_message(
    tab_factory, app, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, _bob_2, ann_id = await chat_with_two_bob_tabs(tab_factory, app)

    async def unreachable(_user_id: int) -> str | None:
        raise RedisConnectionError("gone")

    monkeypatch.setattr(PROFILE.chime_seats, "seat_of", unreachable)
    await send(ann, "still here")
    assert ringing(app) == []
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    assert [m.body for m in bob.window] == ["still here"]


async def test_handlers_need_a_session(tab_factory, app):
    intruder = tab_factory(ChimeState, token="intruder")
    (await intruder.get_state(AuthState)).session_token = "forged"
    for handler, args in [
        (intruder.ring, ()),
        (intruder.tab_focused, ()),
        (intruder.set_enabled, (False,)),
    ]:
        await run(handler, *args)
    await run(intruder.load)
    assert (intruder.rings, intruder.enabled) == (0, True)
    assert await PROFILE.chime_seats.seat_of(1) is None
