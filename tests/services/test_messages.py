"""Messages: ordering, idempotency, authorization, validation, history, read cursors."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from chat_app.models import Message, utc_now
from chat_app.services import (
    conversations,
    friend_pane,
    friends,
    history,
    read_cursors,
    sending,
    summaries,
)
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.settings import load_settings
from tests.support.users import make_friends, make_user

FAST = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})

pytestmark = pytest.mark.both_databases


@pytest.fixture
def pair(session: Session) -> tuple[int, int]:
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    return ann, bob


def chat(session: Session, viewer: int, other: object) -> int:
    """The viewer's conversation with `other`, as the friend list opens it."""
    return conversations.direct_with(session=session, viewer_id=viewer, friend_id=other)


def send(
    session: Session, sender: int, recipient: object, body: object = "hi", client_id=None, **kw
):
    return sending.send_message(
        session=session,
        viewer_id=sender,
        conversation_id=chat(session, sender, recipient),
        client_id=client_id or str(uuid.uuid4()),
        body=body,
        settings=kw.pop("settings", FAST),
        **kw,
    )


def message_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Message)).one()


def test_messages_are_numbered_in_order_and_read_back_the_same_for_both(session, pair):
    ann, bob = pair
    for n in range(5):
        send(session, ann if n % 2 == 0 else bob, bob if n % 2 == 0 else ann, f"m{n}")
    for viewer, other in ((ann, bob), (bob, ann)):
        page = history.history(
            session=session, viewer_id=viewer, conversation_id=chat(session, viewer, other)
        )
        assert [(m.seq, m.body) for m in page.messages] == [(n + 1, f"m{n}") for n in range(5)]
        assert page.last_seq == 5
        assert not page.has_older


def test_a_message_carries_its_time_in_utc_to_the_second_sent_and_read_back(session, pair):
    """The page shows hours and minutes; each new message carries its time twice per tab."""
    ann, bob = pair
    at = datetime(2026, 12, 3, 8, 54, 10, 723949, tzinfo=timezone(timedelta(hours=1)))
    sent = send(session, ann, bob, now=at)
    page = history.history(session=session, viewer_id=bob, conversation_id=chat(session, bob, ann))
    assert sent.message.sent_at == page.messages[-1].sent_at == "2026-12-03T07:54:10Z"


def test_the_same_client_id_twice_stores_one_row(session, pair):
    ann, bob = pair
    first = send(session, ann, bob, "hello", client_id="abc-123")
    again = send(session, ann, bob, "hello", client_id="abc-123")
    assert first.created
    assert not again.created
    assert again.message == first.message
    assert message_count(session) == 1


def test_the_same_client_id_with_another_text_is_a_conflict_never_merged(session, pair):
    ann, bob = pair
    first = send(session, ann, bob, "hello", client_id="abc-123")
    with pytest.raises(Refused, match="client_id_conflict"):
        send(session, ann, bob, "hello (edited?)", client_id="abc-123")
    assert message_count(session) == 1
    assert sending.stored_texts(session=session, viewer_id=ann, client_ids=["abc-123", "nope"]) == {
        "abc-123": (first.conversation_id, "hello")
    }


def test_a_client_id_cannot_be_replayed_into_another_conversation(session, pair):
    ann, bob = pair
    cat = make_user(session, "cat")
    make_friends(session, ann, cat)
    send(session, ann, bob, client_id="same-id")
    with pytest.raises(Refused, match="client_id_conflict"):
        send(session, ann, cat, client_id="same-id")
    assert message_count(session) == 1


def test_concurrent_retries_of_one_message_store_it_once(engine: sa.Engine):
    with Session(engine) as session:
        ann, bob = make_user(session, "ann"), make_user(session, "bob")
        make_friends(session, ann, bob)
    barrier = threading.Barrier(4)
    results = []

    def retry() -> None:
        with Session(engine) as session:
            barrier.wait()
            results.append(send(session, ann, bob, "once", client_id="dup-1"))

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sum(result.created for result in results) == 1
    assert len({result.message.seq for result in results}) == 1
    with Session(engine) as session:
        assert message_count(session) == 1


