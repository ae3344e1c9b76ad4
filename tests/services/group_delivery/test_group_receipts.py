"""Unread counts, read receipts, readers and files in a group, by membership.

Unread counts the messages from others inside the member's range, system lines left out;
a receipt goes to the other current members but those in a block with the reader;
and `readers` answers "Read by N".
"""

from __future__ import annotations

import pytest

from chat_app.services import friends, groups, read_cursors, summaries
from chat_app.services.errors import NotFound
from chat_app.services.read_cursors import ReadRequest
from chat_app.services.read_views import ReadReceipt
from tests.support.delivery import mark, remove, unread
from tests.support.groups import make_group, make_people
from tests.support.sql import statements_run
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


# ----- unread and receipts -----


def test_unread_counts_are_per_member_and_leave_out_system_lines(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    send_text(session, ann, group)  # 2
    send_text(session, ann, group)  # 3
    send_text(session, bob, group)  # 4
    assert (unread(session, ann, group), unread(session, bob, group)) == (1, 2)
    assert unread(session, cat, group) == 3
    assert read_cursors.first_unread(session=session, viewer_id=bob, conversation_id=group) == 2
    receipt = mark(session, bob, group, 2)
    assert receipt is not None
    assert (receipt.seq, receipt.unread_left, receipt.friend_id) == (2, 1, 0)
    assert [user for user in (ann, bob, cat) if receipt.heard_by(user)] == [ann, cat]
    assert unread(session, bob, group) == 1
    # A rename is a system line: nobody has a new message to read.
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Renamed")
    assert (unread(session, ann, group), unread(session, bob, group)) == (1, 1)


def test_a_departed_members_unread_and_cursor_stop_where_they_left(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    send_text(session, ann, group)  # 2
    remove(session, ann, group, cat)  # 3
    send_text(session, bob, group)  # 4
    assert unread(session, cat, group) == 1
    [summary] = [
        s for s in summaries.summaries(session=session, viewer_id=cat) if s.kind == "group"
    ]
    assert (summary.conversation_id, summary.last_seq, summary.friend_id) == (group, 3, 0)
    receipt = mark(session, cat, group, 4)
    assert receipt is not None
    assert receipt.seq == 3
    assert not receipt.heard_by(ann)  # nobody hears from a departed member
    assert unread(session, cat, group) == 0
    assert mark(session, cat, group, 4) is None


def test_a_receipt_is_not_sent_to_members_in_a_block_with_the_reader(session, users, group):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    friends.block_user(session=session, viewer_id=cat, target_id=bob)
    # A block between ann and someone outside the group is no block with cat.
    friends.block_user(session=session, viewer_id=ann, target_id=dan)
    send_text(session, ann, group)
    receipt = mark(session, cat, group, 2)
    assert receipt is not None
    assert [user for user in (ann, bob) if receipt.heard_by(user)] == [ann]
    assert receipt.shared
    assert receipt.hidden_from == {bob}
    receipt = mark(session, bob, group, 2)
    assert receipt is not None
    assert [user for user in (ann, cat) if receipt.heard_by(user)] == [ann]


def test_a_groups_reads_at_one_moment_share_their_statements(session, engine):
    """A message read by every member a second after it came: one look, one move, one
    insert, however many members; each read still gets its own outcome."""
    names = " ".join(f"m{n}" for n in range(12))
    people = make_people(session, f"owner {names} out", " ".join(f"owner-m{n}" for n in range(12)))
    members = [people[f"m{n}"] for n in range(12)]
    group = make_group(session, people["owner"], *members)
    first = send_text(session, people["owner"], group).message.seq
    for member in members[:6]:  # half of them have a cursor already
        mark(session, member, group, first)
    remove(session, people["owner"], group, members[11])
    seq = send_text(session, people["owner"], group).message.seq
    requests = [ReadRequest(member, group, seq) for member in members]
    requests += [ReadRequest(members[0], group, seq), ReadRequest(people["out"], group, seq)]

    with statements_run(engine) as run:
        outcomes = read_cursors.mark_reads(session=session, requests=requests)

    work = [s for s in run if s.split()[0].upper() in ("SELECT", "INSERT", "UPDATE")]
    assert [s.split()[0].upper() for s in work] == ["SELECT", "INSERT", "UPDATE"], work
    receipts = outcomes[:11]
    assert all(isinstance(r, ReadReceipt) for r in receipts)
    assert [
        (r.reader_id, r.seq, r.unread_left) for r in receipts if isinstance(r, ReadReceipt)
    ] == [(member, seq, 0) for member in members[:11]]
    departed = outcomes[11]  # removed before the message: read up to the removal
    assert isinstance(departed, ReadReceipt)
    assert (departed.seq, departed.told) == (seq - 1, False)
    assert outcomes[12] is None  # the same reader again: moved already
    assert isinstance(outcomes[13], NotFound)  # not a member
    assert [unread(session, member, group) for member in members] == [0] * 12


def test_readers_are_the_members_whose_cursor_passed_the_message(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    seq = send_text(session, ann, group).message.seq

    def read_by(viewer: int = ann):
        found = read_cursors.readers(
            session=session, viewer_id=viewer, conversation_id=group, seq=seq
        )
        return found.reader_ids, found.member_count

    assert read_by() == ((), 2)
    mark(session, bob, group, seq)
    assert read_by() == ((bob,), 2)
    mark(session, cat, group, seq)
    assert read_by() == (tuple(sorted([bob, cat])), 2)
    # The sender is not their own reader; bob asks: cat has read it, out of cat.
    assert read_by(bob) == ((cat,), 1)
    friends.block_user(session=session, viewer_id=cat, target_id=ann)
    assert read_by() == ((bob,), 1)


def test_readers_refuse_a_seq_outside_the_askers_membership(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    remove(session, ann, group, cat)  # 2
    later = send_text(session, bob, group).message.seq
    for seq in (later, 0, -1, "2", None, 10**6):
        with pytest.raises(NotFound):
            read_cursors.readers(session=session, viewer_id=cat, conversation_id=group, seq=seq)
    found = read_cursors.readers(session=session, viewer_id=ann, conversation_id=group, seq=later)
    assert (found.reader_ids, found.member_count) == ((), 0)  # cat left before it
