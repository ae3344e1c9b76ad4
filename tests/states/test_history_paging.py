"""A list that stops short of the newest messages goes on down a page at a time.

After paging back (the list holds at most WINDOW_MAX messages) or opening at a far-back
search result, the messages between the page shown and the newest were reachable only by
jumping to the latest, which skipped them. "Load newer" appends the next page; the last
one makes the list live again, with what is unread below counted on "↓ N new".
"""

from __future__ import annotations

from sqlmodel import Session

from chat_app.services import read_cursors
from chat_app.states import live_messages
from chat_app.states.conversation import ConversationState
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


async def test_paged_back_the_reader_goes_on_down_through_every_message(
    tab_factory, engine, arrivals
):
    ann, bob, ann_id, bob_id, with_bob = await _chat_of(tab_factory, engine, 400)
    await run(ann.open_conversation, with_bob)
    while ann.has_older:
        await run(ann.load_older)
    assert _seqs(ann)[0] == 1
    assert ann.has_newer
    assert len(_seqs(ann)) == live_messages.WINDOW_MAX

    # Two messages come while the list stops short: not shown, nothing read yet.
    with Session(engine) as session:
        send_text(session, bob_id, with_bob, "while away 1")
        send_text(session, bob_id, with_bob, "while away 2")
    seen = set(_seqs(ann))
    pages = 0
    while ann.has_newer:
        events = await run(ann.load_newer)
        pages += 1
        shown = _seqs(ann)
        # Each page follows on the one before: no gap, no message twice, bounded.
        assert _contiguous(shown)
        assert len(shown) <= live_messages.WINDOW_MAX
        assert events, "the reader is taken to the page's first message"
        seen.update(shown)
    assert seen == set(range(1, 403))
    assert pages == 6  # 151-200, … 351-400, 401-402
    assert [m.body for m in ann._buffer().stored()][-2:] == ["while away 1", "while away 2"]
    assert ann.has_older
    # Live again, the reader up at the last page's first message: the two unread are on
    # "↓ N new" and read once the list is at its bottom.
    assert ann.unseen == 2
    await run(ann.reader_scrolled_up)  # as the list reports where it stands
    await run(ann.reader_at_bottom)
    assert ann.unseen == 0
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann_id, with_bob) == 402

    # A message sent from now on shows at once, after the others.
    arrivals.clear()
    await run(bob.open_conversation, await conversation_with(bob, ann_id))
    with Session(engine) as session:
        send_text(session, bob_id, with_bob, "live again")
    await run(bob.catch_up)
    await run(ann.catch_up)
    assert [m.body for m in ann._buffer().stored()][-1] == "live again"
    assert _contiguous(_seqs(ann))


async def test_load_newer_does_nothing_when_the_newest_are_shown(tab_factory, engine):
    ann, *_others, with_bob = await _chat_of(tab_factory, engine, 5)
    await run(ann.open_conversation, with_bob)
    assert not ann.has_newer
    assert await run(ann.load_newer) == []
    assert _seqs(ann) == [1, 2, 3, 4, 5]
