"""Delete for me over raw `/_event` clients, on both profiles: the message leaves every tab
of the user who deleted it (and stays left out after a reload; a tab away at the time
learns it when it reconnects), and no other member's tab hears of it."""

from __future__ import annotations

from chat_app.states.chat_list import ChatListState
from chat_app.states.row_values import bucket_of
from tests.realtime.group_helpers import reconnect
from tests.realtime.helpers import (
    CONVERSATION,
    another_tab,
    befriend,
    chat_pair,
    delete_message,
    edit_message,
    open_chat,
    open_conversation,
    order_in,
    register,
    send_text,
    session_token,
    shown,
    unique_username,
)
from tests.support.event_client import EventClient

CHAT_LIST = ChatListState.get_full_name()


def _hidden(tab: EventClient) -> list[int]:
    return tab.var(CONVERSATION, "hidden_seqs") or []


def _row_line(tab: EventClient, conversation_id: int) -> str:
    """The chat list row's last line: pushed since the list was read, else as read."""
    pushed = tab.var(CONVERSATION, f"last_{bucket_of(conversation_id)}") or {}
    if str(conversation_id) in pushed:
        return pushed[str(conversation_id)][1]
    rows = tab.var(CHAT_LIST, "rows") or []
    return next(row["line"] for row in rows if row["conversation_id"] == conversation_id)


async def test_a_message_deleted_for_me_leaves_my_tabs_only(backend):
    ann, bob, ann_id, _bob_id = await chat_pair(backend.url)
    conversation = bob.var(CONVERSATION, "conversation_id")
    bob_phone = await another_tab(backend.url, bob, ann_id)
    await send_text(ann, "the door code is 4321")
    await send_text(ann, "see you")
    for tab in (ann, bob, bob_phone):
        await tab.wait_for(lambda c: [m["body"] for m in shown(c)][-1:] == ["see you"])
    seq = next(m["seq"] for m in shown(bob) if m["body"] == "the door code is 4321")
    ann_seen = len(ann.frames)

    await delete_message(bob, conversation, seq, for_me=True)
    for tab in (bob, bob_phone):
        await tab.wait_for(lambda c: _hidden(c) == [seq])
    # Ann's tab heard nothing of it and still shows the message.
    await send_text(ann, "anything else?")
    await bob.wait_for(lambda c: [m["body"] for m in shown(c)][-1:] == ["anything else?"])
    assert not any("hidden_seqs" in frame for frame in ann.frames[ann_seen:])
    assert _hidden(ann) == []
    assert "the door code is 4321" in [m["body"] for m in shown(ann)]

    # The newest one deleted for Bob: his chat rows show the one before it, Ann's keeps it.
    newest = shown(bob)[-1]["seq"]
    await delete_message(bob, conversation, newest, for_me=True)
    for tab in (bob, bob_phone):
        await tab.wait_for(lambda c: _row_line(c, conversation) == "see you")
    assert _row_line(ann, conversation) == "anything else?"
    # Ann edits it: her row shows the new text, Bob's rows keep the one before it.
    await edit_message(ann, conversation, newest, "anything else, Bob?")
    await ann.wait_for(lambda c: _row_line(c, conversation) == "anything else, Bob?")
    await bob.wait_for(lambda c: str(newest) in (c.var(CONVERSATION, "changed") or {}))
    for tab in (bob, bob_phone):
        assert _row_line(tab, conversation) == "see you"

    # A new tab of Bob's reads the page and the row with them left out.
    bob_again = await another_tab(backend.url, bob, ann_id)
    await bob_again.wait_for(lambda c: _hidden(c) == [seq, newest])
    assert _row_line(bob_again, conversation) == "see you"


def _chats_shown(tab: EventClient) -> list[int]:
    """The chat list's conversations in the order the page shows them (moved rows first)."""
    rows = tab.var(CHAT_LIST, "rows") or []
    ids = [row["conversation_id"] for row in rows]
    return sorted(ids, key=lambda chat: order_in(tab, chat, ids.index(chat)))


async def test_a_row_whose_newest_message_i_deleted_for_me_moves_to_its_place(backend):
    ann, bob, _ann_id, bob_id = await chat_pair(backend.url)
    with_ann = bob.var(CONVERSATION, "conversation_id")
    carol_signup = await register(backend.url, unique_username("carol"))
    await befriend(carol_signup, bob)
    carol = await open_chat(backend.url, session_token(carol_signup))
    await carol_signup.close()
    with_carol = await open_conversation(carol, bob_id)
    for tab, body in ((ann, "old news"), (carol, "from carol"), (ann, "newest from ann")):
        await send_text(tab, body)
        chat = with_ann if tab is ann else with_carol
        await bob.wait_for(lambda c, chat=chat: _chats_shown(c)[:1] == [chat])
    newest = next(m["seq"] for m in shown(bob) if m["body"] == "newest from ann")

    # Deleted for Bob: Ann's row now ends with "old news", older than Carol's message, and
    # it moves below Carol's, as a reload lists them.
    await delete_message(bob, with_ann, newest, for_me=True)
    await bob.wait_for(lambda c: _chats_shown(c) == [with_carol, with_ann])
    assert _row_line(bob, with_ann) == "old news"
    for tab in (ann, carol):
        await tab.close()


async def test_a_tab_away_while_i_deleted_for_me_learns_it_on_reconnect(backend):
    ann, bob, ann_id, _bob_id = await chat_pair(backend.url)
    conversation = bob.var(CONVERSATION, "conversation_id")
    bob_laptop = await another_tab(backend.url, bob, ann_id)
    await send_text(ann, "call me at 555-0100")
    for tab in (bob, bob_laptop):
        await tab.wait_for(lambda c: any(m["body"] == "call me at 555-0100" for m in shown(c)))
    seq = next(m["seq"] for m in shown(bob) if m["body"] == "call me at 555-0100")
    await bob_laptop.drop()
    await delete_message(bob, conversation, seq, for_me=True)
    await bob.wait_for(lambda c: _hidden(c) == [seq])
    await reconnect(bob_laptop)
    await bob_laptop.wait_for(lambda c: _hidden(c) == [seq], timeout=15)
