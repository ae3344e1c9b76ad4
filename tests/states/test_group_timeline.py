"""A group's timeline in one tab: who wrote each run, system lines in the reader's words,
collapsed messages between a blocked pair; a direct chat as before.

Names and pictures come from the tab's look-up of the people it shows (one query per page,
one per sender not seen yet), so a plain group message costs the wire about what a
direct one does.
"""

from __future__ import annotations

from typing import Any

import pytest
from reflex_base.utils.format import json_dumps
from sqlmodel import Session

from chat_app.services import conversations, friends, group_members, group_senders, history
from chat_app.services.views import MessageView
from chat_app.states import friends as friends_state
from chat_app.states import group_timeline
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.group_timeline import BLOCKED, SENDER_BUCKETS
from chat_app.states.live_messages import SLOT_NAMES, WINDOW_MAX
from chat_app.states.row_values import RowValues
from chat_app.states.ui import UiState
from tests.support.groups import make_group
from tests.support.tabs import named_tabs, redirect_targets, run
from tests.support.users import make_friends, send_text


def _people(tab: ConversationState) -> dict[int, list[str]]:
    return RowValues(tab, SENDER_BUCKETS).all()


def _shown(tab: ConversationState) -> list[MessageView]:
    buffer = tab._buffer()
    return [*buffer.window, *buffer.live()]


def _runs(tab: ConversationState) -> list[tuple[str, bool]]:
    """(body, shows its sender's name) for each message, as the page shows it."""
    return [
        (m.body, m.lead and m.sender_id != tab.my_id and tab.is_group)
        for m in _shown(tab)
        if m.kind != "system"
    ]


def _lines(tab: ConversationState) -> list[str]:
    return [m.body for m in _shown(tab) if m.kind == "system"]


def _calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, argument: str) -> list[Any]:
    """Every call of the service `module.name` a tab makes: the `argument` it passed."""
    asked: list[Any] = []
    real = getattr(module, name)

    def counting(**kwargs: Any) -> Any:
        asked.append(kwargs[argument])
        return real(**kwargs)

    monkeypatch.setattr(module, name, counting)
    return asked


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """Every look-up of people a tab makes: whom it asked for."""
    return _calls(monkeypatch, group_senders, "senders", "user_ids")


def _group_of(engine, owner: int, *members: int, name: str = "Team") -> int:
    """A group of `owner` and `members`, who become the owner's friends first."""
    with Session(engine) as db:
        for member in members:
            make_friends(db, owner, member)
        return make_group(db, owner, *members, name=name)


async def _set_language(tab: ConversationState, language: str) -> None:
    (await tab.get_state(UiState)).language = language


async def test_a_groups_page_names_the_first_message_of_each_run(tab_factory, engine, lookups):
    (ann, ann_id), (bob, bob_id), (_cat, cat_id), (_dan, dan_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat", "dan"
    )
    with Session(engine) as db:
        for friend in (bob_id, cat_id, dan_id):
            make_friends(db, ann_id, friend)
        group = make_group(db, ann_id, bob_id, cat_id)
        for sender, body in [(bob_id, "b1"), (bob_id, "b2"), (cat_id, "c1")]:
            send_text(db, sender, group, body)
        send_text(db, ann_id, group, "a1")
        send_text(db, bob_id, group, "b3")
    await _set_language(ann, "en")

    await run(ann.open_conversation, group)
    assert _runs(ann) == [("b1", True), ("b2", False), ("c1", True), ("a1", False), ("b3", True)]
    assert _lines(ann) == ["You created the group “Team” with Bob and Cat"]
    assert {uid: entry[0] for uid, entry in _people(ann).items()} == {bob_id: "Bob", cat_id: "Cat"}
    assert lookups == [{bob_id, cat_id}]  # one look-up for the page

    # Live: a known sender's next message continues the run, without a look-up.
    lookups.clear()
    with Session(engine) as db:
        b4 = send_text(db, bob_id, group, "b4").message
        c2 = send_text(db, cat_id, group, "c2").message
    await ann._receive(b4, group, "Bob", True)
    await ann._receive(c2, group, "Cat", True)
    assert _runs(ann)[-2:] == [("b4", False), ("c2", True)]
    assert lookups == []

    # Someone new: the system line names them, and their message looks them up once.
    with Session(engine) as db:
        group_members.add_members(
            session=db, actor_id=ann_id, conversation_id=group, user_ids=[dan_id]
        )
        line = _newest(db, ann_id, group)
        d1 = send_text(db, dan_id, group, "d1").message
    await ann._receive(line, group, "Ann", False)
    await ann._receive(d1, group, "Dan", True)
    assert _lines(ann)[-1] == "You added Dan"
    assert _runs(ann)[-1] == ("d1", True)
    assert lookups == [{dan_id}]
    assert _people(ann)[dan_id][0] == "Dan"
    # Bob, the other side of the same messages, sees Ann's name above hers.
    await run(bob.open_conversation, group)
    assert ("a1", True) in _runs(bob)


