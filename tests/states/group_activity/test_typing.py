"""Typing in a group: who types, "and N more", at most one update per tab every 2 s,
gone on send and after the timeout, never to departed members nor across a block.
"""

from __future__ import annotations

from sqlmodel import Session

from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_timeline import blocks_changed
from chat_app.states.group_typing import TYPING_INTERVAL, TYPING_VISIBLE_SECONDS
from tests.support.delivery import remove
from tests.support.fake_pushes import NAMES, Clock, block, group_tabs
from tests.support.tabs import run


async def type_in(tab: ConversationState, text: str = "hi") -> None:
    composer = await tab.get_state(ComposerState)
    # The composer notes typing at most every 2 s of real time; each call here is a new note.
    composer._last_typing_push = 0.0
    await run(composer.set_draft, text)


def line(tab: ConversationState) -> tuple[list[str], int]:
    return list(tab.typing_names), tab.typing_more


async def test_the_header_names_up_to_three_typers_then_and_n_more(
    tab_factory, engine, clock: Clock
):
    _group, tabs, _ids = await group_tabs(tab_factory, engine, clock, NAMES[:7])
    await type_in(tabs["bob"])
    await clock.advance(0.1)
    assert line(tabs["ann"]) == (["Bob"], 0)
    assert line(tabs["bob"]) == ([], 0)  # nobody else types
    await type_in(tabs["bob"])
    await type_in(tabs["cat"])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["ann"]) == (["Bob", "Cat"], 0)
    assert line(tabs["bob"]) == (["Cat"], 0)
    # bob and cat go on typing (a note every 2 s keeps them on the line).
    for name in ("bob", "cat", "dan", "eve", "fay"):
        await type_in(tabs[name])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["ann"]) == (["Bob", "Cat", "Dan"], 2)
    assert line(tabs["dan"]) == (["Bob", "Cat", "Eve"], 1)
    # Nobody types any more: the line goes after the timeout.
    await clock.advance(TYPING_VISIBLE_SECONDS + TYPING_INTERVAL)
    assert all(line(tab) == ([], 0) for tab in tabs.values())


async def test_many_typers_make_at_most_one_update_per_tab_every_two_seconds(
    tab_factory, engine, clock: Clock
):
    _group, tabs, _ids = await group_tabs(tab_factory, engine, clock, NAMES)
    typers = list(tabs.values())[1:]
    start = clock.now
    # Eleven members start and go on typing, a tenth of a second apart, for six seconds.
    step = 0
    while clock.now - start < 6.0:
        await type_in(typers[step % len(typers)], f"text {step}")
        await clock.advance(0.1)
        step += 1
    elapsed = clock.now - start
    bound = int(elapsed / TYPING_INTERVAL) + 1
    for tab in tabs.values():
        assert 1 <= clock.count(tab, "typing") <= bound
    assert line(tabs["ann"]) == (["Bob", "Cat", "Dan"], 8)
    # Each push named each member once: N pushes per interval, never N².
    assert len(clock.named) <= bound * len(NAMES) * 2


async def test_typing_stops_on_send(tab_factory, engine, clock: Clock):
    _group, tabs, _ids = await group_tabs(tab_factory, engine, clock, NAMES[:3])
    await type_in(tabs["bob"])
    await clock.advance(0.1)
    assert line(tabs["ann"]) == (["Bob"], 0)
    await run((await tabs["bob"].get_state(ComposerState)).send, {"body": "done"})
    # Well before the timeout: within the 2 s bound.
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["ann"]) == ([], 0)


async def test_typing_never_crosses_a_block_either_way(tab_factory, engine, clock: Clock):
    _group, tabs, ids = await group_tabs(tab_factory, engine, clock, NAMES[:3])
    block(engine, ids["cat"], ids["bob"])
    await type_in(tabs["bob"])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["ann"]) == (["Bob"], 0)
    assert line(tabs["cat"]) == ([], 0)
    await type_in(tabs["bob"])
    await type_in(tabs["cat"])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["ann"]) == (["Bob", "Cat"], 0)
    assert line(tabs["bob"]) == ([], 0)
    assert clock.count(tabs["cat"], "typing") == 0
    assert clock.count(tabs["bob"], "typing") == 0


async def test_a_departed_member_hears_no_typing_and_is_heard_by_nobody(
    tab_factory, engine, clock: Clock
):
    _group, tabs, ids = await group_tabs(tab_factory, engine, clock, NAMES[:4])
    with Session(engine) as session:
        remove(session, ids["ann"], _group, ids["dan"])
    clock.named.clear()
    # dan's tab has not heard of the removal yet: it still types, and listens.
    await type_in(tabs["dan"])
    await type_in(tabs["bob"])
    await clock.advance(TYPING_INTERVAL)
    assert ids["dan"] not in clock.named
    assert line(tabs["ann"]) == (["Bob"], 0)
    assert line(tabs["dan"]) == ([], 0)
    assert clock.count(tabs["dan"], "typing") == 0


async def test_a_member_removed_or_blocked_while_someone_types_loses_the_name(
    tab_factory, engine, clock: Clock
):
    group, tabs, ids = await group_tabs(tab_factory, engine, clock, NAMES[:4])
    await type_in(tabs["bob"])
    await clock.advance(0.1)
    assert line(tabs["dan"]) == (["Bob"], 0)
    assert line(tabs["cat"]) == (["Bob"], 0)
    with Session(engine) as session:
        remove(session, ids["ann"], group, ids["dan"])
    block(engine, ids["cat"], ids["bob"])
    clock.named.clear()
    # Who types changes (ann starts): the push after it takes bob off both lines.
    await type_in(tabs["ann"])
    await type_in(tabs["bob"])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["cat"]) == (["Ann"], 0)
    assert line(tabs["dan"]) == ([], 0)
    assert line(tabs["bob"]) == (["Ann"], 0)
    # dan got the names taken off once, and nothing after.
    await type_in(tabs["cat"])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["dan"]) == ([], 0)
    assert clock.named.count(ids["dan"]) == 1


async def test_a_block_takes_the_typing_name_off_at_once(tab_factory, engine, clock: Clock):
    _group, tabs, ids = await group_tabs(tab_factory, engine, clock, NAMES[:3])
    await type_in(tabs["bob"])
    await clock.advance(0.1)
    assert line(tabs["cat"]) == (["Bob"], 0)
    block(engine, ids["cat"], ids["bob"])
    # The block's push reaches cat's tab: bob's name goes now, not when his note runs out.
    await clock.apply(tabs["cat"], blocks_changed((ids["cat"], ids["bob"])))
    assert line(tabs["cat"]) == ([], 0)
    # A third member typing is not touched.
    await type_in(tabs["ann"])
    await clock.advance(TYPING_INTERVAL)
    assert line(tabs["cat"]) == (["Ann"], 0)
