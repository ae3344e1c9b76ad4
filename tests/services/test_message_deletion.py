"""Deleting a message for everyone: who may, what is left of it, and what a tab catches up on."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from chat_app.models import Conversation, Message, StoredFile
from chat_app.services import (
    chat_list,
    file_access,
    file_uploads,
    friends,
    group_members,
    history,
    mentions,
    message_changes,
    message_deletion,
    search,
    sending,
)
from chat_app.services.errors import Forbidden, NotFound, RateLimited, Refused
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.groups import direct_chat, make_admin, make_group, three_friends
from tests.support.images import png
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    return three_friends(session)


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "private")


chat = direct_chat


def delete(session, storage, viewer: int, conversation: object, seq: object):
    return message_deletion.delete_for_everyone(
        session=session, storage=storage, viewer_id=viewer, conversation_id=conversation, seq=seq
    )


def page(session: Session, viewer: int, conversation: int) -> history.HistoryPage:
    return history.history(session=session, viewer_id=viewer, conversation_id=conversation)


def shown(session: Session, viewer: int, conversation: int) -> list[tuple[str, bool]]:
    return [(m.body, m.deleted) for m in page(session, viewer, conversation).messages]


def test_a_sender_deletes_their_message_for_both_sides(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    send_text(session, ann, direct, "wrong chat, sorry")
    second = send_text(session, ann, direct, "meant for my sister")
    change = delete(session, storage, ann, direct, second.message.seq)
    assert change is not None
    assert change.message.deleted
    assert change.message.body == ""
    assert change.message.seq == second.message.seq
    assert change.message.sent_at == second.message.sent_at  # its place and time stay
    assert change.reader_ids == tuple(sorted((ann, bob)))
    assert change.was_last
    assert change.change_seq == 1
    for viewer in (ann, bob):
        assert shown(session, viewer, direct) == [("wrong chat, sorry", False), ("", True)]
        assert page(session, viewer, direct).last_change_seq == 1
    row = session.exec(select(Message).where(Message.seq == second.message.seq)).one()
    assert row.body == ""
    assert row.deleted_at is not None
    assert row.change_seq == 1


def test_deleting_twice_changes_nothing_more(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "oops")
    assert delete(session, storage, ann, direct, sent.message.seq) is not None
    assert delete(session, storage, ann, direct, sent.message.seq) is None
    assert session.get(Conversation, direct).last_change_seq == 1


def test_nobody_deletes_a_friends_message_in_a_direct_chat(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, bob, direct, "mine")
    with pytest.raises(Forbidden) as refused:
        delete(session, storage, ann, direct, sent.message.seq)
    assert refused.value.code == "delete_not_yours"
    assert shown(session, ann, direct) == [("mine", False)]
    assert session.get(Conversation, direct).last_change_seq == 0


def test_a_groups_owner_and_admins_delete_anyones_message_members_do_not(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    first = send_text(session, cat, group, "spam one").message.seq
    second = send_text(session, cat, group, "spam two").message.seq
    with pytest.raises(Forbidden):
        delete(session, storage, bob, group, first)
    assert delete(session, storage, ann, group, first) is not None
    make_admin(session, group, ann, bob)
    change = delete(session, storage, bob, group, second)
    assert change is not None
    assert change.reader_ids == tuple(sorted((ann, bob, cat)))
    texts = [m.body for m in page(session, cat, group).messages if m.kind == "text"]
    assert texts == ["", ""]


def test_a_group_event_and_forged_ids_are_not_found(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob)
    system_seq = page(session, ann, group).messages[0].seq
    with pytest.raises(NotFound):
        delete(session, storage, ann, group, system_seq)
    sent = send_text(session, ann, group, "hello").message.seq
    for conversation, seq in [
        (group, 999),
        (group, "1"),
        (group, True),
        (group, -1),
        ("x", sent),
        (None, sent),
        (chat(session, bob, cat), sent),  # a chat ann is not in
    ]:
        with pytest.raises(NotFound):
            delete(session, storage, ann, conversation, seq)
    with pytest.raises(NotFound):  # cat is not in the group
        delete(session, storage, cat, group, sent)


def test_an_ex_friend_can_no_longer_delete(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "before").message.seq
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    with pytest.raises(Refused):
        delete(session, storage, ann, direct, sent)
    assert shown(session, bob, direct) == [("before", False)]


def test_a_deleted_files_bytes_and_row_are_gone_and_no_link_reads_it(
    session, people, storage, tmp_path
):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    settings = load_settings({"CHAT_DATA_DIR": str(tmp_path), "CHAT_MESSAGE_RATE_COUNT": "1000"})
    sent = file_uploads.send_file(
        session=session,
        viewer_id=ann,
        conversation_id=direct,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(png(40, 30)),
        name="holiday.png",
        settings=settings,
        storage=storage,
    )
    attachment = sent.message.attachment
    assert attachment is not None
    assert any(storage.root.iterdir())
    assert file_access.downloadable(session=session, user_id=bob, file_id=attachment.file_id)
    assert delete(session, storage, ann, direct, sent.message.seq) is not None
    assert list(storage.root.iterdir()) == []
    assert session.get(StoredFile, attachment.file_id) is None
    for viewer in (ann, bob):
        found = file_access.downloadable(
            session=session, user_id=viewer, file_id=attachment.file_id
        )
        assert found is None
    (view,) = page(session, bob, direct).messages
    assert view.deleted
    assert view.attachment is None
    assert view.body == ""


def test_deleted_words_are_not_found_and_the_chat_list_says_deleted(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "the secret password is swordfish")
    delete(session, storage, ann, direct, sent.message.seq)
    results = search.search_messages(session=session, viewer_id=bob, query="swordfish")
    assert results.hits == ()
    rows = chat_list.chat_rows(session=session, viewer_id=bob)
    (row,) = [row for row in rows if row.conversation_id == direct]
    assert (row.preview_kind, row.preview) == ("deleted", "")


def test_a_deleted_message_no_longer_mentions_anyone(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    sent = send_text(session, ann, group, "@Bob look", mentioned=[bob])
    assert mentions.unread_mentions(session=session, viewer_id=bob) == {group}
    delete(session, storage, ann, group, sent.message.seq)
    assert mentions.unread_mentions(session=session, viewer_id=bob) == frozenset()


def test_a_tab_catches_up_on_the_changes_after_the_ones_it_read(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    seqs = [send_text(session, ann, direct, f"m{i}").message.seq for i in range(4)]
    read_at = page(session, bob, direct).last_change_seq
    delete(session, storage, ann, direct, seqs[1])
    delete(session, storage, ann, direct, seqs[3])

    def catch_up(after_change: object) -> history.CatchUp:
        return history.catch_up(
            session=session,
            viewer_id=bob,
            conversation_id=direct,
            after_seq=seqs[-1],
            after_change=after_change,
        )

    now = catch_up(read_at)
    assert [m.seq for m in now.changes] == [seqs[1], seqs[3]]
    assert all(m.deleted for m in now.changes)
    assert not now.changes_cut
    assert now.last_change_seq == 2
    assert catch_up(2).changes == ()
    assert catch_up(2).last_change_seq == 2
    for forged in (-1, "2", True, 1.5):
        with pytest.raises(NotFound):
            catch_up(forged)
    # Without a change number (an older tab), no changes are read.
    assert catch_up(None).changes == ()


def test_more_changes_than_a_catch_up_holds_are_cut(session, people, storage, monkeypatch):
    monkeypatch.setattr(message_changes, "CHANGES_MAX", 2)
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    seqs = [send_text(session, ann, direct, f"m{i}").message.seq for i in range(3)]
    for seq in seqs:
        delete(session, storage, ann, direct, seq)
    now = history.catch_up(
        session=session, viewer_id=bob, conversation_id=direct, after_seq=seqs[-1], after_change=0
    )
    assert len(now.changes) == 2
    assert now.changes_cut


def test_a_member_catches_up_only_on_changes_in_their_range(session, people, storage):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob)
    before = send_text(session, ann, group, "before cat came").message.seq
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    after = send_text(session, ann, group, "after").message.seq
    change = delete(session, storage, ann, group, before)
    assert change is not None
    assert cat not in change.reader_ids
    delete(session, storage, ann, group, after)
    now = history.catch_up(
        session=session, viewer_id=cat, conversation_id=group, after_seq=after, after_change=0
    )
    assert [m.seq for m in now.changes] == [after]


def test_a_retry_of_a_deleted_message_is_acknowledged_not_a_conflict(session, people, storage):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    client_id = uuid.uuid4().hex
    sent = sending.send_message(
        session=session, viewer_id=ann, conversation_id=direct, client_id=client_id, body="typo"
    )
    delete(session, storage, ann, direct, sent.message.seq)
    again = sending.send_message(
        session=session, viewer_id=ann, conversation_id=direct, client_id=client_id, body="typo"
    )
    assert not again.created
    assert again.message.deleted
    stored = sending.stored_texts(session=session, viewer_id=ann, client_ids=[client_id])
    assert stored == {client_id: (direct, None)}


def test_deletions_are_limited_per_minute(session, people, storage, monkeypatch):
    monkeypatch.setattr(message_deletion, "DELETIONS_PER_MINUTE", 2)
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    seqs = [send_text(session, ann, direct, f"m{i}").message.seq for i in range(3)]
    delete(session, storage, ann, direct, seqs[0])
    delete(session, storage, ann, direct, seqs[1])
    with pytest.raises(RateLimited) as refused:
        delete(session, storage, ann, direct, seqs[2])
    assert refused.value.code == "too_many_deletions"
    assert shown(session, bob, direct)[2] == ("m2", False)
