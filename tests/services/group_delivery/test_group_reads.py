"""'Read by N', 'Read' and who read a message in a group; who hears a member typing.

"Read by N" counts the current other members whose read cursor is at or past the sender's
message (and who joined before it), but those in a block with the sender; "Read" is all
of them. Who read it is paged on the server and answered to the sender alone.
"""

from __future__ import annotations

import pytest

from chat_app.models import Friendship, utc_now
from chat_app.services import friends, group_members, group_reads, group_typing
from chat_app.services.errors import NotFound
from chat_app.services.group_reads import READ_BY_ALL
from tests.support.delivery import mark, remove
from tests.support.groups import make_group
from tests.support.users import make_user, send_text

pytestmark = pytest.mark.both_databases


def counts(session, viewer: int, group: int, *seqs: int) -> dict[int, int]:
    return group_reads.read_counts(
        session=session, viewer_id=viewer, conversation_id=group, seqs=list(seqs)
    )


def reader_ids(session, viewer: int, group: object, seq: object, **paging: object) -> list[int]:
    page = group_reads.readers_page(
        session=session, viewer_id=viewer, conversation_id=group, seq=seq, **paging
    )
    return [reader.user_id for reader in page.readers]


# ----- "Read by N" and "Read" -----


def test_read_by_counts_the_members_past_each_message_and_read_when_all_are(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    first = send_text(session, ann, group).message.seq
    second = send_text(session, ann, group).message.seq
    assert counts(session, ann, group, first, second) == {}  # "Sent" on both
    mark(session, bob, group, first)
    assert counts(session, ann, group, first, second) == {first: 1}
    mark(session, cat, group, second)
    assert counts(session, ann, group, first, second) == {first: READ_BY_ALL, second: 1}
    mark(session, bob, group, second)
    assert counts(session, ann, group, first, second) == {
        first: READ_BY_ALL,
        second: READ_BY_ALL,
    }


def test_only_the_senders_own_messages_are_counted(session, users, group):
    ann, bob = users["ann"], users["bob"]
    seq = send_text(session, ann, group).message.seq
    mark(session, users["cat"], group, seq)
    # bob asks about ann's message, and about seqs that are nobody's: nothing.
    assert counts(session, bob, group, seq, 1, 999) == {}
    # ann's own "created" line is no message with readers.
    assert counts(session, ann, group, seq, 1) == {seq: 1}


@pytest.mark.parametrize("seqs", [None, "1,2", [True], ["2"], [-1, 0], [2**70], {"2": 1}])
def test_malformed_seqs_count_nothing(session, users, group, seqs):
    seq = send_text(session, users["ann"], group).message.seq
    mark(session, users["bob"], group, seq)
    assert (
        group_reads.read_counts(
            session=session, viewer_id=users["ann"], conversation_id=group, seqs=seqs
        )
        == {}
    )


def test_counts_look_at_a_bounded_number_of_seqs(session, users, group):
    ann = users["ann"]
    seq = send_text(session, ann, group).message.seq
    mark(session, users["bob"], group, seq)
    # The message is past the first SEQS_MAX asked for: not looked at.
    padding = list(range(10_000, 10_000 + group_reads.SEQS_MAX))
    assert counts(session, ann, group, *padding, seq) == {}
    assert counts(session, ann, group, seq, *padding) == {seq: 1}


def test_a_member_in_a_block_with_the_sender_is_left_out_either_way(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    seq = send_text(session, ann, group).message.seq
    mark(session, cat, group, seq)
    friends.block_user(session=session, viewer_id=cat, target_id=ann)
    # cat's read does not reach ann, and nobody else has read it yet.
    assert counts(session, ann, group, seq) == {}
    assert reader_ids(session, ann, group, seq) == []
    mark(session, bob, group, seq)
    assert counts(session, ann, group, seq) == {seq: READ_BY_ALL}
    assert reader_ids(session, ann, group, seq) == [bob]
    friends.unblock_user(session=session, viewer_id=cat, target_id=ann)
    assert sorted(reader_ids(session, ann, group, seq)) == sorted([bob, cat])


def test_the_blocker_side_is_left_out_too(session, users, group):
    ann, bob = users["ann"], users["bob"]
    seq = send_text(session, ann, group).message.seq
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    mark(session, bob, group, seq)
    assert counts(session, ann, group, seq) == {}
    assert reader_ids(session, ann, group, seq) == []


def test_departed_members_neither_count_nor_hear(session, users, group):
    ann, bob, cat = users["ann"], users["bob"], users["cat"]
    seq = send_text(session, ann, group).message.seq
    mark(session, bob, group, seq)
    assert counts(session, ann, group, seq) == {seq: 1}
    remove(session, ann, group, users["cat"])
    # Everyone still in the group has read it.
    assert counts(session, ann, group, seq) == {seq: READ_BY_ALL}
    own = send_text(session, bob, group).message.seq
    mark(session, ann, group, own)
    remove(session, ann, group, bob)
    # bob left: his own messages get no receipts, and he is nobody's reader any more.
    assert counts(session, bob, group, own) == {}
    with pytest.raises(NotFound):
        reader_ids(session, bob, group, own)
    assert reader_ids(session, ann, group, seq) == []
    assert cat not in reader_ids(session, ann, group, seq)


def test_a_member_who_joined_after_a_message_is_not_waited_for(session, users, group):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    seq = send_text(session, ann, group).message.seq
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[dan])
    later = send_text(session, ann, group).message.seq
    for reader in (bob, cat, dan):
        mark(session, reader, group, later)
    assert counts(session, ann, group, seq, later) == {seq: READ_BY_ALL, later: READ_BY_ALL}
    assert sorted(reader_ids(session, ann, group, seq)) == sorted([bob, cat])
    assert sorted(reader_ids(session, ann, group, later)) == sorted([bob, cat, dan])


# ----- who read it -----


def test_who_read_is_paged_on_the_server(session, users):
    ann = users["ann"]
    crowd = []
    for index in range(25):
        member = make_user(session, f"reader{index}")
        # Stored directly: asking 25 people in a row is over the request limit.
        session.add(Friendship(user_low_id=ann, user_high_id=member, created_at=utc_now()))
        crowd.append(member)
    session.commit()
    group = make_group(session, ann, *crowd)
    seq = send_text(session, ann, group).message.seq
    for member in crowd[:23]:
        mark(session, member, group, seq)
    assert counts(session, ann, group, seq) == {seq: 23}
    page = group_reads.readers_page(
        session=session, viewer_id=ann, conversation_id=group, seq=seq, limit=10
    )
    assert [r.user_id for r in page.readers] == sorted(crowd[:23])[:10]
    assert page.has_more
    assert page.readers[0].nickname == "Reader0"
    seen = [r.user_id for r in page.readers]
    while page.has_more:
        page = group_reads.readers_page(
            session=session,
            viewer_id=ann,
            conversation_id=group,
            seq=seq,
            after_id=seen[-1],
            limit=10,
        )
        seen += [r.user_id for r in page.readers]
    assert seen == sorted(crowd[:23])
    # However many are asked for, a page holds at most READERS_PAGE_MAX (50).
    assert len(reader_ids(session, ann, group, seq, limit=10**9)) == 23
    # Anything but a number is the default page from the start; numbers are bounded.
    for bad in ("10", None, True, [1]):
        assert reader_ids(session, ann, group, seq, limit=bad, after_id=bad) == seen[:20]
    assert reader_ids(session, ann, group, seq, limit=-5, after_id=-5) == seen[:1]
    assert reader_ids(session, ann, group, seq, after_id=2**70) == seen[:20]


def test_who_read_answers_the_sender_alone(session, users, group):
    ann, bob, eve = users["ann"], users["bob"], users["eve"]
    seq = send_text(session, ann, group).message.seq
    mark(session, bob, group, seq)
    assert reader_ids(session, ann, group, seq) == [bob]
    # Another member, a non-member, forged ids and seqs: nothing.
    for viewer, conversation, asked in (
        (bob, group, seq),
        (eve, group, seq),
        (ann, group + 1000, seq),
        (ann, "1", seq),
        (ann, group, str(seq)),
        (ann, group, None),
        (ann, group, 10**6),
        (ann, group, 1),  # the "created" line: not ann's message
    ):
        with pytest.raises(NotFound):
            reader_ids(session, viewer, conversation, asked)
    with pytest.raises(NotFound):
        counts(session, eve, group, seq)


def test_the_senders_of_a_range_of_reads(session, users, group):
    ann, bob = users["ann"], users["bob"]
    first = send_text(session, ann, group).message.seq
    second = send_text(session, bob, group).message.seq
    between = group_reads.senders_between
    assert between(session=session, conversation_id=group, after_seq=0, up_to_seq=second) == {
        ann,
        bob,
    }
    assert between(session=session, conversation_id=group, after_seq=first, up_to_seq=second) == {
        bob
    }
    # The "created" line is nobody's to be read.
    assert between(session=session, conversation_id=group, after_seq=0, up_to_seq=1) == set()


# ----- typing -----


def test_typing_reaches_current_members_and_never_crosses_a_block(session, users, group):
    ann, bob, cat, dan = users["ann"], users["bob"], users["cat"], users["dan"]
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[dan])
    friends.block_user(session=session, viewer_id=cat, target_id=bob)
    remove(session, ann, group, dan)
    audience = group_typing.typing_audience(
        session=session, conversation_id=group, typer_ids=[bob, ann, dan]
    )
    assert audience.member_ids == tuple(sorted([ann, bob, cat]))  # dan left
    assert audience.heard_by(ann, [bob, ann, dan]) == (bob,)
    assert audience.heard_by(bob, [bob, ann, dan]) == (ann,)
    # cat blocked bob: neither hears the other (and a departed typer is heard by nobody).
    assert audience.heard_by(cat, [bob, ann, dan]) == (ann,)
    other_way = group_typing.typing_audience(
        session=session, conversation_id=group, typer_ids=[cat]
    )
    assert other_way.heard_by(bob, [cat]) == ()
    assert other_way.heard_by(ann, [cat]) == (cat,)
