"""Loading the chat page over the real protocol: few frames, and everything shown again.

A connecting tab's on_load work is one event (states/chat_page.py): thousands of tabs
reconnecting after a restart each cost one round of event processing, not one per state.
"""

from __future__ import annotations

import json

from chat_app import routes
from tests.realtime.helpers import (
    AUTH,
    CONVERSATION,
    OPEN_CONVERSATION_KEY,
    PRESENCE,
    STORAGE_KEYS,
    TOKEN_KEY,
    UNREAD,
    chat_pair,
    sees_online,
    send_text,
    session_token,
    shown_seqs,
    unread_in,
    usernames,
)
from tests.support.event_client import ROOT_STATE, EventClient

# Until the page is marked loaded: the hydrate's snapshot, the browser storage it applied,
# the on_load chain's start, the tab's user, the page's one load and the "hydrated" flag.
# With one event per state's load it took 11. The tab's user has a frame of its own when
# the presence sentinel (a background event, started at once beside the load) resolves
# the session first; otherwise it goes with the load (5 frames).
MOST_FRAMES_TO_LOAD = 6


def _hydrated(tab: EventClient) -> bool:
    return tab.var(ROOT_STATE, "is_hydrated") is True


def _is_presence_push(frame: str) -> bool:
    """A frame that changes only the friends' presence: a push, not part of the page load.

    The tab is registered for pushes early in its load, so a presence change pushed to the
    user's tabs (every push re-sends both presence vars) can arrive before the page is
    marked loaded: under load, 2 fresh tabs in 12 got one, whichever profile. The load's
    own presence goes out with the rest of the page in its one load frame.
    """
    _, _, payload = frame.partition(",")
    update = json.loads(payload)[1]
    return not update.get("events") and set(update.get("delta") or {}) == {PRESENCE}


def _frames_to_load(tab: EventClient) -> int:
    """The page load's state-update frames, up to the one that marks the page loaded."""
    updates = [frame for frame in tab.frames if frame.startswith('42/_event,["event"')]
    loaded = next(n for n, frame in enumerate(updates) if '"is_hydrated_rx_state_":true' in frame)
    return sum(not _is_presence_push(frame) for frame in updates[: loaded + 1])


async def _friends_with_a_chat(backend_url: str):
    """Ann and Bob, friends, online; their conversation is open in both and holds one message."""
    ann, bob, ann_id, _bob_id = await chat_pair(backend_url)
    await bob.wait_for(lambda c: sees_online(c, ann_id) is True)
    await send_text(ann, "before")
    await bob.wait_for(lambda c: shown_seqs(c) == [1])
    return ann, bob, ann_id, bob.var(CONVERSATION, "conversation_id")


async def test_a_fresh_tab_gets_the_whole_page_in_a_few_frames(backend_url):
    ann, bob, ann_id, conversation = await _friends_with_a_chat(backend_url)
    storage = {TOKEN_KEY: session_token(bob), OPEN_CONVERSATION_KEY: str(conversation)}
    tab = EventClient(backend_url, local_storage=storage)
    tab.storage_keys |= STORAGE_KEYS
    # A tab that remembers a conversation is at its history entry (states/history_entry.py).
    await tab.connect(routes.CHAT_WITH_CONVERSATION)
    await tab.wait_for(_hydrated)
    # What the page shows: the friend list, the friend online, the conversation reopened.
    assert usernames(tab, "friends") == [ann.var(AUTH, "username")]
    assert sees_online(tab, ann_id) is True
    assert tab.var(CONVERSATION, "conversation_id") == conversation
    assert shown_seqs(tab) == [1]
    frames = _frames_to_load(tab)
    print(f"a fresh tab was loaded in {frames} update frames")
    assert frames <= MOST_FRAMES_TO_LOAD
    for client in (ann, bob, tab):
        await client.close()


async def test_a_reconnected_tab_shows_its_friends_presence_and_missed_messages(backend_url):
    ann, bob, ann_id, conversation = await _friends_with_a_chat(backend_url)
    friends_before = usernames(bob, "friends")
    await bob.drop()  # network gone, no goodbye
    await send_text(ann, "while away")
    await ann.wait_for(lambda c: shown_seqs(c) == [1, 2])
    # What the tab showed is gone with the page: only what the server sends again counts.
    bob.state, bob.events, bob.frames = {}, [], []
    await bob.reconnect()
    await bob.wait_for(_hydrated)
    await bob.wait_for(lambda c: shown_seqs(c) == [1, 2])
    assert usernames(bob, "friends") == friends_before
    assert sees_online(bob, ann_id) is True
    assert bob.var(CONVERSATION, "conversation_id") == conversation
    # Neither message was read (this client never reports its reader at the bottom).
    assert unread_in(bob, conversation) == 2
    assert bob.var(UNREAD, "unread_total") == 2
    assert _frames_to_load(bob) <= MOST_FRAMES_TO_LOAD
    for client in (ann, bob):
        await client.close()


async def test_a_chat_opened_before_the_page_has_loaded_stays_open(backend_url):
    # The page's load runs after the connect; a click (here: the bench's tabs, at once)
    # may overtake it. That load's address is from before the chat's history entry, and
    # read as Back it closed the chat just opened (states/history_entry.py).
    ann, bob, _ann_id, conversation = await _friends_with_a_chat(backend_url)
    tab = EventClient(backend_url, local_storage={TOKEN_KEY: session_token(bob)})
    tab.storage_keys |= STORAGE_KEYS
    await tab.connect("/")
    await tab.call(CONVERSATION, "open_conversation", {"conversation_id": conversation})
    await tab.wait_for(_hydrated)
    await send_text(ann, "after the load")
    await tab.wait_for(lambda c: shown_seqs(c) == [1, 2])
    assert tab.var(CONVERSATION, "conversation_id") == conversation
    assert tab.address == routes.CHAT_WITH_CONVERSATION
    for client in (ann, bob, tab):
        await client.close()
