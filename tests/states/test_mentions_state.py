"""Mentions and mute in a tab, handlers called directly (issue 19).

`@` offers the group's current members, picking puts the name in the draft and the send
stores the mention; the mentioned member's tab gets a toast (even muted), the row's `@`
until read, and the highlight. Without a session, as a non-member or with forged ids,
nothing changes.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pytest
from sqlmodel import Session, col, select

from chat_app.models import Block, ConversationMember, Mention, Message, ReadCursor, utc_now
from chat_app.services import history, sending
from chat_app.services.errors import RateLimited
from chat_app.settings import SETTINGS
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.friends import FriendsState
from chat_app.states.mention_picker import MentionPickerState, typed_mention
from chat_app.states.mention_picks import MentionPicksState
from chat_app.states.mute import MuteState
from chat_app.states.outbox import OutboxState
from chat_app.states.outbox_entries import Outbox, read
from chat_app.states.resend import ResendState
from chat_app.states.row_values import RowValues
from chat_app.states.unread import MENTION_BUCKETS, UnreadState
from tests.support.groups import make_group
from tests.support.tabs import conversation_with, logged_in_tab, run
from tests.support.toasts import toasts_of_specs
from tests.support.users import make_friends

Tabs = dict[str, tuple[ConversationState, int]]


async def _people(tab_factory, engine, *names: str) -> Tabs:
    """Conversation states of new users (each a friend of the first), with their ids."""
    made: Tabs = {}
    for name in names:
        friends = await logged_in_tab(tab_factory, name, f"{name}-tab")
        user_id = (await friends.get_state(AuthState))._user_id
        assert user_id is not None
        made[name] = (await friends.get_state(ConversationState), user_id)
    first = made[names[0]][1]
    with Session(engine) as session:
        for _, other in list(made.values())[1:]:
            make_friends(session, first, other)
    return made


async def _group(engine, tabs: Tabs, *names: str) -> int:
    ids = [tabs[name][1] for name in names]
    with Session(engine) as session:
        group = make_group(session, *ids)
    for name in names:
        tab = tabs[name][0]
        await run((await tab.get_state(ChatListState)).load)
        await run((await tab.get_state(UnreadState)).load)
    return group


async def _picker(tab: ConversationState) -> MentionPickerState:
    return await tab.get_state(MentionPickerState)


def _mentions(engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Mention.user_id).order_by(col(Mention.id))).all())


def test_only_an_at_at_the_end_after_a_space_starts_a_mention():
    assert typed_mention("hi @an") == "an"
    assert typed_mention("@") == ""
    assert typed_mention("mail@an") is None
    assert typed_mention("hi @an now") is None
    assert typed_mention("x " * 100 + "@" + "a" * 33) is None


async def test_at_offers_current_members_and_a_pick_is_stored_at_send(
    tab_factory, engine, arrivals
):
    tabs = await _people(tab_factory, engine, "ann", "bob", "cat", "dan")
    (ann, _), (bob, bob_id), (cat, cat_id) = tabs["ann"], tabs["bob"], tabs["cat"]
    group = await _group(engine, tabs, "ann", "bob", "cat", "dan")
    await run(ann.open_conversation, group)
    picker = await _picker(ann)
    await run(picker.follow_draft, "hello @")
    assert [o.nickname for o in picker.options] == ["Bob", "Cat", "Dan"]
    await run(picker.follow_draft, "hello @c")
    assert [o.user_id for o in picker.options] == [cat_id]
    # An id the list does not offer (a forged call) changes nothing.
    await run(picker.pick, bob_id)
    composer = await ann.get_state(ComposerState)
    assert picker.options == []
    await run(picker.follow_draft, "hello @c")
    composer.draft = "hello @c"
    await run(picker.pick, cat_id)
    assert composer.draft == "hello @Cat "
    assert picker.options == []

    await run(composer.send, {"body": composer.draft + "see this"})
    assert _mentions(engine) == [cat_id]
    # Cat's tab (the group not open): a mention toast and the row's `@`.
    (to_cat,) = [change for users, change in arrivals if users == [cat_id]]
    assert toasts_of_specs(await to_cat(cat)) == ["Ann mentioned you"]
    cat_unread = await cat.get_state(UnreadState)
    assert RowValues(cat_unread, MENTION_BUCKETS).get(group) == 1
    # Bob's plain toast; his push is the same message, without a highlight anywhere.
    (to_bob,) = [change for users, change in arrivals if bob_id in users]
    assert toasts_of_specs(await to_bob(bob)) == ["New message from Ann"]
    assert RowValues(await bob.get_state(UnreadState), MENTION_BUCKETS).get(group) == 0
    # Reading it clears the mark; a reload keeps it until then.
    await run(cat.open_conversation, group)
    for _settled_then_read in range(2):
        await run(cat.reader_at_bottom)
    await run(cat_unread.load)
    assert RowValues(cat_unread, MENTION_BUCKETS).get(group) == 0


def _bodies(engine) -> list[str]:
    with Session(engine) as session:
        query = select(Message.body).where(Message.kind == "text").order_by(col(Message.id))
        return list(session.exec(query).all())


async def _writing_in_group(
    tab_factory, engine, *names: str
) -> tuple[Tabs, int, MentionPickerState, ComposerState]:
    """A group of these users open in the first one's tab, with its picker and composer."""
    tabs = await _people(tab_factory, engine, *names)
    group = await _group(engine, tabs, *names)
    writer = tabs[names[0]][0]
    await run(writer.open_conversation, group)
    return tabs, group, await _picker(writer), await writer.get_state(ComposerState)