def _newest(db: Session, viewer_id: int, group: int) -> MessageView:
    return history.history(session=db, viewer_id=viewer_id, conversation_id=group).messages[-1]


async def test_a_system_line_reads_in_each_readers_language_with_todays_names(tab_factory, engine):
    (_ann, ann_id), (bob, bob_id), (cat, cat_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat"
    )
    group = _group_of(engine, ann_id, bob_id, cat_id, name="三年级")
    await _set_language(bob, "zh")
    await _set_language(cat, "en")
    await run(bob.open_conversation, group)
    await run(cat.open_conversation, group)
    assert _lines(bob) == ["Ann创建了群聊“三年级”\uff0c成员有你和Cat"]  # a full-width comma
    assert _lines(cat) == ["Ann created the group “三年级” with Bob and you"]
    # Not a bubble: no run, no name, whatever sent it.
    assert [m.lead for m in _shown(bob)] == [False]


async def test_a_blocked_pair_see_each_others_messages_collapsed(tab_factory, engine):
    (ann, ann_id), (bob, bob_id), (cat, cat_id) = await named_tabs(tab_factory, "ann", "bob", "cat")
    group = _group_of(engine, ann_id, bob_id, cat_id)
    with Session(engine) as db:
        make_friends(db, bob_id, cat_id)
        friends.block_user(session=db, viewer_id=cat_id, target_id=bob_id)
        from_bob = send_text(db, bob_id, group, "from bob").message
        from_cat = send_text(db, cat_id, group, "from cat").message

    for tab in (ann, bob, cat):
        await run(tab.open_conversation, group)
    # Either side of the block: the other is flagged (collapsed) and shown by username,
    # without a picture; Ann, outside the block, sees both as they are.
    assert _people(cat)[bob_id] == ["bob", "", BLOCKED]
    assert _people(bob)[cat_id] == ["cat", "", BLOCKED]
    assert _people(ann)[bob_id] == ["Bob", "", ""]

    # Show reveals one message in this tab only; a forged seq, or one of a message that is
    # not collapsed (Cat's own), changes nothing.
    for forged in (from_cat.seq + 100, from_cat.seq, "1", True, None):
        await run(cat.reveal, forged)
    assert cat.revealed == []
    await run(cat.reveal, from_bob.seq)
    assert cat.revealed == [from_bob.seq]
    assert bob.revealed == []
    # Reopening folds it again.
    await run(cat.open_conversation, group)
    assert cat.revealed == []


async def test_a_direct_chat_is_unchanged(tab_factory, engine, lookups):
    (ann, ann_id), (_bob, bob_id) = await named_tabs(tab_factory, "ann", "bob")
    with Session(engine) as db:
        make_friends(db, ann_id, bob_id)
        direct = conversations.direct_with(session=db, viewer_id=ann_id, friend_id=bob_id)
        for body in ("one", "two"):
            send_text(db, bob_id, direct, body)
    await run(ann.open_conversation, direct)
    assert [(m.body, m.lead) for m in _shown(ann)] == [("one", False), ("two", False)]
    assert _people(ann) == {}
    assert lookups == []
    await run(ann.reveal, _shown(ann)[0].seq)
    assert ann.revealed == []


