"""Replies: a message that quotes an earlier one of its chat, checked and stored with it."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from chat_app.models import Message
from chat_app.services import (
    conversations,
    file_uploads,
    group_members,
    history,
    message_changes,
    message_deletion,
    message_edits,
    sending,
)
from chat_app.services.errors import Refused
from chat_app.services.reply_views import QUOTE_CHARS, ReplyView
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.groups import direct_chat, make_group, make_people, three_friends
from tests.support.images import png
from tests.support.users import UNLIMITED, send_text

pytestmark = pytest.mark.both_databases


def reply(session: Session, sender: int, chat: int, body: str, to: object, client_id: str = ""):
    return sending.send_message(
        session=session,
        viewer_id=sender,
        conversation_id=chat,
        client_id=client_id or uuid.uuid4().hex,
        body=body,
        settings=UNLIMITED,
        reply_to=to,
    )


def page(session: Session, viewer: int, chat: int):
    return history.history(session=session, viewer_id=viewer, conversation_id=chat).messages


def stored_count(session: Session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Message)).one()


def test_a_reply_carries_its_quote_live_in_history_and_in_catch_up(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    long_text = "are we\nstill on " + "for the picnic " * 10
    asked = send_text(session, ann, chat, long_text)
    sent = reply(session, bob, chat, "yes!", asked.message.seq)

    quote = sent.message.reply
    assert quote == ReplyView(
        seq=asked.message.seq, sender_id=ann, kind="text", text=quote.text if quote else ""
    )
    assert quote is not None
    assert len(quote.text) == QUOTE_CHARS
    assert quote.text.startswith("are we still on for the picnic")
    assert quote.text.endswith("…")
    for viewer in (ann, bob):
        assert page(session, viewer, chat)[-1].reply == quote
    caught = history.messages_after(
        session=session, viewer_id=ann, conversation_id=chat, after_seq=asked.message.seq
    )
    assert [m.reply for m in caught] == [quote]
    assert page(session, ann, chat)[0].reply is None


def test_a_retry_returns_the_stored_reply_with_its_quote(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    asked = send_text(session, ann, chat, "lunch?")
    first = reply(session, bob, chat, "sure", asked.message.seq, client_id="c" * 32)
    again = reply(session, bob, chat, "sure", asked.message.seq, client_id="c" * 32)
    assert not again.created
    assert again.message.reply == first.message.reply
    assert stored_count(session) == 2


@pytest.mark.parametrize("to", [5, 2, -1, "1", True, 1.0, 2**70, [1]])
def test_a_reply_to_no_earlier_message_here_is_refused_and_stores_nothing(session, to):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    send_text(session, ann, chat, "one")
    before = stored_count(session)
    with pytest.raises(Refused) as refused:
        reply(session, bob, chat, "two", to)
    assert refused.value.code == "reply_not_found"
    assert stored_count(session) == before
    # The seq a refusal held is handed out again: the next message takes it.
    assert send_text(session, bob, chat, "two").message.seq == 2


def test_no_reply_is_a_plain_message(session):
    people = three_friends(session)
    chat = direct_chat(session, people["ann"], people["bob"])
    for nothing in (None, 0):
        assert reply(session, people["ann"], chat, "hi", nothing).message.reply is None


def test_a_member_cannot_quote_from_before_they_joined_nor_an_event_line(session):
    people = make_people(session, "ann bob cat", "ann-bob ann-cat")
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob)
    early = send_text(session, ann, group, "before cat came")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    (line,) = [m for m in page(session, cat, group) if m.kind == "system"]
    for earlier in (early.message.seq, line.seq):
        with pytest.raises(Refused):
            reply(session, cat, group, "what was that?", earlier)
    welcome = send_text(session, bob, group, "welcome cat")
    assert reply(session, cat, group, "thanks", welcome.message.seq).message.reply is not None


def test_a_file_is_quoted_by_its_name_and_a_deleted_message_as_deleted(session, tmp_path: Path):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    storage = LocalFileStorage(tmp_path / "private")
    photo = file_uploads.send_file(
        session=session,
        viewer_id=ann,
        conversation_id=chat,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(png(40, 30)),
        name="beach.png",
        settings=load_settings({"CHAT_DATA_DIR": str(tmp_path)}),
        storage=storage,
    )
    answer = reply(session, bob, chat, "lovely", photo.message.seq)
    assert answer.message.reply is not None
    assert (answer.message.reply.kind, answer.message.reply.text) == ("image", "beach.png")
    message_deletion.delete_for_everyone(
        session=session,
        storage=storage,
        viewer_id=ann,
        conversation_id=chat,
        seq=photo.message.seq,
    )
    quote = page(session, bob, chat)[-1].reply
    assert quote is not None
    assert (quote.deleted, quote.text) == (True, "")


def test_an_edited_reply_keeps_its_quote_in_its_change(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    asked = send_text(session, ann, chat, "lunch?")
    answer = reply(session, bob, chat, "sur", asked.message.seq)
    change = message_edits.edit_message(
        session=session, viewer_id=bob, conversation_id=chat, seq=answer.message.seq, body="sure"
    )
    assert change is not None
    assert change.message.reply == answer.message.reply
    conversation = history.history(session=session, viewer_id=ann, conversation_id=chat)
    changed, _cut, _reached = message_changes.changes_after(
        session,
        conversations.readable(session, ann, chat),
        conversation.last_change_seq - 1,
    )
    assert [m.reply for m in changed] == [answer.message.reply]


def test_a_reply_to_a_message_from_before_someone_joined_withholds_its_quote_from_them(
    session,
):
    people = make_people(session, "ann bob cat", "ann-bob ann-cat")
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob)
    secret = send_text(session, ann, group, "the surprise party is on Friday")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    answer = reply(session, bob, group, "I'll bring the cake", secret.message.seq)
    # The one view pushed to every member names who may not see its quote.
    assert answer.quote_withheld_from == frozenset({cat})
    assert answer.message.reply is not None
    assert answer.message.reply.text == "the surprise party is on Friday"

    def quote_read_by(viewer: int) -> ReplyView | None:
        (found,) = [m for m in page(session, viewer, group) if m.seq == answer.message.seq]
        return found.reply

    withheld = ReplyView(seq=secret.message.seq, sender_id=0, kind="text", text="", earlier=True)
    assert quote_read_by(cat) == withheld
    assert quote_read_by(bob) == answer.message.reply
    # Catch-up and the change of an edited reply: withheld from cat likewise.
    caught = history.catch_up(
        session=session, viewer_id=cat, conversation_id=group, after_seq=secret.message.seq
    )
    assert [m.reply for m in caught.messages if m.reply] == [withheld]
    change = message_edits.edit_message(
        session=session,
        viewer_id=bob,
        conversation_id=group,
        seq=answer.message.seq,
        body="I'll bring two cakes",
    )
    assert change is not None
    assert change.quote_withheld_from == frozenset({cat})
    changed, _cut, _reached = message_changes.changes_after(
        session, conversations.readable(session, cat, group), 0
    )
    assert [m.reply for m in changed] == [withheld]
    # A message cat can read quoted: nobody is left out.
    welcome = send_text(session, bob, group, "welcome cat")
    assert reply(session, ann, group, "yes, welcome", welcome.message.seq).quote_withheld_from == (
        frozenset()
    )