async def test_enter_on_a_name_being_typed_puts_the_first_member_in_and_sends_nothing(
    tab_factory, engine, arrivals
):
    names = ("ann", "bob", "cat", "carl")
    tabs, group, picker, composer = await _writing_in_group(tab_factory, engine, *names)
    await run(picker.follow_draft, "hello @c")
    assert [o.nickname for o in picker.options] == ["Carl", "Cat"]
    # Enter on "@ca" before the list caught up with the "a": the members are found again.
    composer.draft = "hello @ca"
    await run(composer.send, {"body": "hello @ca", "conversation_id": str(group)})
    assert composer.draft == "hello @Carl "
    assert picker.options == []
    assert _bodies(engine) == []
    # The name put in is a pick like a click's: Enter again sends it, mentioning Carl.
    await run(composer.send, {"body": "hello @Carl ", "conversation_id": str(group)})
    assert _bodies(engine) == ["hello @Carl "]
    assert _mentions(engine) == [tabs["carl"][1]]
    assert composer.draft == ""


async def test_enter_sends_when_no_member_matches_in_a_direct_chat_or_after_a_mention(
    tab_factory, engine, arrivals
):
    tabs, group, picker, composer = await _writing_in_group(tab_factory, engine, "ann", "bob")
    (ann, _), (_bob, bob_id) = tabs["ann"], tabs["bob"]
    await run(composer.send, {"body": "mail @zz", "conversation_id": str(group)})
    assert _bodies(engine) == ["mail @zz"]
    # A mention completed earlier, and no `@` being typed at the end: sent at once.
    await run(picker.follow_draft, "@b")
    composer.draft = "@b"
    await run(picker.pick, bob_id)
    await run(composer.send, {"body": "@Bob see this", "conversation_id": str(group)})
    assert _bodies(engine)[-1] == "@Bob see this"
    assert _mentions(engine) == [bob_id]
    # A direct chat offers nobody after `@`: Enter sends.
    direct = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, direct)
    await run(composer.send, {"body": "hi @b", "conversation_id": str(direct)})
    assert _bodies(engine)[-1] == "hi @b"
    assert composer.draft == ""