def test_concurrent_senders_get_distinct_consecutive_seqs(engine: sa.Engine):
    with Session(engine) as session:
        ann, bob = make_user(session, "ann"), make_user(session, "bob")
        make_friends(session, ann, bob)

    def burst(sender: int, recipient: int) -> None:
        with Session(engine) as session:
            for n in range(20):
                send(session, sender, recipient, f"{sender}-{n}")

    threads = [threading.Thread(target=burst, args=args) for args in ((ann, bob), (bob, ann))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        conversation = chat(session, ann, bob)
        page = history.history(
            session=session, viewer_id=ann, conversation_id=conversation, limit=100
        )
    assert [m.seq for m in page.messages] == list(range(1, 41))


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "message_empty"),
        ("   \n\t ", "message_empty"),
        ("x" * 4001, "message_too_long"),
        ("bell\x07", "message_invalid_characters"),
        ("nul\x00byte", "message_invalid_characters"),
        (None, "message_invalid"),
        (42, "message_invalid"),
        ({"text": "hi"}, "message_invalid"),
    ],
)
def test_invalid_texts_are_refused_and_nothing_is_stored(session, pair, body, code):
    ann, bob = pair
    with pytest.raises(Refused, match=code):
        send(session, ann, bob, body)
    assert message_count(session) == 0


def test_text_is_kept_as_typed_with_normalised_line_breaks(session, pair):
    ann, bob = pair
    body = "<b>not bold</b> https://example.org 😀\r\nsecond line\ttab"
    stored = send(session, ann, bob, body).message
    assert stored.body == "<b>not bold</b> https://example.org 😀\nsecond line\ttab"
    assert send(session, ann, bob, "y" * 4000).message.body == "y" * 4000


@pytest.mark.parametrize("client_id", [None, "", "x" * 65, "has space", 5, "../../etc"])
def test_invalid_client_ids_are_refused(session, pair, client_id):
    ann, bob = pair
    with pytest.raises(Refused, match="message_invalid"):
        sending.send_message(
            session=session,
            viewer_id=ann,
            conversation_id=chat(session, ann, bob),
            client_id=client_id,
            body="hi",
        )
    assert message_count(session) == 0


@pytest.mark.parametrize("forged", [None, "2", 0, -1, 2**70, [2], {"id": 2}, True, 99999])
def test_forged_conversations_are_refused(session, pair, forged):
    ann, _bob = pair
    with pytest.raises(NotFound):
        sending.send_message(
            session=session, viewer_id=ann, conversation_id=forged, client_id="c1", body="hi"
        )
    with pytest.raises(NotFound):
        history.history(session=session, viewer_id=ann, conversation_id=forged)
    with pytest.raises(NotFound):
        chat(session, ann, forged)
    assert message_count(session) == 0


def test_only_friends_can_send_and_history_stays_readable_afterwards(session, pair):
    ann, bob = pair
    cat = make_user(session, "cat")
    ann_bob = chat(session, ann, bob)
    # No conversation with a stranger, nor with oneself.
    for viewer, other in ((ann, cat), (cat, ann), (ann, ann)):
        with pytest.raises(NotFound):
            chat(session, viewer, other)
    send(session, ann, bob, "before")
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    with pytest.raises(Refused, match="not_friends"):
        send(session, ann, bob, "after")
    assert [
        m.body
        for m in history.history(session=session, viewer_id=bob, conversation_id=ann_bob).messages
    ] == ["before"]
    # A third user cannot read it, by its id or by naming either side.
    with pytest.raises(NotFound):
        history.history(session=session, viewer_id=cat, conversation_id=ann_bob)
    with pytest.raises(NotFound):
        chat(session, cat, bob)
    assert message_count(session) == 1


def test_ten_messages_per_ten_seconds(session, pair):
    ann, bob = pair
    limited = load_settings({})
    now = utc_now()
    for n in range(10):
        send(session, ann, bob, f"{n}", now=now, settings=limited)
    with pytest.raises(RateLimited, match="too_many_messages"):
        send(session, ann, bob, "11th", now=now + timedelta(seconds=5), settings=limited)
    later = send(
        session,
        ann,
        bob,
        "later",
        now=now + timedelta(seconds=10, milliseconds=1),
        settings=limited,
    )
    assert message_count(session) == 11
    # The refused send took the next seq under the lock and gave it back.
    assert later.message.seq == 11