def _slot_bytes(tab: ConversationState) -> int:
    """The bytes of the live slot a pushed message went into."""
    delta = tab.get_delta()[tab.get_full_name()]
    (slot,) = [name for name in delta if name.removesuffix("_rx_state_") in SLOT_NAMES]
    return len(json_dumps(delta[slot]).encode())


async def test_a_plain_group_message_costs_about_what_a_direct_one_does(tab_factory, engine):
    (_ann, ann_id), (bob, bob_id), (_cat, cat_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat"
    )
    group = _group_of(engine, ann_id, bob_id, cat_id)
    with Session(engine) as db:
        direct = conversations.direct_with(session=db, viewer_id=bob_id, friend_id=ann_id)

    await run(bob.open_conversation, direct)
    with Session(engine) as db:
        to_bob = send_text(db, ann_id, direct, "same text").message
    bob.dirty_vars.clear()
    await bob._receive(to_bob, direct, "Ann", True)
    direct_bytes = _slot_bytes(bob)

    await run(bob.open_conversation, group)
    # The first of a run and the next one: neither carries a name.
    for _ in range(2):
        with Session(engine) as db:
            to_group = send_text(db, ann_id, group, "same text").message
        bob.dirty_vars.clear()
        await bob._receive(to_group, group, "Ann", True)
        group_bytes = _slot_bytes(bob)
        print(f"slot bytes: direct {direct_bytes}, group {group_bytes}")
        assert group_bytes <= direct_bytes + 30, (direct_bytes, group_bytes)


async def test_a_catch_up_writes_system_lines_and_names_new_senders(tab_factory, engine):
    (ann, ann_id), (_bob, bob_id), (_dan, dan_id) = await named_tabs(
        tab_factory, "ann", "bob", "dan"
    )
    with Session(engine) as db:
        make_friends(db, ann_id, dan_id)
    group = _group_of(engine, ann_id, bob_id)
    await _set_language(ann, "en")
    await run(ann.open_conversation, group)
    # While the tab was away (a dropped socket), Dan was added and wrote.
    with Session(engine) as db:
        group_members.add_members(
            session=db, actor_id=ann_id, conversation_id=group, user_ids=[dan_id]
        )
        send_text(db, dan_id, group, "hello from dan")
    await run(ann.load)
    assert _lines(ann) == ["You created the group “Team” with Bob", "You added Dan"]
    assert _runs(ann) == [("hello from dan", True)]
    assert _people(ann)[dan_id][0] == "Dan"


async def test_a_block_made_while_the_group_is_open_folds_their_messages_at_once(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch
):
    (_ann, ann_id), (_bob, bob_id), (cat, cat_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat"
    )
    group = _group_of(engine, ann_id, bob_id, cat_id)
    with Session(engine) as db:
        make_friends(db, bob_id, cat_id)
        send_text(db, bob_id, group, "from bob")
    await run(cat.open_conversation, group)
    assert _people(cat)[bob_id] == ["Bob", "", ""]
    pushed: list[tuple[set[int], Any]] = []

    async def recording(user_ids, _state_cls, change, **_options) -> list[str]:
        pushed.append((set(user_ids), change))
        return []

    monkeypatch.setattr(friends_state, "notify_users", recording)
    await run((await cat.get_state(FriendsState)).block, bob_id)
    # Every tab of both hears of it (this one too, once its own event is done).
    (change,) = [change for users, change in pushed if users == {cat_id, bob_id}]
    await change(cat)
    assert _people(cat)[bob_id] == ["bob", "", BLOCKED]