async def test_a_mention_toasts_and_highlights_even_when_muted_a_plain_message_does_not(
    tab_factory, engine, arrivals
):
    tabs = await _people(tab_factory, engine, "ann", "bob")
    (ann, _), (bob, bob_id) = tabs["ann"], tabs["bob"]
    group = await _group(engine, tabs, "ann", "bob")
    mute = await bob.get_state(MuteState)
    await run(mute.set_muted, group, True)
    assert mute.muted_ids == [group]
    await run(ann.open_conversation, group)
    composer = await ann.get_state(ComposerState)
    await run(composer.send, {"body": "quiet"})
    (plain,) = [change for users, change in arrivals if users == [bob_id]]
    assert toasts_of_specs(await plain(bob)) == []
    bob_unread = await bob.get_state(UnreadState)
    assert bob_unread._unread(group) == 1
    # The row counts it (greyed), the tab's title does not: nothing calls for attention.
    assert bob_unread.unread_total == 0
    await run(mute.set_muted, group, False)
    assert bob_unread.unread_total == 1
    await run(mute.set_muted, group, True)
    assert bob_unread.unread_total == 0

    async def mention_bob() -> list[str]:
        arrivals.clear()
        picker = await _picker(ann)
        await run(picker.follow_draft, "@b")
        composer.draft = "@b"
        await run(picker.pick, bob_id)
        await run(composer.send, {"body": composer.draft})
        (mention,) = [change for users, change in arrivals if users == [bob_id]]
        return toasts_of_specs(await mention(bob))

    # Muted, the group not open: the mention still toasts (without a sound), and the title
    # counts the conversation's unread messages again.
    assert await mention_bob() == ["Ann mentioned you"]
    assert (bob_unread._unread(group), bob_unread.unread_total) == (2, 2)
    assert bob.mentioned_seqs == []
    # Opened, the earlier mention is highlighted (read from its Mention row), and a new
    # one as it arrives.
    await run(bob.open_conversation, group)
    earlier = bob._buffer().last_seq()
    assert list(bob.mentioned_seqs) == [earlier]
    assert await mention_bob() == []
    assert list(bob.mentioned_seqs) == [earlier, bob._buffer().last_seq()]
    # Ann's own tab, the same page: nothing of hers is highlighted.
    await run(ann.open_conversation, group)
    assert ann.mentioned_seqs == []


async def test_no_suggestion_or_mention_between_a_blocked_pair(tab_factory, engine, arrivals):
    tabs = await _people(tab_factory, engine, "ann", "bob", "cat")
    (ann, ann_id), (_bob, bob_id), (cat, cat_id) = tabs["ann"], tabs["bob"], tabs["cat"]
    group = await _group(engine, tabs, "ann", "bob", "cat")
    with Session(engine) as session:
        session.add(Block(blocker_id=cat_id, blocked_id=ann_id, created_at=utc_now()))
        session.commit()
    await run(ann.open_conversation, group)
    picker = await _picker(ann)
    await run(picker.follow_draft, "@")
    assert [o.user_id for o in picker.options] == [bob_id]
    # A pick remembered by a forged path is still refused by the service at send.
    (await ann.get_state(MentionPicksState))._remember(group, cat_id, "Cat")
    await run((await ann.get_state(ComposerState)).send, {"body": "@Cat hi"})
    assert _mentions(engine) == []
    (to_cat,) = [change for users, change in arrivals if cat_id in users]
    assert "mentioned" not in " ".join(toasts_of_specs(await to_cat(cat)))


async def test_without_a_session_or_as_a_non_member_nothing_changes(tab_factory, engine):
    tabs = await _people(tab_factory, engine, "ann", "bob", "eve")
    (ann, _), (eve, _eve_id) = tabs["ann"], tabs["eve"]
    group = await _group(engine, tabs, "ann", "bob")
    # Eve's tab made to believe the group is open (a stale or forged state).
    eve.conversation_id = group
    eve._group_ids = frozenset({group})
    picker = await _picker(eve)
    await run(picker.follow_draft, "@")
    assert picker.options == []
    mute = await eve.get_state(MuteState)
    for args in ((group, True), ("1", True), (group, "yes"), (None, None), (10**30, True)):
        await run(mute.set_muted, *args)
    assert mute.muted_ids == []
    # Ann signed out: her handlers change nothing and send the tab to /auth.
    await run(ann.open_conversation, group)
    (await ann.get_state(AuthState)).session_token = "revoked"
    ann_picker = await _picker(ann)
    await run(ann_picker.follow_draft, "@")
    assert ann_picker.options == []
    ann_mute = await ann.get_state(MuteState)
    await run(ann_mute.set_muted, group, True)
    assert ann_mute.muted_ids == []
    assert _mentions(engine) == []
    with Session(engine) as session:
        muted = session.exec(select(ConversationMember).where(ConversationMember.muted)).all()
        assert muted == []


