"""Mentions and mute over raw `/_event` clients, on both profiles (issue 19).

A member who muted a group gets its messages counted but no toast and no sound; a message
that mentions them still toasts, marks their chat row with `@` and is highlighted in their
tabs. Mute shows live on the member's other tabs.
"""

from __future__ import annotations

from chat_app.states.chat_list import ChatListState
from chat_app.states.chime import ChimeState
from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.mute import MuteState
from chat_app.states.new_group import NewGroupState
from chat_app.states.row_values import bucket_of
from tests.realtime.helpers import (
    AUTH,
    COMPOSER,
    CONVERSATION,
    UNREAD,
    befriend,
    frame_without_events,
    open_chat,
    register,
    send_text,
    session_token,
    toasts,
    unique_username,
    unread_in,
)
from tests.support.event_client import EventClient

NEW_GROUP = NewGroupState.get_full_name()
PICKER = MentionPickerState.get_full_name()
MUTE = MuteState.get_full_name()
RING = f"{ChimeState.get_full_name()}.ring"
CHATS = ChatListState.get_full_name()


def _rows(tab: EventClient) -> list[dict]:
    return tab.var(CHATS, "rows") or []


def _marked(tab: EventClient, conversation_id: int) -> bool:
    bucket = tab.var(UNREAD, f"mentioned_{bucket_of(conversation_id)}") or {}
    return bool(bucket.get(str(conversation_id)))


def _bytes_of(tab: EventClient, body: str) -> int:
    """The bytes of the frames that brought a message's text (toasts aside)."""
    return sum(len(frame_without_events(f).encode()) for f in tab.frames if body in f)


def _muted(tab: EventClient, conversation_id: int) -> bool:
    return conversation_id in (tab.var(MUTE, "muted_ids") or [])


async def _group_of(ann: EventClient, *member_ids: int) -> int:
    """Ann creates a group with these friends of hers; its id once her tab shows it."""
    await ann.call(NEW_GROUP, "open_dialog", {})
    await ann.wait_for(lambda c: len(c.var(NEW_GROUP, "offered") or []) == len(member_ids))
    for member in member_ids:
        await ann.call(NEW_GROUP, "toggle_friend", {"user_id": member})
    await ann.wait_for(lambda c: len(c.var(NEW_GROUP, "picked") or []) == len(member_ids))
    await ann.call(NEW_GROUP, "set_group_name", {"name": "Mentions"})
    await ann.call(NEW_GROUP, "create", {})
    await ann.wait_for(lambda c: bool(c.var(CONVERSATION, "conversation_id")))
    return ann.var(CONVERSATION, "conversation_id")


async def test_a_muted_group_is_quiet_but_a_mention_marks_the_row_and_toasts(backend):
    ann = await register(backend.url, unique_username("mann"))
    bob = await register(backend.url, unique_username("mbob"))
    cat = await register(backend.url, unique_username("mcat"))
    _, bob_id = await befriend(ann, bob)
    _, cat_id = await befriend(ann, cat)
    group = await _group_of(ann, bob_id, cat_id)
    bob_second = await open_chat(backend.url, session_token(bob))
    for tab in (bob, bob_second, cat):
        await tab.wait_for(lambda c: group in [r["conversation_id"] for r in _rows(c)])

    await bob.call(MUTE, "set_muted", {"conversation_id": group, "muted": True})
    await bob.wait_for(lambda c: _muted(c, group))
    await bob_second.wait_for(lambda c: _muted(c, group))

    # A plain message: counted on Bob's tabs, no toast and no sound; Cat is told.
    for tab in (bob, bob_second, cat):
        tab.events.clear()  # the friend requests' toasts and sounds
    await send_text(ann, "a quiet hello")
    for tab in (bob, bob_second):
        await tab.wait_for(lambda c: unread_in(c, group) == 1)
    await cat.wait_for(lambda c: unread_in(c, group) == 1 and bool(toasts(c)))
    assert toasts(bob) == []
    assert toasts(bob_second) == []
    assert RING not in bob.event_names() + bob_second.event_names()
    assert not _marked(bob, group)

    # `@name` typed by hand, not picked, is text: no mention.
    nickname = bob.var(AUTH, "nickname")
    body = f"@{nickname} look at this"
    cat.frames.clear()
    await send_text(ann, body + " (A)")
    for tab in (bob, cat):
        await tab.wait_for(lambda c: unread_in(c, group) == 2)
    plain_push = _bytes_of(cat, body + " (A)")
    assert plain_push > 0
    assert not _marked(bob, group)

    # A mention: picked after `@` in Ann's composer, sent, toasted on Bob's muted group.
    await ann.call(PICKER, "follow_draft", {"value": "@" + nickname[:3]})
    await ann.wait_for(lambda c: [o["user_id"] for o in c.var(PICKER, "options") or []] == [bob_id])
    await ann.call(COMPOSER, "set_draft", {"value": "@" + nickname[:3]})
    await ann.call(PICKER, "pick", {"user_id": bob_id})
    await ann.wait_for(lambda c: c.var(COMPOSER, "draft") == f"@{nickname} ")
    cat.frames.clear()
    await send_text(ann, body + " (B)")
    for tab in (bob, bob_second):
        await tab.wait_for(lambda c: _marked(c, group))
        await tab.wait_for(lambda c: any("mentioned you" in t for t in toasts(c)))
    await cat.wait_for(lambda c: unread_in(c, group) == 3)
    assert not _marked(cat, group)
    # What the others get for the message is what a plain one of the same text costs.
    # (A text of the same length: an unchanged row line would not be sent again.)
    mentioning_push = _bytes_of(cat, body + " (B)")
    assert abs(mentioning_push - plain_push) <= 20, (plain_push, mentioning_push)
    assert not any("mentioned you" in t for t in toasts(cat))
    assert RING not in bob.event_names() + bob_second.event_names()

    # Reading it clears the mark on every tab of Bob's.
    await bob.call(CONVERSATION, "open_conversation", {"conversation_id": group})
    await bob.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == group)
    for _settled_then_read in range(2):
        await bob.call(CONVERSATION, "reader_at_bottom", {})
    for tab in (bob, bob_second):
        await tab.wait_for(lambda c: not _marked(c, group), timeout=15)
    for tab in (ann, bob, bob_second, cat):
        await tab.close()
