"""Forward: a copy of a message one may read, sent by the forwarding user to a chat they
write in (text, or the file's bytes stored again); everything else refused, nothing stored."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Message, StoredFile, utc_now
from chat_app.services import (
    file_uploads,
    forwarding,
    friends,
    group_members,
    history,
    message_deletion,
)
from chat_app.services.errors import NotFound, RateLimited, Refused
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.groups import direct_chat, make_group, make_people
from tests.support.images import png
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    """Ann, Bob and Cat, all friends; Dan is Ann's friend only."""
    return make_people(session, "ann bob cat dan", "ann-bob ann-cat bob-cat ann-dan")


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "private")


def forward(session, storage, viewer: int, chat: object, seq: object, to: object, **kw):
    kw.setdefault("client_id", uuid.uuid4().hex)
    return forwarding.forward_message(
        session=session,
        viewer_id=viewer,
        conversation_id=chat,
        seq=seq,
        to_conversation_id=to,
        storage=storage,
        **kw,
    )


def bodies(session: Session, viewer: int, chat: int) -> list[tuple[int, str]]:
    page = history.history(session=session, viewer_id=viewer, conversation_id=chat)
    return [(m.sender_id, m.body) for m in page.messages if m.kind != "system"]


def count(session: Session, model) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_forwarded_text_is_a_new_message_of_the_forwarder(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    with_bob = direct_chat(session, ann, bob)
    with_cat = direct_chat(session, bob, cat)
    send_text(session, ann, with_bob, "the meeting moved to room 12")

    client_id = uuid.uuid4().hex
    sent = forward(session, storage, bob, with_bob, 1, with_cat, client_id=client_id)
    assert sent.created
    assert sent.recipient_ids == (cat,)
    assert bodies(session, cat, with_cat) == [(bob, "the meeting moved to room 12")]
    # The same forward asked again (a repeated press) stores nothing more.
    again = forward(session, storage, bob, with_bob, 1, with_cat, client_id=client_id)
    assert not again.created
    assert count(session, Message) == 2
    # The original chat is unchanged.
    assert bodies(session, ann, with_bob) == [(ann, "the meeting moved to room 12")]


def test_a_forwarded_file_is_stored_again_with_its_own_thumbnail(
    session, people, any_storage, tmp_path
):
    """In a local folder and in Azure Blob Storage (read back as the blob downloads)."""
    storage = any_storage
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat, name="Trip")
    with_ann = direct_chat(session, bob, ann)
    settings = load_settings({"CHAT_DATA_DIR": str(tmp_path), "CHAT_MESSAGE_RATE_COUNT": "1000"})
    picture = png(64, 48)
    original = file_uploads.send_file(
        session=session,
        viewer_id=cat,
        conversation_id=group,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(picture),
        name="beach.png",
        settings=settings,
        storage=storage,
    )

    sent = forward(session, storage, bob, group, original.message.seq, with_ann, settings=settings)
    copy = sent.message.attachment
    assert copy is not None
    assert sent.message.kind == "image"
    assert sent.message.body == "beach.png"
    assert copy.has_thumbnail
    assert original.message.attachment is not None
    assert copy.file_id != original.message.attachment.file_id
    stored = session.get(StoredFile, copy.file_id)
    assert stored is not None
    assert (stored.owner_id, stored.conversation_id) == (bob, with_ann)
    with storage.open(stored.storage_key) as data:
        assert data.read() == picture

    # Deleting the original leaves the copy whole.
    message_deletion.delete_for_everyone(
        session=session,
        storage=storage,
        viewer_id=cat,
        conversation_id=group,
        seq=original.message.seq,
    )
    with storage.open(stored.storage_key) as data:
        assert data.read() == picture


def test_only_a_message_one_may_read_can_be_forwarded(session, people, storage):
    ann, bob, cat, dan = people["ann"], people["bob"], people["cat"], people["dan"]
    with_bob = direct_chat(session, ann, bob)
    with_cat = direct_chat(session, ann, cat)
    with_dan = direct_chat(session, dan, ann)
    bob_and_cat = direct_chat(session, bob, cat)
    send_text(session, ann, with_bob, "private to bob")
    group = make_group(session, ann, bob, name="Club")
    send_text(session, ann, group, "before dan joined")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[dan])
    deleted = send_text(session, ann, with_bob, "gone soon").message.seq
    message_deletion.delete_for_everyone(
        session=session, storage=storage, viewer_id=ann, conversation_id=with_bob, seq=deleted
    )
    before = count(session, Message)

    for viewer, chat, seq, to in (
        (cat, with_bob, 1, with_cat),  # a stranger to the chat
        (dan, group, 2, with_dan),  # from before dan joined
        (ann, group, 1, with_cat),  # the group's "created" line
        (ann, with_bob, deleted, with_cat),  # deleted for everyone
        (ann, with_bob, 99, with_cat),  # no such message
        (ann, with_bob, "1", with_cat),  # a forged seq
        (ann, with_bob, 1, 10**6),  # no such target
        (ann, with_bob, 1, bob_and_cat),  # someone else's chat
    ):
        with pytest.raises(NotFound):
            forward(session, storage, viewer, chat, seq, to)
    assert count(session, Message) == before


def test_a_chat_that_takes_no_message_refuses_the_copy(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    with_bob = direct_chat(session, ann, bob)
    with_cat = direct_chat(session, ann, cat)
    send_text(session, ann, with_bob, "see you")
    friends.remove_friend(session=session, viewer_id=ann, friend_id=cat)
    before = count(session, Message)
    with pytest.raises(Refused) as refused:
        forward(session, storage, ann, with_bob, 1, with_cat)
    assert refused.value.code == "not_friends"
    assert count(session, Message) == before


def test_forwarding_is_paced(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    with_bob = direct_chat(session, ann, bob)
    with_cat = direct_chat(session, ann, cat)
    send_text(session, ann, with_bob, "pass it on")
    now = utc_now()
    settings = load_settings({"CHAT_MESSAGE_RATE_COUNT": "1000"})
    for _ in range(forwarding.FORWARDS_PER_MINUTE):
        forward(session, storage, ann, with_bob, 1, with_cat, now=now, settings=settings)
    with pytest.raises(RateLimited) as limited:
        forward(session, storage, ann, with_bob, 1, with_cat, now=now, settings=settings)
    assert limited.value.code == "too_many_forwards"
    later = now + timedelta(minutes=1, seconds=1)
    assert forward(session, storage, ann, with_bob, 1, with_cat, now=later, settings=settings)
