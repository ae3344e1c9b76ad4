"""Conversations: every friendship has one, named by its id everywhere after that."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Conversation
from chat_app.services import (
    conversations,
    file_uploads,
    friend_pane,
    friends,
    history,
    read_cursors,
    sending,
    summaries,
)
from chat_app.services.errors import NotFound, Refused
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.users import know, make_friends, make_user

pytestmark = pytest.mark.both_databases


def conversation_ids(session: Session, a: int, b: int) -> list[int | None]:
    low, high = sorted((a, b))
    return list(
        session.exec(
            select(Conversation.id).where(
                Conversation.user_low_id == low, Conversation.user_high_id == high
            )
        ).all()
    )


def conversation_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Conversation)).one()


# ----- every friendship has its conversation -----


def test_accepting_a_request_creates_exactly_one_conversation(session: Session):
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    know(session, ann, bob)
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    assert conversation_count(session) == 0
    make_friends(session, cat, ann)
    assert conversation_count(session) == 1
    (request,) = friend_pane.snapshot(session=session, user_id=bob).incoming
    friends.accept_request(session=session, viewer_id=bob, request_id=request.request_id)
    assert len(conversation_ids(session, ann, bob)) == 1
    assert len(conversation_ids(session, ann, cat)) == 1
    assert conversation_count(session) == 2


def test_asking_back_befriends_with_one_conversation(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    know(session, ann, bob)
    know(session, bob, ann)
    friends.send_request(session=session, viewer_id=ann, target_id=bob)
    friends.send_request(session=session, viewer_id=bob, target_id=ann)
    assert friends.are_friends(session=session, user_a=ann, user_b=bob)
    assert len(conversation_ids(session, ann, bob)) == 1


def test_befriending_again_reuses_the_conversation(session: Session):
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    (first,) = conversation_ids(session, ann, bob)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
    assert conversation_ids(session, ann, bob) == [first]
    make_friends(session, bob, ann)
    assert conversation_ids(session, ann, bob) == [first]
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    friends.unblock_user(session=session, viewer_id=ann, target_id=bob)
    make_friends(session, ann, bob)
    assert conversation_ids(session, ann, bob) == [first]
    assert conversation_count(session) == 1


# ----- naming a conversation by its id -----

FAST = load_settings({"CHAT_MESSAGE_RATE_COUNT": "100000"})
FORGED = [None, "1", 0, -1, 2**70, [1], {"id": 1}, True, 1.0, 10**9]


@pytest.fixture
def trio(session: Session) -> tuple[int, int, int]:
    """Ann is friends with Bob and with Cat; Bob and Cat are friends too."""
    ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
    make_friends(session, ann, bob)
    make_friends(session, ann, cat)
    make_friends(session, bob, cat)
    return ann, bob, cat


def direct(session: Session, viewer: int, other: object) -> int:
    return conversations.direct_with(session=session, viewer_id=viewer, friend_id=other)


def send(session: Session, viewer: int, conversation: object, body: str = "hi", **kw):
    return sending.send_message(
        session=session,
        viewer_id=viewer,
        conversation_id=conversation,
        client_id=kw.pop("client_id", uuid.uuid4().hex),
        body=body,
        settings=FAST,
        **kw,
    )


def reads(session: Session, viewer: int, conversation: object) -> list[Callable[[], object]]:
    """Every way to read a conversation (and move one's cursor in it) by its id."""
    return [
        lambda: history.history(session=session, viewer_id=viewer, conversation_id=conversation),
        lambda: history.messages_after(
            session=session, viewer_id=viewer, conversation_id=conversation, after_seq=0
        ),
        lambda: read_cursors.mark_read(
            session=session, viewer_id=viewer, conversation_id=conversation, up_to_seq=1
        ),
    ]


def test_direct_with_names_the_pairs_conversation_for_both(session: Session, trio):
    ann, bob, cat = trio
    (ann_bob,) = conversation_ids(session, ann, bob)
    assert direct(session, ann, bob) == direct(session, bob, ann) == ann_bob
    assert direct(session, ann, cat) != ann_bob
    dan = make_user(session, "dan")
    for viewer, other in ((ann, dan), (dan, ann), (ann, ann)):
        with pytest.raises(NotFound):
            direct(session, viewer, other)
    for forged in FORGED:
        with pytest.raises(NotFound):
            direct(session, ann, forged)


def test_a_conversation_id_the_viewer_is_not_part_of_is_not_found(session: Session, trio):
    ann, bob, cat = trio
    dan = make_user(session, "dan")
    bob_cat = direct(session, bob, cat)
    send(session, bob, bob_cat, "between bob and cat")
    # A stranger, a friend of both naming the other pair's conversation, made-up ids.
    for viewer, conversation in [(dan, bob_cat), (ann, bob_cat)] + [(ann, f) for f in FORGED]:
        for read in reads(session, viewer, conversation):
            with pytest.raises(NotFound):
                read()
        with pytest.raises(NotFound):
            send(session, viewer, conversation)
    assert history.history(session=session, viewer_id=cat, conversation_id=bob_cat).last_seq == 1


def test_an_ex_friend_still_reads_but_cannot_send(session: Session, trio):
    ann, bob, _cat = trio
    ann_bob = direct(session, ann, bob)
    send(session, ann, ann_bob, "before")
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    for viewer in (ann, bob):
        with pytest.raises(Refused, match="not_friends"):
            send(session, viewer, ann_bob, "after")
        page = history.history(session=session, viewer_id=viewer, conversation_id=ann_bob)
        assert [m.body for m in page.messages] == ["before"]
        assert page.last_seq == 1
    assert direct(session, bob, ann) == ann_bob
    receipt = read_cursors.mark_read(
        session=session, viewer_id=bob, conversation_id=ann_bob, up_to_seq=1
    )
    assert receipt is not None
    # The refused sends took no seq: the next message after befriending again is number 2.
    make_friends(session, bob, ann)
    assert send(session, bob, ann_bob, "again").message.seq == 2


def test_an_ex_friend_who_never_wrote_has_nothing_to_open(session: Session, trio):
    ann, bob, _cat = trio
    ann_bob = direct(session, ann, bob)
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    with pytest.raises(NotFound):
        direct(session, bob, ann)
    for read in reads(session, bob, ann_bob):
        with pytest.raises(NotFound):
            read()
    with pytest.raises(Refused, match="not_friends"):
        send(session, bob, ann_bob)


def test_the_views_carry_the_conversation_id(session: Session, trio):
    ann, bob, cat = trio
    ann_bob, ann_cat = direct(session, ann, bob), direct(session, ann, cat)
    sent = send(session, ann, ann_bob, "hello")
    assert (sent.conversation_id, sent.sender_id, sent.recipient_ids) == (ann_bob, ann, (bob,))
    again = send(session, ann, ann_bob, "hello", client_id=sent.message.client_id)
    assert (again.created, again.conversation_id, again.recipient_ids) == (False, ann_bob, (bob,))
    page = history.history(session=session, viewer_id=bob, conversation_id=ann_bob)
    assert (page.conversation_id, page.friend.user_id) == (ann_bob, ann)
    receipt = read_cursors.mark_read(
        session=session, viewer_id=bob, conversation_id=ann_bob, up_to_seq=1
    )
    assert receipt is not None
    assert (receipt.conversation_id, receipt.reader_id, receipt.friend_id) == (ann_bob, bob, ann)
    found = summaries.summaries(session=session, viewer_id=ann)
    assert [(s.conversation_id, s.friend_id) for s in found] == [(ann_bob, bob), (ann_cat, cat)]
    listed = friend_pane.snapshot(session=session, user_id=ann).friends
    assert {c.user_id: c.conversation_id for c in listed} == {bob: ann_bob, cat: ann_cat}


def test_a_file_is_sent_by_conversation_id_and_refused_before_storing(
    session: Session, trio, tmp_path: Path
):
    ann, bob, cat = trio
    storage = LocalFileStorage(tmp_path / "files")

    def upload(conversation: object):
        return file_uploads.send_file(
            session=session,
            viewer_id=ann,
            conversation_id=conversation,
            client_id=uuid.uuid4().hex,
            source=io.BytesIO(b"notes"),
            name="notes.txt",
            settings=FAST,
            storage=storage,
        )

    ann_bob = direct(session, ann, bob)
    sent = upload(ann_bob)
    assert (sent.conversation_id, sent.recipient_ids) == (ann_bob, (bob,))
    assert sent.message.kind == "file"
    stored = len(list(storage.root.iterdir()))
    for conversation in (direct(session, bob, cat), 10**9, "1"):
        with pytest.raises(NotFound):
            upload(conversation)
    friends.remove_friend(session=session, viewer_id=ann, friend_id=bob)
    with pytest.raises(Refused, match="not_friends"):
        upload(ann_bob)
    assert len(list(storage.root.iterdir())) == stored