async def _failed_mention(
    tab_factory, engine, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> tuple[ConversationState, int, int]:
    """Ann's tab after her message picking Bob was not stored (`error`); the group and Bob."""
    tabs = await _people(tab_factory, engine, "ann", "bob")
    (ann, _), (_bob, bob_id) = tabs["ann"], tabs["bob"]
    group = await _group(engine, tabs, "ann", "bob")
    await run(ann.open_conversation, group)
    picker = await _picker(ann)
    composer = await ann.get_state(ComposerState)
    await run(picker.follow_draft, "@b")
    composer.draft = "@b"
    await run(picker.pick, bob_id)

    def failing(**kwargs):
        raise error

    real_send = sending.send_message
    monkeypatch.setattr(sending, "send_message", failing)
    await run(composer.send, {"body": composer.draft + "hi"})
    monkeypatch.setattr(sending, "send_message", real_send)
    (failed,) = ann._buffer().pending_copies
    assert failed.status == "failed"
    assert _mentions(engine) == []
    return ann, group, bob_id


async def _restarted(
    tab_factory, old: ConversationState, group: int, outbox: str
) -> ConversationState:
    """A fresh server state for Ann's tab (no picks known), given her browser's storage."""
    fresh_root = tab_factory(FriendsState, token="ann-tab-restarted")
    auth = await fresh_root.get_state(AuthState)
    auth.session_token = (await old.get_state(AuthState)).session_token
    (await fresh_root.get_state(OutboxState)).outbox = outbox
    fresh = await fresh_root.get_state(ConversationState)
    fresh.open_conversation_store = str(group)
    await run(fresh.load)
    assert (await fresh.get_state(MentionPicksState))._picked == {}
    return fresh


async def test_a_failed_mention_is_a_mention_again_when_retried_after_a_restart(
    tab_factory, engine, arrivals, monkeypatch: pytest.MonkeyPatch
):
    error = RateLimited("too_many_messages")
    ann, group, bob_id = await _failed_mention(tab_factory, engine, monkeypatch, error)
    fresh = await _restarted(tab_factory, ann, group, (await ann.get_state(OutboxState)).outbox)
    await run((await fresh.get_state(ResendState)).resume)
    (failed,) = fresh._buffer().pending_copies
    await run((await fresh.get_state(ComposerState)).retry, failed.client_id)
    assert _mentions(engine) == [bob_id]
    assert fresh._buffer().stored()[-1].body == "@Bob hi"


async def test_a_mention_waiting_in_the_outbox_is_stored_by_the_resend_after_a_restart(
    tab_factory, engine, arrivals, monkeypatch: pytest.MonkeyPatch
):
    error = OSError("database unreachable")
    ann, group, bob_id = await _failed_mention(tab_factory, engine, monkeypatch, error)
    # The server died before storing it: the browser's outbox still holds it, waiting.
    kept = read((await ann.get_state(OutboxState)).outbox, ann.my_id).entries
    fresh = await _restarted(
        tab_factory, ann, group, Outbox([entry.sending() for entry in kept]).encode()
    )
    resend = await fresh.get_state(ResendState)
    assert [event.fn.__name__ for event in await run(resend.resume)] == ["resend_unsent"]
    # A background handler: Reflex runs its function with the state (a proxy there).
    await run(partial(ResendState.event_handlers["resend_unsent"].fn, resend))
    assert _mentions(engine) == [bob_id]
    last = fresh._buffer().stored()[-1]
    assert (last.body, last.status) == ("@Bob hi", "sent")
    assert fresh._buffer().pending_copies == []


async def test_a_mention_on_an_older_page_is_highlighted_when_that_page_loads(
    tab_factory, engine, arrivals
):
    tabs = await _people(tab_factory, engine, "ann", "bob")
    (_ann, ann_id), (bob, bob_id) = tabs["ann"], tabs["bob"]
    group = await _group(engine, tabs, "ann", "bob")
    settings = replace(SETTINGS, message_rate_count=1_000)
    with Session(engine) as session:
        mention = sending.send_message(
            session=session,
            viewer_id=ann_id,
            conversation_id=group,
            client_id="m" * 32,
            body="@Bob look",
            mentioned=[bob_id],
            settings=settings,
        )
        for number in range(history.PAGE_SIZE + 5):
            sending.send_message(
                session=session,
                viewer_id=ann_id,
                conversation_id=group,
                client_id=f"{number:032d}",
                body=f"filler {number}",
                settings=settings,
            )
        # Bob read it all before: the conversation opens on its newest page.
        newest = mention.message.seq + history.PAGE_SIZE + 5
        session.add(
            ReadCursor(
                user_id=bob_id, conversation_id=group, last_read_seq=newest, shared_seq=newest
            )
        )
        session.commit()
    await run(bob.open_conversation, group)
    assert bob.mentioned_seqs == []  # the mention is above the first page
    await run(bob.load_older)
    assert list(bob.mentioned_seqs) == [mention.message.seq]
