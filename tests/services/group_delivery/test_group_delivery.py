"""Sending and reading a group: the one code path of a direct chat, by membership.

A member reads the messages in (joined_seq, left_seq]; only a current member sends, and a
message goes to the other current members; a user who was never a member gets NotFound,
like a made-up id.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, update

from chat_app.models import ConversationMember, utc_now
from chat_app.services import (
    conversations,
    database,
    direct_sql,
    friend_pane,
    friends,
    group_events,
    group_members,
    history,
    read_cursors,
    send_statements,
    sending,
    summaries,
)
from chat_app.services.errors import NotFound, Refused
from tests.support.delivery import mark, remove, unread
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


def seqs(messages) -> list[int]:
    return [message.seq for message in messages]


def page_seqs(session: Session, viewer: int, group: int, before: int | None = None) -> list[int]:
    page = history.history(
        session=session, viewer_id=viewer, conversation_id=group, before_seq=before
    )
    return seqs(page.messages)


def after(session: Session, viewer: int, group: int, seq: int) -> list[int]:
    found = history.messages_after(
        session=session, viewer_id=viewer, conversation_id=group, after_seq=seq
    )
    return seqs(found)


# ----- sending -----


def test_a_message_goes_to_the_other_current_members(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    sent = send_text(session, bob, group, "hello all")
    assert sent.created
    assert (sent.conversation_id, sent.sender_id) == (group, bob)
    assert sorted(sent.recipient_ids) == sorted([ann, cat])
    remove(session, ann, group, cat)
    assert send_text(session, bob, group).recipient_ids == (ann,)


def test_a_retry_after_a_removal_returns_the_stored_message_and_nothing_new(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    first = sending.send_message(
        session=session, viewer_id=cat, conversation_id=group, client_id="c-1", body="x"
    )
    remove(session, ann, group, cat)
    again = sending.send_message(
        session=session, viewer_id=cat, conversation_id=group, client_id="c-1", body="x"
    )
    assert (again.created, again.message.seq) == (False, first.message.seq)
    assert sorted(again.recipient_ids) == sorted([ann, bob])


def test_a_removed_or_departed_member_cannot_send(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    remove(session, ann, group, cat)
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    for departed in (bob, cat):
        last = history.history(session=session, viewer_id=ann, conversation_id=group).last_seq
        with pytest.raises(Refused) as raised:
            send_text(session, departed, group)
        assert raised.value.code == "conversation_gone"
        assert (
            history.history(session=session, viewer_id=ann, conversation_id=group).last_seq == last
        )


def test_a_removal_committed_just_before_the_lock_refuses_the_send(
    session, engine, users, group, monkeypatch
):
    """cat's send is on its way; the owner removes cat just before its locking statement."""
    ann, cat = users["ann"], users["cat"]
    run = direct_sql.run

    def owner_removes_first(connection, statement, parameters):
        if statement is send_statements.NEXT_SEQ_WITH_CHECKS:
            with database.session_scope(engine) as other:
                remove(other, ann, group, cat)
        return run(connection, statement, parameters)

    monkeypatch.setattr(direct_sql, "run", owner_removes_first)
    with pytest.raises(Refused) as raised:
        send_text(session, cat, group, "too late")
    assert raised.value.code == "conversation_gone"
    monkeypatch.undo()
    bodies = [
        m.body
        for m in history.history(session=session, viewer_id=ann, conversation_id=group).messages
    ]
    assert "too late" not in bodies
    # The refused send gave its seq back: the next message follows the removal's line.
    removal_seq = history.history(session=session, viewer_id=ann, conversation_id=group).last_seq
    assert send_text(session, ann, group).message.seq == removal_seq + 1


def test_a_block_between_two_members_does_not_stop_either_sending(session, users, group):
    bob, cat = users["bob"], users["cat"]
    friends.block_user(session=session, viewer_id=cat, target_id=bob)
    assert cat in send_text(session, bob, group).recipient_ids
    assert bob in send_text(session, cat, group).recipient_ids


def test_a_block_still_refuses_in_the_direct_conversation(session, users):
    ann, bob = users["ann"], users["bob"]
    direct = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    assert send_text(session, ann, direct).recipient_ids == (bob,)
    friends.block_user(session=session, viewer_id=bob, target_id=ann)
    with pytest.raises(Refused) as raised:
        send_text(session, ann, direct)
    assert raised.value.code == "not_friends"


# ----- reading -----