def test_a_retry_of_a_stored_message_gives_back_the_seq_it_took(session, pair):
    ann, bob = pair
    first = send(session, ann, bob, "once", client_id="c-1")
    again = send(session, ann, bob, "once", client_id="c-1")
    assert (again.created, again.message.seq) == (False, first.message.seq)
    assert send(session, ann, bob, "next").message.seq == first.message.seq + 1


def test_room_in_the_rate_limit_is_the_time_until_the_oldest_counted_message_leaves(session, pair):
    ann, bob = pair
    limited = load_settings({"CHAT_MESSAGE_RATE_COUNT": "3", "CHAT_MESSAGE_RATE_SECONDS": "10"})
    now = utc_now()
    for n in range(3):
        assert (
            sending.seconds_until_room(session=session, viewer_id=ann, now=now, settings=limited)
            == 0
        )
        send(session, ann, bob, f"{n}", now=now + timedelta(seconds=n), settings=limited)
    later = now + timedelta(seconds=4)
    # The oldest of the three (at +0 s) leaves the 10 s window at +10 s.
    wait = sending.seconds_until_room(session=session, viewer_id=ann, now=later, settings=limited)
    assert wait == pytest.approx(6.0)
    send(session, ann, bob, "fits", now=later + timedelta(seconds=wait + 0.001), settings=limited)


def test_history_pages_and_catch_up(session, pair):
    ann, bob = pair
    for n in range(120):
        send(session, ann, bob, f"m{n}")
    ann_bob = chat(session, bob, ann)
    newest = history.history(session=session, viewer_id=bob, conversation_id=ann_bob)
    assert [m.seq for m in newest.messages] == list(range(71, 121))
    assert newest.has_older
    older = history.history(session=session, viewer_id=bob, conversation_id=ann_bob, before_seq=71)
    assert [m.seq for m in older.messages] == list(range(21, 71))
    oldest = history.history(session=session, viewer_id=bob, conversation_id=ann_bob, before_seq=21)
    assert [m.seq for m in oldest.messages] == list(range(1, 21))
    assert not oldest.has_older
    gap = history.messages_after(
        session=session, viewer_id=bob, conversation_id=ann_bob, after_seq=115
    )
    assert [m.seq for m in gap] == [116, 117, 118, 119, 120]


def test_read_cursor_unread_counts_and_receipts(session, pair):
    ann, bob = pair
    for n in range(3):
        send(session, ann, bob, f"m{n}")
    send(session, bob, ann, "reply")
    ann_bob = chat(session, bob, ann)
    (summary,) = summaries.summaries(session=session, viewer_id=bob)
    assert (summary.friend_id, summary.unread, summary.last_seq) == (ann, 3, 4)

    def mark(up_to_seq: int):
        return read_cursors.mark_read(
            session=session, viewer_id=bob, conversation_id=ann_bob, up_to_seq=up_to_seq
        )

    receipt = mark(2)
    assert receipt is not None
    assert (receipt.reader_id, receipt.friend_id, receipt.seq) == (bob, ann, 2)
    assert summaries.summaries(session=session, viewer_id=bob)[0].unread == 1
    # Never backwards, never past the end.
    assert mark(1) is None
    receipt = mark(10**9)
    assert receipt is not None
    assert receipt.seq == 4
    assert summaries.summaries(session=session, viewer_id=bob)[0].unread == 0
    page = history.history(session=session, viewer_id=ann, conversation_id=ann_bob)
    assert page.friend_read_seq == 4
    assert page.my_read_seq == 0


def test_friend_list_puts_the_most_recent_conversation_first(session):
    me = make_user(session, "me")
    names = {}
    for username in ("aaa", "bbb", "ccc"):
        names[username] = make_user(session, username)
        make_friends(session, names[username], me)
    send(session, me, names["ccc"], "old", now=utc_now() - timedelta(minutes=5))
    send(session, names["bbb"], me, "new")
    order = [c.username for c in friend_pane.snapshot(session=session, user_id=me).friends]
    assert order == ["bbb", "ccc", "aaa"]
