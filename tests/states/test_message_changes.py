"""Deletions over the rows a tab shows: a short list of covered seqs, folded in when long."""

from __future__ import annotations

import dataclasses

import pytest

from chat_app.services.reaction_views import ReactionView
from chat_app.services.reply_views import ReplyView
from chat_app.services.views import MessageView
from chat_app.states import message_changes
from chat_app.states.message_changes import fold_deleted
from tests.support.buffers import FRIEND, empty, seqs, stored
from tests.support.tabs import chat_tabs, conversation_with, run


def deleted(seq: int) -> MessageView:
    return dataclasses.replace(stored(seq), body="", deleted=True)


def test_folding_writes_the_deletions_into_window_and_slots_and_nothing_else():
    buffer = empty(window=[stored(1), stored(2)])
    buffer.add([stored(3), stored(4)])
    buffer.window_changed = False
    buffer.changed_slots.clear()
    fold_deleted(buffer, frozenset({2, 4}))
    shown = {m.seq: m for m in buffer.stored()}
    assert seqs(buffer.stored()) == [1, 2, 3, 4]
    assert [m.seq for m in shown.values() if m.deleted] == [2, 4]
    assert all(shown[s].body == "" and shown[s].parts == () for s in (2, 4))
    assert shown[1].body == stored(1).body
    assert buffer.window_changed
    assert buffer.changed_slots == {1}  # the slot holding 4, not the one holding 3
    untouched = empty(window=[stored(1)])
    fold_deleted(untouched, frozenset({9}))
    assert not untouched.window_changed
    assert untouched.changed_slots == set()


async def test_a_tab_covers_deletions_and_folds_them_in_past_the_limit(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(message_changes, "DELETED_MAX", 2)
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    ann._change(lambda buffer: buffer.add([stored(1), stored(2), stored(3)]))
    ann._show_deleted([1])
    ann._show_changes([deleted(1), deleted(2)], change_seq=5)
    assert ann.deleted_seqs == [1, 2]
    assert ann._change_seq == 5
    assert not any(m.deleted for m in ann._buffer().stored())
    # A third goes past the limit: all three are written into the rows, the list empties.
    ann._show_deleted([3])
    assert ann.deleted_seqs == []
    assert [m.deleted for m in ann._buffer().stored()] == [True, True, True]
    assert ann._change_seq == 5  # a push says nothing of what the tab has read


def edited(seq: int, body: str) -> MessageView:
    return dataclasses.replace(stored(seq), body=body, edited=True)


async def test_edits_show_over_the_rows_and_fold_in_keeping_their_marks(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(message_changes, "CHANGED_MAX", 2)
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    lead = dataclasses.replace(stored(1), lead=True)
    ann._change(lambda buffer: buffer.add([lead, stored(2), stored(3)]))
    # An edit of a message the tab does not show is not kept.
    ann._show_changes([edited(1, "one"), edited(9, "nine")])
    assert list(ann.changed) == [1]
    assert ann.changed[1].body == "one"
    ann._show_changes([edited(2, "two")])
    assert sorted(ann.changed) == [1, 2]
    thumbs = (ReactionView("👍", (7,)),)
    ann._show_changes([dataclasses.replace(edited(3, "three"), reactions=thumbs)])
    assert ann.changed == {}
    rows = ann._buffer().stored()
    assert [(m.body, m.edited) for m in rows] == [("one", True), ("two", True), ("three", True)]
    assert rows[0].lead  # the fold kept the run's mark the pushed view lacks
    assert rows[2].reactions == thumbs


def _reply_to(seq: int, quoted: int) -> MessageView:
    quote = ReplyView(seq=quoted, sender_id=FRIEND, kind="text", text=f"m{quoted}")
    return dataclasses.replace(stored(seq), reply=quote)


async def test_a_replys_quote_follows_an_edit_and_a_deletion_of_what_it_answers(
    tab_factory, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(message_changes, "CHANGED_MAX", 1)
    monkeypatch.setattr(message_changes, "DELETED_MAX", 1)
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    await run(ann.open_conversation, await conversation_with(ann, bob_id))
    # Seq 1 is older than what the tab shows; replies 5 and 6 quote it and seq 2.
    ann._change(lambda buffer: buffer.add([_reply_to(5, 1), _reply_to(6, 2), stored(7)]))
    # The page shows an edited quote's text from `changed`: an edit of a message only a
    # quote shows is kept (it was dropped as "not shown").
    ann._show_changes([edited(1, "new words")])
    assert ann.changed[1].body == "new words"
    # Past the limit, the edits are written into the replies' quotes, not only the messages.
    ann._show_changes([edited(2, "two now")])
    assert ann.changed == {}
    quotes = {m.seq: m.reply for m in ann._buffer().stored() if m.reply}
    assert (quotes[5].text, quotes[6].text) == ("new words", "two now")
    # Deletions likewise: once folded, the quote still says the message is gone.
    ann._show_changes([deleted(1), deleted(7)])
    assert ann.deleted_seqs == []
    quotes = {m.seq: m.reply for m in ann._buffer().stored() if m.reply}
    assert (quotes[5].deleted, quotes[5].text, quotes[6].deleted) == (True, "", False)