def test_a_removed_member_reads_up_to_the_removal_and_nothing_after(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    send_text(session, ann, group)  # 2
    remove(session, ann, group, cat)  # 3: cat's last
    send_text(session, bob, group)  # 4
    assert page_seqs(session, cat, group) == [1, 2, 3]
    assert page_seqs(session, cat, group, before=10) == [1, 2, 3]
    assert after(session, cat, group, 0) == [1, 2, 3]
    assert after(session, cat, group, 3) == []
    page = history.history(session=session, viewer_id=cat, conversation_id=group)
    assert (page.last_seq, page.kind, page.friend.user_id) == (3, "group", 0)
    assert page_seqs(session, bob, group) == [1, 2, 3, 4]
    assert after(session, bob, group, 3) == [4]


def test_a_member_added_later_reads_from_the_line_that_added_them(session, users, group):
    ann, bob, dan = users["ann"], users["bob"], users["dan"]
    send_text(session, bob, group, "before dan")  # 2
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[dan])
    send_text(session, bob, group, "with dan")  # 4
    assert page_seqs(session, dan, group) == [3, 4]
    assert page_seqs(session, dan, group, before=4) == [3]
    assert not history.history(session=session, viewer_id=dan, conversation_id=group).has_older
    assert after(session, dan, group, 0) == [3, 4]
    assert unread(session, dan, group) == 1
    assert read_cursors.first_unread(session=session, viewer_id=dan, conversation_id=group) == 4


def test_a_group_is_listed_once_and_never_as_a_past_direct_conversation(
    session, users, group, monkeypatch
):
    bob, cat = users["bob"], users["cat"]
    bob_cat = conversations.direct_with(session=session, viewer_id=cat, friend_id=bob)
    send_text(session, cat, bob_cat)
    friends.remove_friend(session=session, viewer_id=cat, friend_id=bob)
    send_text(session, bob, group)  # the group is cat's most recent conversation
    listed = summaries.summaries(session=session, viewer_id=cat)
    assert [(s.kind, s.friend_id) for s in listed if s.conversation_id == group] == [("group", 0)]
    monkeypatch.setattr(friend_pane, "PAST_MAX", 1)
    past = friend_pane.snapshot(session=session, user_id=cat).past
    assert [(c.user_id, c.conversation_id) for c in past] == [(bob, bob_cat)]


@pytest.mark.parametrize("who", ["eve", "dan"])
def test_a_user_who_was_never_a_member_gets_not_found_everywhere(session, users, group, who):
    outsider = users[who]
    send_text(session, users["ann"], group)
    calls = [
        lambda: history.history(session=session, viewer_id=outsider, conversation_id=group),
        lambda: after(session, outsider, group, 0),
        lambda: read_cursors.first_unread(
            session=session, viewer_id=outsider, conversation_id=group
        ),
        lambda: mark(session, outsider, group, 2),
        lambda: read_cursors.readers(
            session=session, viewer_id=outsider, conversation_id=group, seq=2
        ),
        lambda: send_text(session, outsider, group),
        lambda: conversations.member_of(session, outsider, group),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert group not in {
        s.conversation_id for s in summaries.summaries(session=session, viewer_id=outsider)
    }


def test_a_removal_committed_while_the_send_waits_for_the_lock_refuses_it(
    session, engine, users, group
):
    """The owner holds the group's lock with cat removed; cat's send waits, then is refused.

    On PostgreSQL the send is seen waiting for the row lock before the removal commits: a
    membership read inside the locking UPDATE would use the snapshot from before the wait
    and let the message in after cat's last line.
    """
    ann, cat = users["ann"], users["cat"]
    outcome: list[object] = []
    with database.session_scope(engine) as remover:
        seq = group_events.next_seq(remover, group, utc_now())
        remover.exec(
            update(ConversationMember)
            .where(
                col(ConversationMember.conversation_id) == group,
                col(ConversationMember.user_id) == cat,
            )
            .values(left_at=utc_now(), left_seq=seq)
        )

        def cat_sends() -> None:
            with database.session_scope(engine) as own:
                try:
                    outcome.append(send_text(own, cat, group, "while waiting"))
                except Refused as refusal:
                    outcome.append(refusal)

        sender = threading.Thread(target=cat_sends)
        sender.start()
        if engine.dialect.name == "postgresql":
            _wait_until_a_statement_waits_for_a_lock(session)
        remover.commit()
    sender.join(timeout=30)
    assert not sender.is_alive()
    [refused] = outcome
    assert isinstance(refused, Refused)
    assert refused.code == "conversation_gone"
    bodies = [
        m.body
        for m in history.history(session=session, viewer_id=ann, conversation_id=group).messages
    ]
    assert "while waiting" not in bodies


def _wait_until_a_statement_waits_for_a_lock(session: Session) -> None:
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE 'UPDATE conversation%'"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        session.rollback()
        if session.connection().execute(waiting).scalar():
            return
        time.sleep(0.01)
    raise AssertionError("the send never waited for the group's lock")