async def test_the_people_look_up_stays_bounded(tab_factory, engine, monkeypatch):
    monkeypatch.setattr(group_timeline, "SENDERS_KEPT", 2)
    (ann, ann_id), (_bob, bob_id), (_cat, cat_id), (_dan, dan_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat", "dan"
    )
    group = _group_of(engine, ann_id, bob_id, cat_id)
    with Session(engine) as db:
        send_text(db, bob_id, group, "from bob")
        make_friends(db, ann_id, dan_id)
    await run(ann.open_conversation, group)
    assert set(_people(ann)) == {bob_id, cat_id}
    with Session(engine) as db:
        group_members.add_members(
            session=db, actor_id=ann_id, conversation_id=group, user_ids=[dan_id]
        )
        from_dan = send_text(db, dan_id, group, "from dan").message
    await ann._receive(from_dan, group, "Dan", True)
    # Past the bound, only the senders of what the tab shows are kept.
    assert set(_people(ann)) == {bob_id, dan_id}
    assert _runs(ann) == [("from bob", True), ("from dan", True)]


@pytest.fixture
def record_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Every read of stored system records a tab makes: the seqs it asked for."""
    return _calls(monkeypatch, history, "system_records", "seqs")


async def test_a_language_switch_writes_the_open_groups_lines_again(
    tab_factory, engine, record_reads
):
    (_ann, ann_id), (bob, bob_id), (_cat, cat_id), (_dan, dan_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat", "dan"
    )
    group = _group_of(engine, ann_id, bob_id, cat_id, dan_id)
    with Session(engine) as db:
        group_members.remove_member(
            session=db, actor_id=ann_id, conversation_id=group, user_id=dan_id
        )
        send_text(db, cat_id, group, "hello")
    await _set_language(bob, "en")
    await run(bob.open_conversation, group)
    # One more line arrives live (a slot, not the window).
    with Session(engine) as db:
        group_members.add_members(
            session=db, actor_id=ann_id, conversation_id=group, user_ids=[dan_id]
        )
        await bob._receive(_newest(db, bob_id, group), group, "Ann", False)
    assert _lines(bob) == [
        "Ann created the group “Team” with you, Cat and Dan",
        "Ann removed Dan",
        "Ann added Dan",
    ]

    bob.dirty_vars.clear()
    await _set_language(bob, "zh")
    await run(bob.follow_language)
    assert _lines(bob) == [
        "Ann创建了群聊“Team”\uff0c成员有你、Cat和Dan",
        "Ann将Dan移出了群聊",
        "Ann邀请Dan加入了群聊",
    ]
    assert _runs(bob) == [("hello", True)]  # an ordinary message as it was
    # Re-sent: the window and the one slot holding a line (no look-up: all names known).
    sent = {name.removesuffix("_rx_state_") for name in bob.get_delta()[bob.get_full_name()]}
    assert sent == {"window", SLOT_NAMES[0]}
    assert len(record_reads) == 1
    await run(bob.follow_language)  # already in the tab's language: no query
    assert len(record_reads) == 1

    # A block made since keeps only the senders the tab shows; the lines still get names.
    await group_timeline.blocks_changed((bob_id, ann_id))(bob)
    assert set(_people(bob)) == {cat_id}
    await _set_language(bob, "en")
    await run(bob.follow_language)
    assert _lines(bob)[-1] == "Ann added Dan"


async def test_a_language_switch_costs_a_direct_chat_nothing_and_needs_a_session(
    tab_factory, engine, record_reads
):
    (ann, ann_id), (_bob, bob_id) = await named_tabs(tab_factory, "ann", "bob")
    group = _group_of(engine, ann_id, bob_id)
    with Session(engine) as db:
        direct = conversations.direct_with(session=db, viewer_id=ann_id, friend_id=bob_id)
        send_text(db, bob_id, direct, "one")
    await _set_language(ann, "en")
    await run(ann.open_conversation, direct)
    await _set_language(ann, "zh")
    await run(ann.follow_language)
    assert [m.body for m in _shown(ann)] == ["one"]
    assert record_reads == []

    await run(ann.open_conversation, group)
    await _set_language(ann, "en")
    (await ann.get_state(AuthState)).session_token = "revoked"
    assert redirect_targets(await run(ann.follow_language)) == ["/auth"]
    assert record_reads == []
    # Nothing read or written: the guard sends the tab to log in and, as for any handler,
    # forgets what it showed the previous user.
    assert _lines(ann) == []


def test_a_tab_may_ask_for_every_line_it_can_hold():
    assert WINDOW_MAX + len(SLOT_NAMES) <= history.MOST_SEQS
