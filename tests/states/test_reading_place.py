"""The place and draft each conversation keeps when the tab switches away, called directly.

Browser storage is untrusted: forged, oversized or another user's places give defaults, never
an error; full storage refuses to drop a draft; logout forgets everything.
"""

from __future__ import annotations

import json
from typing import TypeVar

import pytest
import reflex as rx
from sqlmodel import Session

from chat_app.services import read_cursors
from chat_app.states import place, read_batch
from chat_app.states.auth import AuthState
from chat_app.states.client_input import STORAGE_PATTERNS, stored_text
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.place import PlaceState
from chat_app.states.place_entries import MAX_PLACES, MAX_UNITS, Place, Places
from chat_app.states.sign_out import SignOutState
from tests.support.tabs import PASSWORD, chat_tabs, conversation_with, logged_in_tab, run
from tests.support.toasts import toasts_of_specs
from tests.support.users import send_text

S = TypeVar("S", bound=rx.State)
LONG_DRAFT = ("草稿 draft 😀 " * 1000)[:10_000]


@pytest.fixture(autouse=True)
def reads_soon(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The delayed reads asked for (no timers here: they would outlive the test)."""
    asked: list[bool] = []

    def read_soon(self: ConversationState, forget_unread: bool = True) -> None:
        asked.append(forget_unread)

    monkeypatch.setattr(ConversationState, "_read_soon", read_soon)
    return asked


async def ann_with_two_chats(tab_factory) -> tuple[ConversationState, int, int]:
    """Ann's tab, her conversation with Bob (10 messages from Bob) and with Carol."""
    ann, bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    carol_friends = await logged_in_tab(tab_factory, "carol", "carol-tab")
    ann_friends = await ann.get_state(FriendsState)
    await run(ann_friends.search, {"username": "carol"})
    assert ann_friends.search_result is not None
    await run(ann_friends.send_request, ann_friends.search_result.user_id)
    await run(carol_friends.load)
    await run(carol_friends.accept, carol_friends.incoming[0].request_id)
    with_bob = await conversation_with(ann, bob_id)
    with_carol = await conversation_with(ann, ann_friends.search_result.user_id)
    await run(bob.open_conversation, with_bob)
    bob_composer = await bob.get_state(ComposerState)
    for n in range(10):
        await run(bob_composer.send, {"body": f"from Bob {n}"})
    return ann, with_bob, with_carol


async def signed_in(tab_factory, state_cls: type[S], username: str, token: str) -> S:
    """Another tab of an existing user, logged in."""
    tab = tab_factory(state_cls, token=token)
    await run((await tab.get_state(AuthState)).login, {"username": username, "password": PASSWORD})
    return tab


async def places_of(tab: ConversationState) -> PlaceState:
    return await tab.get_state(PlaceState)


async def test_a_draft_waits_in_its_conversation_and_comes_back(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    composer = await ann.get_state(ComposerState)
    await run(ann.open_conversation, with_bob)
    for _ in range(2):  # at the bottom: for a moment before it scrolls, then reading there
        await run(ann.reader_at_bottom)
    await run(composer.set_draft, LONG_DRAFT)

    await run(ann.open_conversation, with_carol)
    assert composer.draft == ""
    stored = json.loads((await places_of(ann)).places)
    assert stored == [{"u": ann.my_id, "c": with_bob, "a": 0, "d": LONG_DRAFT}]
    await run(composer.set_draft, "for Carol")

    await run(ann.open_conversation, with_bob)
    assert composer.draft == LONG_DRAFT  # whole
    assert [p["c"] for p in json.loads((await places_of(ann)).places)] == [with_carol]
    # The phone's back button keeps it too; the composer is empty with nothing open.
    await run(ann.close_conversation)
    assert composer.draft == ""
    await run(ann.open_conversation, with_carol)
    assert composer.draft == "for Carol"


async def test_the_message_being_read_is_where_the_conversation_reopens(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    await run(ann.open_conversation, with_bob)
    assert (ann.open_at, ann.unread_from) == (1, 1)  # all unread: at the first one
    await run(ann.reader_at_bottom)
    await run(ann.reader_scrolled_up)
    places = await places_of(ann)
    # A burst as the reader leaves the bottom, then a row going back below the line.
    await run(places.line_above, with_bob, 6)
    await run(places.line_below, with_bob, 7)
    await run(places.line_below, with_bob, 5)
    await run(ann.open_conversation, with_carol)
    assert json.loads(places.places)[0]["a"] == 4

    await run(ann.open_conversation, with_bob)
    # Where she was, with the divider still above the first unread (she never got down),
    # and "↓ 10 new" pointing down to them as on the first opening (it was gone).
    assert (ann.open_at, ann.unread_from, ann.unseen) == (4, 1, 10)
    # At the bottom when leaving (having read everything): back at the bottom.
    await run(ann.reader_at_bottom)  # maybe the moment before the list scrolls: read later
    await run(ann.reader_at_bottom)
    await run(ann.open_conversation, with_carol)
    await run(ann.open_conversation, with_bob)
    assert (ann.open_at, ann.unread_from) == (0, 0)
    assert (await places_of(ann)).places == ""


async def test_a_list_opened_above_its_bottom_reads_nothing_until_seen(
    tab_factory, engine, reads_soon: list[bool]
):
    ann, with_bob, _with_carol = await ann_with_two_chats(tab_factory)

    def read_by_ann() -> int:
        with Session(engine) as session:
            return read_cursors.read_seq(session, ann.my_id, with_bob)

    await run(ann.open_conversation, with_bob)
    assert ann.open_at == 1
    # "↓ 10 new": the unread below the first one, as her chat row counted them.
    assert ann.unseen == 10
    # The list shows at its bottom for a moment before it scrolls: not read at once.
    await run(ann.reader_at_bottom)
    assert read_by_ann() == 0
    assert reads_soon == [True]  # and then only if she is still at the bottom
    await run(ann.reader_scrolled_up)
    await run(ann.mark_seen)
    assert read_by_ann() == 0
    assert ann.unseen == 10
    # Reaching the bottom reads it all; shown again (a reload), the list opens there.
    await run(ann.reader_at_bottom)
    assert read_by_ann() == 10
    assert (ann.open_at, ann.unread_from, ann.unseen) == (0, 1, 0)


async def test_unread_that_fit_on_the_screen_leave_nothing_to_point_down_to(tab_factory):
    ann, with_bob, _with_carol = await ann_with_two_chats(tab_factory)
    await run(ann.open_conversation, with_bob)
    assert ann.unseen == 10
    # A short list is at its bottom where it opens: the read a second later (the timer
    # `_read_soon` starts) takes "↓ 10 new" away with the unread count.
    await run(ann.reader_at_bottom)
    await ann._read_to_end(ann.my_id, forget_unread=True)
    assert ann.unseen == 0


async def test_a_reloaded_list_opening_above_its_bottom_reads_nothing_at_once(
    tab_factory, engine, reads_soon: list[bool]
):
    ann, with_bob, _with_carol = await ann_with_two_chats(tab_factory)
    await run(ann.open_conversation, with_bob)
    await run(ann.reader_at_bottom)
    await run(ann.reader_scrolled_up)
    # The page is reloaded: the same state, a new list at its bottom, scrolling to row 1.
    await run(ann.opening_above_bottom)
    await run(ann.reader_at_bottom)
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann.my_id, with_bob) == 0
    assert reads_soon == [True, True]


async def test_forged_places_give_defaults_never_another_users_draft(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    composer = await ann.get_state(ComposerState)
    places = await places_of(ann)
    await run(ann.open_conversation, with_carol)
    for forged in (
        "[{",
        json.dumps([{"u": ann.my_id + 1, "c": with_bob, "a": 3, "d": "someone else's"}]),
        json.dumps([{"u": ann.my_id, "c": with_bob, "a": "3", "d": ["x"]}]),
        json.dumps([{"u": ann.my_id, "c": with_bob, "a": 2**70, "d": "x" * 20_001}]),
    ):
        places.places, places._wrote = forged, False
        await run(ann.open_conversation, with_bob)
        assert (ann.conversation_id, composer.draft) == (with_bob, "")
        assert ann.open_at == 1  # the first unread, as if nothing was kept
        await run(ann.open_conversation, with_carol)
    # An anchor beyond the conversation counts as none; the draft is hers.
    places.places = json.dumps([{"u": ann.my_id, "c": with_bob, "a": 10**9, "d": "kept"}])
    places._wrote = False
    await run(ann.open_conversation, with_bob)
    assert (ann.open_at, composer.draft) == (1, "kept")
    # Storage itself refuses what is too long to be an entry list of this app.
    assert stored_text("[" + "x" * (2 * MAX_UNITS + 1) + "]", STORAGE_PATTERNS["chat_places"]) == ""


async def test_the_reading_line_ignores_forged_and_stale_reports(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    places = await places_of(ann)
    await run(ann.open_conversation, with_bob)
    await run(places.line_above, with_bob, 5)
    forged = [(with_bob, "9"), (with_bob, True), (with_bob, 2**64), (with_carol, 9), ("x", 9)]
    for args in forged:
        await run(places.line_above, *args)
    assert places._line_in(with_bob) == 5
    await run(places.line_below, with_bob, None)
    assert places._line_in(with_bob) == 5


async def test_full_storage_refuses_to_drop_a_draft(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    composer = await ann.get_state(ComposerState)
    places = await places_of(ann)
    others = Places([Place(ann.my_id, 1000 + n, 0, "another draft") for n in range(MAX_PLACES)])
    places._write(others)
    await run(ann.open_conversation, with_bob)
    await run(composer.set_draft, "unsent words")
    events = await run(ann.open_conversation, with_carol)
    assert toasts_of_specs(events) == [
        "Drafts of other chats fill this browser's storage, so this draft cannot be kept. "
        "Send or delete it first."
    ]
    assert (ann.conversation_id, composer.draft) == (with_bob, "unsent words")
    assert places._read(ann.my_id) == others
    # Without a draft the place of Bob's chat gives way instead, and the switch goes on.
    await run(composer.set_draft, "")
    await run(ann.reader_scrolled_up)
    await run(ann.open_conversation, with_carol)
    assert ann.conversation_id == with_carol
    assert len(places._read(ann.my_id).entries) == MAX_PLACES


async def test_logging_out_forgets_the_places_and_drafts(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    composer = await ann.get_state(ComposerState)
    await run(ann.open_conversation, with_bob)
    await run(composer.set_draft, "private")
    await run(ann.open_conversation, with_carol)
    places = await places_of(ann)
    assert places.places
    await run((await ann.get_state(SignOutState)).log_out, True)
    assert (places.places, composer.draft) == ("", "")
    assert places._read(ann.my_id) == Places()


async def test_own_messages_after_the_read_cursor_are_not_unread(tab_factory):
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    await run(ann.open_conversation, with_carol)
    composer = await ann.get_state(ComposerState)
    for n in range(3):
        await run(composer.send, {"body": f"to Carol {n}"})
    await run(ann.open_conversation, with_bob)
    await run(ann.open_conversation, with_carol)
    assert (ann.open_at, ann.unread_from) == (0, 0)


async def test_a_second_tab_reading_what_another_tab_read_asks_the_database_nothing(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    ann, bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    with_bob = await conversation_with(ann, bob_id)
    bob_composer = await bob.get_state(ComposerState)
    for n in range(2):
        await run(bob_composer.send, {"body": f"from Bob {n}", "conversation_id": str(with_bob)})
    ann_2 = await signed_in(tab_factory, ConversationState, "ann", "ann-tab-2")
    asked: list[object] = []
    stored = read_cursors.mark_reads

    def mark_reads(**arguments):
        asked.extend(request.up_to_seq for request in arguments["requests"])
        return stored(**arguments)

    monkeypatch.setattr(read_batch.read_cursors, "mark_reads", mark_reads)
    for tab in (ann, ann_2):
        await run(tab.open_conversation, with_bob)
    for tab in (ann, ann_2):
        for _ in range(2):  # at the bottom: for a moment before it scrolls, then reading there
            await run(tab.reader_at_bottom)
    assert asked == [2]  # the second tab knew its user had read that far

    await run(bob_composer.send, {"body": "one more", "conversation_id": str(with_bob)})
    await run(ann_2.catch_up)  # as a push (or a reload) shows it
    await run(ann_2.mark_seen)
    assert asked == [2, 3]  # something newer is read and stored
    with Session(engine) as session:
        assert read_cursors.read_seq(session, ann.my_id, with_bob) == 3


async def test_a_place_left_far_back_reopens_there_or_at_what_came_since(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    # A window of 6: Bob's first messages are "far back" among his 60.
    monkeypatch.setattr(place, "WINDOW_MAX", 6)
    monkeypatch.setattr(place, "CONTEXT", 1)
    ann, with_bob, with_carol = await ann_with_two_chats(tab_factory)
    await run(ann.open_conversation, with_bob)
    bob_id = ann.open_friend_id
    with Session(engine) as session:
        for n in range(50):
            send_text(session, bob_id, with_bob, f"more {n}")
    await run(ann.open_conversation, with_bob)
    # More unread than the window holds: opened at the first of them, read down to the
    # newest a page at a time.
    assert ann.has_newer
    while ann.has_newer:
        await run(ann.load_newer)
    for _ in range(2):
        await run(ann.reader_at_bottom)  # everything read
    places = await places_of(ann)

    async def leave_at_search_result() -> None:
        await run(ann.open_at_message, with_bob, 2)
        assert ann.has_newer
        await run(ann.reader_scrolled_up)
        await run(places.line_above, with_bob, 2)
        await run(ann.open_conversation, with_carol)
        assert json.loads(places.places)[0]["a"] == 2

    # Back where the reader left it (it opened at the oldest of the newest 6 before).
    await leave_at_search_result()
    await run(ann.open_conversation, with_bob)
    assert ann.open_at == 2
    assert ann.has_newer
    # A message came since: the list opens at it, as at any unread message.
    await leave_at_search_result()
    with Session(engine) as session:
        send_text(session, bob_id, with_bob, "need a decision")
    await run(ann.open_conversation, with_bob)
    assert (ann.open_at, ann.unread_from) == (61, 61)
    assert [m.body for m in ann._buffer().stored()][-1] == "need a decision"
