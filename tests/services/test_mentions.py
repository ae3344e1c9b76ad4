"""Mentions and mute: who is suggested, who is stored as mentioned, and who muted a chat."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from chat_app.models import Block, Mention, utc_now
from chat_app.services import conversations, group_members, groups, mentions, read_cursors
from chat_app.services.errors import NotFound, Refused
from tests.support.groups import make_group, make_people
from tests.support.sql import statements_run
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    return make_people(session, "ann bob cat dan eve", "ann-bob ann-cat ann-dan ann-eve")


def send(session: Session, sender: int, chat: int, body: str, picked: object = ()):
    return send_text(session, sender, chat, body, mentioned=picked)


def stored_mentions(session: Session) -> list[tuple[int, int]]:
    session.rollback()
    rows = session.exec(select(Mention.message_id, Mention.user_id).order_by(col(Mention.id)))
    return [(message, user) for message, user in rows.all()]


def block(session: Session, blocker: int, blocked: int) -> None:
    session.add(Block(blocker_id=blocker, blocked_id=blocked, created_at=utc_now()))
    session.commit()


def test_suggestions_are_current_members_filtered_on_the_server(session, users):
    ann, bob, cat, dan, eve = (users[n] for n in ("ann", "bob", "cat", "dan", "eve"))
    group = make_group(session, ann, bob, cat, dan, eve)
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=eve)
    found = mentions.suggestions(session=session, viewer_id=bob, conversation_id=group, query="")
    # Never the writer, never a departed member.
    assert [c.user_id for c in found] == [ann, cat, dan]
    typed = mentions.suggestions(session=session, viewer_id=bob, conversation_id=group, query=" CA")
    assert [(c.user_id, c.nickname) for c in typed] == [(cat, "Cat")]
    for odd in (None, 5, ["a"], "%", "_" * 500):
        mentions.suggestions(session=session, viewer_id=bob, conversation_id=group, query=odd)


def test_suggestions_leave_out_a_blocked_pair_either_way(session, users):
    ann, bob, cat, dan = (users[n] for n in ("ann", "bob", "cat", "dan"))
    group = make_group(session, ann, bob, cat, dan)
    block(session, cat, bob)
    by_bob = mentions.suggestions(session=session, viewer_id=bob, conversation_id=group, query="")
    by_cat = mentions.suggestions(session=session, viewer_id=cat, conversation_id=group, query="")
    assert cat not in [c.user_id for c in by_bob]
    assert bob not in [c.user_id for c in by_cat]


def test_suggestions_are_refused_to_non_members_and_for_forged_ids(session, users):
    ann, bob, eve = users["ann"], users["bob"], users["eve"]
    group = make_group(session, ann, bob)
    for forged in (group, "x", None, -1, 10**30, [group]):
        with pytest.raises(NotFound):
            mentions.suggestions(session=session, viewer_id=eve, conversation_id=forged, query="")
    direct = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    with pytest.raises(NotFound):
        mentions.suggestions(session=session, viewer_id=ann, conversation_id=direct, query="")


def test_a_picked_member_still_named_in_the_text_is_stored_with_the_message(session, users):
    ann, bob, cat, dan = (users[n] for n in ("ann", "bob", "cat", "dan"))
    group = make_group(session, ann, bob, cat, dan)
    # Cat's name was deleted from the text after picking; Dan was never picked.
    sent = send(session, ann, group, "hi @Bob and @Dan", picked=[bob, cat, bob])
    assert sent.mentioned_ids == (bob,)
    (row,) = stored_mentions(session)
    assert row[1] == bob


def test_forged_departed_and_blocked_picks_are_ignored(session, users):
    ann, bob, cat, dan, eve = (users[n] for n in ("ann", "bob", "cat", "dan", "eve"))
    group = make_group(session, ann, bob, cat, dan)
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=dan)
    block(session, cat, ann)
    body = "@Bob @Cat @Dan @Eve @Ann"
    picked = [eve, dan, cat, ann, "x", True, -3, None, 10**30]
    sent = send(session, ann, group, body, picked=picked)
    assert sent.mentioned_ids == ()
    assert stored_mentions(session) == []
    for malformed in ("1,2", {"a": bob}, None, 7):
        assert send(session, ann, group, "@Bob", picked=malformed).mentioned_ids == ()
    assert stored_mentions(session) == []


def test_a_message_without_mentions_runs_no_extra_statement(session, users, engine):
    ann, bob = users["ann"], users["bob"]
    group = make_group(session, ann, bob)
    send(session, ann, group, "warm up")
    with statements_run(engine) as plain:
        send(session, ann, group, "hello @Bob")
    with statements_run(engine) as mentioning:
        send(session, ann, group, "hello @Bob", picked=[bob])
    work = [s for s in plain if s.split()[0].upper() in ("SELECT", "INSERT", "UPDATE")]
    # As many as tests/services/test_hot_path_statements.py counts for any message.
    assert len(work) == 2, plain
    assert len(mentioning) > len(plain)


def test_unread_mentions_mark_a_conversation_until_it_is_read(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    send(session, ann, group, "no mention")
    assert mentions.unread_mentions(session=session, viewer_id=bob) == frozenset()
    sent = send(session, ann, group, "@Bob look", picked=[bob])
    assert mentions.unread_mentions(session=session, viewer_id=bob) == {group}
    assert mentions.unread_mentions(session=session, viewer_id=cat) == frozenset()
    seq = sent.message.seq
    for viewer, highlighted in ((bob, (seq,)), (cat, ())):
        found = mentions.mentioned_seqs(
            session=session, viewer_id=viewer, conversation_id=group, from_seq=1, to_seq=seq
        )
        assert found == highlighted
    read_cursors.mark_read(
        session=session, viewer_id=bob, conversation_id=group, up_to_seq=sent.message.seq
    )
    assert mentions.unread_mentions(session=session, viewer_id=bob) == frozenset()


def test_mute_is_stored_for_either_kind_and_reaches_the_send(session, users):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    group = make_group(session, ann, bob, cat)
    direct = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    for chat in (group, direct):
        groups.set_muted(session=session, viewer_id=bob, conversation_id=chat, muted=True)
        assert send(session, ann, chat, "hi").muted_ids == {bob}
        groups.set_muted(session=session, viewer_id=bob, conversation_id=chat, muted=False)
        assert send(session, ann, chat, "hi").muted_ids == frozenset()
    with pytest.raises(Refused):
        groups.set_muted(session=session, viewer_id=bob, conversation_id=group, muted="yes")
    with pytest.raises(NotFound):
        groups.set_muted(session=session, viewer_id=users["eve"], conversation_id=group, muted=True)
    # A mention of a muted member is still stored (it toasts).
    groups.set_muted(session=session, viewer_id=bob, conversation_id=group, muted=True)
    sent = send(session, ann, group, "@Bob", picked=[bob])
    assert (sent.mentioned_ids, sent.muted_ids) == ((bob,), {bob})
    session.rollback()
    assert session.connection().execute(sa.select(sa.func.count()).select_from(Mention)).scalar()
