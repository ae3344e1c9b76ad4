""" "Read by N" in a group as the sender's tab shows it: counts, "Read" when all have read,
at most one receipt update a second per tab, none across a block or to a departed member,
and who read it only for the sender.
"""

from __future__ import annotations

from sqlmodel import Session

from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_reads import RECEIPT_INTERVAL
from chat_app.states.readers_dialog import ReadersState
from tests.support.delivery import remove
from tests.support.fake_pushes import NAMES, Clock, block, group_tabs
from tests.support.tabs import run


async def send(tab: ConversationState, body: str) -> int:
    await run((await tab.get_state(ComposerState)).send, {"body": body})
    return tab._buffer().last_seq()


async def read(tab: ConversationState) -> None:
    """The member's tab catches up and shows the newest messages (a push would do this)."""
    await run(tab.catch_up)
    await run(tab.mark_seen)


def status(tab: ConversationState, seq: int) -> str:
    if seq <= tab.reads_all_upto:
        return "Read"
    count = tab.read_counts.get(seq, 0)
    return f"Read by {count}" if count else "Sent"


async def test_read_by_n_then_read_when_every_member_has(tab_factory, engine, clock: Clock):
    _group, tabs, _ids = await group_tabs(tab_factory, engine, clock, NAMES[:4])
    ann = tabs["ann"]
    first = await send(ann, "one")
    second = await send(ann, "two")
    assert (status(ann, first), status(ann, second)) == ("Sent", "Sent")
    await read(tabs["bob"])
    await clock.advance(RECEIPT_INTERVAL)
    assert (status(ann, first), status(ann, second)) == ("Read by 1", "Read by 1")
    await read(tabs["cat"])
    await clock.advance(RECEIPT_INTERVAL)
    assert status(ann, second) == "Read by 2"
    await read(tabs["dan"])
    await clock.advance(RECEIPT_INTERVAL)
    assert (status(ann, first), status(ann, second)) == ("Read", "Read")
    # Every message read by all: the tab holds one number, no per-message counts.
    assert (ann.reads_all_upto, ann.read_counts) == (second, {})
    # A reopened tab counts afresh.
    await run(ann.open_conversation, _group)
    await run(ann.mark_seen)
    assert status(ann, second) == "Read"
    # Other members' tabs show no counts: the messages are not theirs.
    assert tabs["bob"].read_counts == {}
    assert tabs["bob"].reads_all_upto == 0


async def test_many_readers_make_at_most_one_update_a_second_per_tab(
    tab_factory, engine, clock: Clock
):
    _group, tabs, _ids = await group_tabs(tab_factory, engine, clock, NAMES)
    ann = tabs["ann"]
    seqs = [await send(ann, f"m{index}") for index in range(3)]
    start = clock.now
    for name in NAMES[1:]:
        await read(tabs[name])
        await clock.advance(0.1)
    await clock.advance(2 * RECEIPT_INTERVAL)
    elapsed = clock.now - start
    assert 1 <= clock.count(ann, "reads") <= int(elapsed / RECEIPT_INTERVAL) + 1
    assert [status(ann, seq) for seq in seqs] == ["Read"] * 3
    # Only the sender's tabs were told: the readers' messages were none of theirs.
    assert set(clock.named) == {_ids["ann"]}
    assert all(clock.count(tabs[name], "reads") == 0 for name in NAMES[1:])


async def test_no_receipt_crosses_a_block_and_none_reach_a_departed_member(
    tab_factory, engine, clock: Clock
):
    group, tabs, ids = await group_tabs(tab_factory, engine, clock, NAMES[:4])
    ann, dan = tabs["ann"], tabs["dan"]
    block(engine, ids["cat"], ids["ann"])
    seq = await send(ann, "hello")
    await read(tabs["cat"])
    await clock.advance(RECEIPT_INTERVAL)
    # cat's read reaches nobody (ann is the only sender, and they are in a block).
    assert clock.named == []
    assert status(ann, seq) == "Sent"
    await read(tabs["bob"])
    await clock.advance(RECEIPT_INTERVAL)
    # bob and dan are whom ann waits for: cat is left out of the count either way.
    assert status(ann, seq) == "Read by 1"
    own = await send(dan, "from dan")
    with Session(engine) as session:
        remove(session, ids["ann"], group, ids["dan"])
    clock.named.clear()
    for name in ("ann", "bob"):
        await read(tabs[name])
    await clock.advance(RECEIPT_INTERVAL)
    assert ids["dan"] not in clock.named
    assert status(dan, own) == "Sent"
    assert clock.count(dan, "reads") == 0
    # dan left: ann's message is read by everyone still in the group.
    assert status(ann, seq) == "Read"


async def test_who_read_shows_for_the_sender_only(tab_factory, engine, clock: Clock):
    group, tabs, ids = await group_tabs(tab_factory, engine, clock, NAMES[:3])
    ann = tabs["ann"]
    seq = await send(ann, "hello")
    await read(tabs["bob"])
    dialog = await ann.get_state(ReadersState)
    await run(dialog.show_readers, seq)
    assert dialog.readers_open
    assert [(r.user_id, r.nickname) for r in dialog.readers] == [(ids["bob"], "Bob")]
    assert not dialog.readers_more
    await run(dialog.set_readers_open, False)
    assert (dialog.readers_open, dialog.readers) == (False, [])
    # Forged seqs, another member asking, and a tab with the group closed: nothing opens.
    for forged in ("1", None, True, -1, 10**30, {"seq": seq}, 1):
        await run(dialog.show_readers, forged)
        assert not dialog.readers_open
        assert dialog.readers == []
    bob_dialog = await tabs["bob"].get_state(ReadersState)
    await run(bob_dialog.show_readers, seq)
    assert not bob_dialog.readers_open
    await run(ann.close_conversation)
    await run(dialog.show_readers, seq)
    assert not dialog.readers_open
    await run(dialog.more_readers)
    assert not dialog.readers_open
    assert group  # the group still exists; only the tab closed it
