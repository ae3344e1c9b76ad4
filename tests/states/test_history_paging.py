"""A list that stops short of the newest messages goes on down a page at a time.

After paging back (the list holds at most WINDOW_MAX messages), opening at a far-back
search result, or opening with more unread messages than the list holds, the messages
between the page shown and the newest were reachable only by jumping to the latest,
which skipped them (and with many unread, the first ones were never shown, yet read).
"Load newer" appends the next page; the last one makes the list live again, with what is
unread below counted on "↓ N new".
"""

from __future__ import annotations

from sqlmodel import Session

from chat_app.services import read_cursors
from chat_app.states import live_messages
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.unread import UnreadState
from tests.states.test_mentions_state import _group, _people
from tests.support.tabs import chat_tabs, conversation_with, run
from tests.support.users import send_text


def _seqs(tab: ConversationState) -> list[int]:
    return [message.seq for message in tab._buffer().stored()]


async def _chat_of(tab_factory, engine, messages: int):
    """Ann's and Bob's tabs, their chat holding `messages` of Bob's, and its id."""
    ann, bob, ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    with Session(engine) as session:
        for number in range(messages):
            send_text(session, bob_id, with_bob, f"m{number}")
    return ann, bob, ann_id, bob_id, with_bob


def _contiguous(seqs: list[int]) -> bool:
    return seqs == list(range(seqs[0], seqs[0] + len(seqs)))


async def _down_to_the_newest(tab: ConversationState) -> set[int]:
    """Load newer pages until the list is live; every seq shown on the way."""
    seen = set(_seqs(tab))
    pages = 0
    while tab.has_newer:
        last = _seqs(tab)[-1]
        await run(tab.load_newer)
        pages += 1
        shown = _seqs(tab)
        # Each page follows on the one before: no gap, no message twice, bounded.
        assert _contiguous(shown)
        assert len(shown) <= live_messages.WINDOW_MAX
        # The list opens at the page's first message (also when reloaded), not its end.
        assert tab.open_at == last + 1
        seen.update(shown)
        assert pages <= 20
    return seen


async def _paged_back_to_the_first(
    tab: ConversationState, engine, reader_id: int, conversation_id: int
) -> None:
    """All of it read, the chat opened at its newest and paged back to its first message."""
    with Session(engine) as session:
        read_cursors.mark_read(
            session=session, viewer_id=reader_id, conversation_id=conversation_id, up_to_seq=400
        )
        session.commit()
    await run(tab.open_conversation, conversation_id)
    assert _seqs(tab)[-1] == 400
    while tab.has_older:
        await run(tab.load_older)
    assert _seqs(tab)[0] == 1
    assert tab.has_newer


async def _read_at_the_bottom(tab: ConversationState) -> None:
    await run(tab.reader_scrolled_up)  # as the list reports where it stands
    await run(tab.reader_at_bottom)


async def test_many_unread_open_at_the_first_and_are_read_only_once_reached(tab_factory, engine):
    ann, _bob, ann_id, _bob_id, with_bob = await _chat_of(tab_factory, engine, 400)
    unread = await ann.get_state(UnreadState)
    await run(unread.load)
    assert unread._unread(with_bob) == 400
    await run(ann.open_conversation, with_bob)
    # At the first unread message, under its divider: the first of them were never shown
    # (the newest 150 were, at the oldest of them) and were read at the bottom.
    assert _seqs(ann)[0] == 1
    assert (ann.open_at, ann.unread_from) == (1, 1)
    assert ann.has_newer
    assert ann.unseen == 400
    await _read_at_the_bottom(ann)
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann_id, with_bob) == 0
    # At the bottom of a page short of the newest: "↓ 400 new" still counts them.
    assert ann.unseen == 400
    assert await _down_to_the_newest(ann) == set(range(1, 401))
    # The last page shows at the list's bottom a moment before the list scrolls to its
    # first message: that moment reads nothing (it read the page the reader had not seen).
    await run(ann.reader_at_bottom)
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann_id, with_bob) == 0
    assert ann.unseen == 400 - ann.open_at + 1  # the last page's, below the reader
    await _read_at_the_bottom(ann)
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann_id, with_bob) == 400
    assert unread._unread(with_bob) == 0


async def test_paged_back_the_reader_goes_on_down_through_every_message(
    tab_factory, engine, arrivals
):
    ann, bob, ann_id, bob_id, with_bob = await _chat_of(tab_factory, engine, 400)
    await _paged_back_to_the_first(ann, engine, ann_id, with_bob)
    assert len(_seqs(ann)) == live_messages.WINDOW_MAX

    # Two messages come while the list stops short: not shown, nothing read yet, also
    # after a reconnect (it started again from the newest page, far from the reader).
    with Session(engine) as session:
        send_text(session, bob_id, with_bob, "while away 1")
        send_text(session, bob_id, with_bob, "while away 2")
    await run(ann.load)
    assert ann.has_newer
    assert _seqs(ann)[0] == 1
    assert await _down_to_the_newest(ann) == set(range(1, 403))
    assert [m.body for m in ann._buffer().stored()][-2:] == ["while away 1", "while away 2"]
    assert ann.has_older
    # Live again, the reader up at the last page's first message: the two unread are on
    # "↓ N new" and read once the list is at its bottom.
    assert ann.unseen == 2
    await _read_at_the_bottom(ann)
    assert ann.unseen == 0
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann_id, with_bob) == 402

    # A message sent from now on shows at once, after the others.
    arrivals.clear()
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    with Session(engine) as session:
        send_text(session, bob_id, with_bob, "live again")
    await run(ann.catch_up)
    assert [m.body for m in ann._buffer().stored()][-1] == "live again"
    assert _contiguous(_seqs(ann))


async def test_load_newer_does_nothing_when_the_newest_are_shown(tab_factory, engine):
    ann, *_others, with_bob = await _chat_of(tab_factory, engine, 5)
    await run(ann.open_conversation, with_bob)
    assert not ann.has_newer
    assert await run(ann.load_newer) == []
    assert _seqs(ann) == [1, 2, 3, 4, 5]


async def test_a_message_sent_while_short_of_the_newest_shows_with_the_newest(tab_factory, engine):
    ann, _bob, ann_id, _bob_id, with_bob = await _chat_of(tab_factory, engine, 400)
    await _paged_back_to_the_first(ann, engine, ann_id, with_bob)
    composer = await ann.get_state(ComposerState)
    await run(composer.send, {"body": "back to the present"})
    # Not after the page of old ones with 250 missing between: the newest, with it last.
    assert not ann.has_newer
    assert _contiguous(_seqs(ann))
    assert [m.body for m in ann._buffer().stored()][-1] == "back to the present"
    assert await run(ann.load_newer) == []


async def test_mentions_stay_highlighted_in_the_newer_pages(tab_factory, engine):
    tabs = await _people(tab_factory, engine, "ann", "bob")
    (ann, ann_id), (_bob, bob_id) = tabs["ann"], tabs["bob"]
    group = await _group(engine, tabs, "ann", "bob")
    with Session(engine) as session:
        for number in range(400):
            send_text(session, bob_id, group, f"@Ann look {number}", mentioned=[ann_id])
    await run(ann.open_conversation, group)
    assert ann.has_newer
    while ann.has_newer:
        await run(ann.load_newer)
        # Every message shown mentions Ann: every one is highlighted, the newest pages too
        # (they were not once the 150 oldest had filled the list).
        mentions = {m.seq for m in ann._buffer().stored() if m.kind != "system"}
        assert mentions <= set(ann.mentioned_seqs)
