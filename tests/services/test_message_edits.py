"""Editing a sent message: who may, what the new text may be, and what everyone reads after."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session

from chat_app.models import Conversation
from chat_app.services import (
    chat_list,
    file_uploads,
    forwarding,
    friends,
    group_members,
    history,
    mentions,
    message_changes,
    message_deletion,
    message_edits,
    message_hiding,
    search,
    sending,
)
from chat_app.services.errors import Forbidden, NotFound, RateLimited, Refused
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.groups import direct_chat, make_group, three_friends
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    return three_friends(session)


chat = direct_chat


def edit(session: Session, viewer: int, conversation: object, seq: object, body: object):
    return message_edits.edit_message(
        session=session, viewer_id=viewer, conversation_id=conversation, seq=seq, body=body
    )


def shown(session: Session, viewer: int, conversation: int) -> list[tuple[str, bool]]:
    page = history.history(session=session, viewer_id=viewer, conversation_id=conversation)
    return [(m.body, m.edited) for m in page.messages]


def changes(session: Session, conversation: int) -> int:
    found = session.get(Conversation, conversation)
    assert found is not None
    session.refresh(found)
    return found.last_change_seq


def test_a_sender_edits_their_text_and_both_read_it_marked_edited(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "meet at 5")
    send_text(session, bob, direct, "ok")
    change = edit(session, ann, direct, sent.message.seq, "meet at 6 (not 5)")
    assert change is not None
    assert (change.message.body, change.message.edited) == ("meet at 6 (not 5)", True)
    assert change.message.sent_at == sent.message.sent_at
    assert change.reader_ids == tuple(sorted((ann, bob)))
    assert not change.was_last
    assert change.change_seq == 1
    for viewer in (ann, bob):
        assert shown(session, viewer, direct) == [("meet at 6 (not 5)", True), ("ok", False)]


def test_the_index_and_the_chat_list_follow_the_new_text(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "see www.wrong.example")
    change = edit(session, ann, direct, sent.message.seq, "see www.right.example")
    assert change is not None
    assert change.was_last
    # The new address is a link in the new text.
    assert [part.href for part in change.message.parts if part.href] == [
        "https://www.right.example"
    ]
    for words, found in (("wrong", 0), ("right", 1)):
        results = search.search_messages(session=session, viewer_id=bob, query=words)
        assert len(results.hits) == found
    rows = chat_list.chat_rows(session=session, viewer_id=bob)
    (row,) = [row for row in rows if row.conversation_id == direct]
    assert row.preview == "see www.right.example"


def test_the_same_text_is_no_change(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "same")
    assert edit(session, ann, direct, sent.message.seq, "same") is None
    assert changes(session, direct) == 0
    assert shown(session, bob, direct) == [("same", False)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("   ", "message_empty"),
        ("x" * 4001, "message_too_long"),
        ("bell\x07", "message_invalid_characters"),
        (None, "message_invalid"),
        (["text"], "message_invalid"),
    ],
)
def test_a_new_text_follows_the_rules_of_a_sent_one(session, people, body, code):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "original")
    with pytest.raises(Refused) as refused:
        edit(session, ann, direct, sent.message.seq, body)
    assert refused.value.code == code
    assert shown(session, bob, direct) == [("original", False)]
    assert changes(session, direct) == 0


def test_only_ones_own_text_messages_still_there_are_edited(session, people, tmp_path: Path):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    direct = chat(session, ann, bob)
    theirs = send_text(session, bob, direct, "bob's").message.seq
    with pytest.raises(Forbidden) as refused:
        edit(session, ann, direct, theirs, "changed by ann")
    assert refused.value.code == "edit_not_yours"
    # A group's owner may delete anyone's message, never put words in it.
    group = make_group(session, ann, bob, cat)
    member_said = send_text(session, bob, group, "mine").message.seq
    with pytest.raises(Forbidden):
        edit(session, ann, group, member_said, "the owner's words")
    storage = LocalFileStorage(tmp_path / "files")
    settings = load_settings({"CHAT_DATA_DIR": str(tmp_path), "CHAT_MESSAGE_RATE_COUNT": "1000"})
    file = file_uploads.send_file(
        session=session,
        viewer_id=ann,
        conversation_id=direct,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(b"plain text"),
        name="notes.txt",
        settings=settings,
        storage=storage,
    )
    with pytest.raises(Forbidden):
        edit(session, ann, direct, file.message.seq, "renamed.txt")
    gone = send_text(session, ann, direct, "deleted soon").message.seq
    message_deletion.delete_for_everyone(
        session=session, storage=storage, viewer_id=ann, conversation_id=direct, seq=gone
    )
    with pytest.raises(NotFound):
        edit(session, ann, direct, gone, "back again")
    system_seq = history.history(session=session, viewer_id=ann, conversation_id=group).messages[0]
    with pytest.raises(NotFound):
        edit(session, ann, group, system_seq.seq, "no event")
    for forged in ((direct, "1"), (direct, 999), ("x", theirs), (chat(session, bob, cat), 1)):
        with pytest.raises(NotFound):
            edit(session, ann, *forged, "forged")


def test_an_ex_friend_can_no_longer_edit(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "before").message.seq
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    with pytest.raises(Refused):
        edit(session, ann, direct, sent, "after")
    with pytest.raises(Refused):
        message_edits.editable_text(
            session=session, viewer_id=ann, conversation_id=direct, seq=sent
        )


def test_the_dialog_starts_from_the_current_text_and_changes_nothing(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    sent = send_text(session, ann, direct, "first").message.seq
    edit(session, ann, direct, sent, "second")

    def editable(viewer: int) -> str:
        return message_edits.editable_text(
            session=session, viewer_id=viewer, conversation_id=direct, seq=sent
        )

    assert editable(ann) == "second"
    with pytest.raises(Forbidden):
        editable(bob)
    assert changes(session, direct) == 1


def test_mentions_stay_as_sent(session, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    sent = send_text(session, ann, group, "@Bob look", mentioned=[bob])
    edit(session, ann, group, sent.message.seq, "@Bob look at this")
    assert mentions.unread_mentions(session=session, viewer_id=bob) == {group}


def test_a_tab_catches_up_on_an_edit(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    seq = send_text(session, ann, direct, "draft").message.seq
    edit(session, ann, direct, seq, "final")
    now = history.catch_up(
        session=session, viewer_id=bob, conversation_id=direct, after_seq=seq, after_change=0
    )
    assert [(m.seq, m.body, m.edited, m.deleted) for m in now.changes] == [
        (seq, "final", True, False)
    ]


def test_a_retry_of_an_edited_message_is_acknowledged_not_a_conflict(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    client_id = uuid.uuid4().hex

    def send():
        return sending.send_message(
            session=session, viewer_id=ann, conversation_id=direct, client_id=client_id, body="v1"
        )

    edit(session, ann, direct, send().message.seq, "v2")
    again = send()
    assert not again.created
    assert again.message.body == "v2"
    stored = sending.stored_texts(session=session, viewer_id=ann, client_ids=[client_id])
    assert stored == {client_id: (direct, None)}


def test_edits_are_limited_per_minute(session, people, monkeypatch):
    monkeypatch.setattr(message_edits, "EDITS_PER_MINUTE", 2)
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    seq = send_text(session, ann, direct, "v0").message.seq
    edit(session, ann, direct, seq, "v1")
    edit(session, ann, direct, seq, "v2")
    with pytest.raises(RateLimited) as refused:
        edit(session, ann, direct, seq, "v3")
    assert refused.value.code == "too_many_edits"
    assert shown(session, bob, direct) == [("v2", True)]


def test_a_member_who_left_keeps_what_they_read_not_a_later_edit(session, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    seq = send_text(session, ann, group, "the plan for Monday").message.seq
    sending.send_message(
        session=session,
        viewer_id=cat,
        conversation_id=group,
        client_id=uuid.uuid4().hex,
        body="agreed",
        reply_to=seq,
    )
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=bob)
    change = edit(session, ann, group, seq, "the new secret words")
    assert change is not None
    # Cat is told; Bob, removed before it, is not.
    assert {ann, cat} <= set(change.reader_ids)
    assert bob not in change.reader_ids
    assert ("the new secret words", True) in shown(session, cat, group)

    # For Bob the message is hidden, as one he deleted for himself: on every read path.
    page = history.history(session=session, viewer_id=bob, conversation_id=group)
    caught = history.catch_up(
        session=session, viewer_id=bob, conversation_id=group, after_seq=0, after_change=0
    )
    for read in (page, caught):
        assert seq in read.hidden_seqs
        assert "secret" not in repr(read)
    # Cat's answer quotes it: for Bob, as a message no longer there.
    (answer,) = [m for m in page.messages if m.body == "agreed"]
    assert answer.reply is not None
    assert (answer.reply.text, answer.reply.deleted) == ("", True)
    found = search.search_messages(session=session, viewer_id=bob, query="secret")
    assert found.hits == ()
    with pytest.raises(NotFound):
        forwarding.forward_message(
            session=session,
            viewer_id=bob,
            conversation_id=group,
            seq=seq,
            to_conversation_id=chat(session, bob, cat),
            client_id=uuid.uuid4().hex,
            storage=LocalFileStorage(Path("/nonexistent")),
        )
    # Another edit finds it hidden already.
    assert edit(session, ann, group, seq, "the newest secret words") is not None


def test_an_edit_and_a_departed_members_own_delete_at_one_moment(session, people, monkeypatch):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    seq = send_text(session, ann, group, "the plan for Monday").message.seq
    group_members.leave(session=session, actor_id=bob, conversation_id=group)
    # Bob deletes it for himself, from his read-only history, while the edit runs: the
    # edit's look for those who hid it already saw nothing of his (not yet committed).
    message_hiding.hide_for_me(session=session, viewer_id=bob, conversation_id=group, seq=seq)
    monkeypatch.setattr(message_changes, "readers_who_hid", lambda *_args, **_kw: ())
    change = edit(session, ann, group, seq, "the new words")
    assert change is not None
    assert ("the new words", True) in shown(session, cat, group)
    page = history.history(session=session, viewer_id=bob, conversation_id=group)
    assert seq in page.hidden_seqs
