"""Delete for me: the message leaves the viewer's pages, search and export, nobody else's."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from chat_app.models import HiddenMessage, utc_now
from chat_app.services import (
    chat_export,
    group_members,
    history,
    message_edits,
    message_hiding,
    search,
)
from chat_app.services.errors import NotFound, RateLimited
from chat_app.services.storage import LocalFileStorage
from tests.support.groups import direct_chat, make_group, make_people, three_friends
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


def hide(session: Session, viewer: int, chat: object, seq: object, **kw):
    return message_hiding.hide_for_me(
        session=session, viewer_id=viewer, conversation_id=chat, seq=seq, **kw
    )


def page(session: Session, viewer: int, chat: int, **kw) -> history.HistoryPage:
    return history.history(session=session, viewer_id=viewer, conversation_id=chat, **kw)


def found(session: Session, viewer: int, words: str) -> list[str]:
    results = search.search_messages(session=session, viewer_id=viewer, query=words)
    return ["".join(part.text for part in hit.parts) for hit in results.hits]


def exported(session: Session, viewer: int, chat: int, tmp_path: Path) -> list[str]:
    plan = chat_export.plan_export(
        session=session, viewer_id=viewer, conversation_id=chat, language="en"
    )
    data = b"".join(chat_export.export_chunks(plan, LocalFileStorage(tmp_path / "files")))
    records = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("messages.json"))["messages"]
    return [record["text"] for record in records]


def test_a_message_hidden_by_one_member_is_gone_for_them_only(session, tmp_path):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    send_text(session, ann, chat, "the wifi password is hunter2")
    send_text(session, ann, chat, "see you later")

    assert hide(session, bob, chat, 1) == (chat, 1)
    assert hide(session, bob, chat, 1) == (chat, 1)  # again: nothing more
    session.rollback()
    assert session.exec(select(func.count()).select_from(HiddenMessage)).one() == 1

    assert page(session, bob, chat).hidden_seqs == (1,)
    assert page(session, ann, chat).hidden_seqs == ()
    assert found(session, bob, "hunter2") == []
    assert found(session, ann, "hunter2") == ["the wifi password is hunter2"]
    assert exported(session, bob, chat, tmp_path) == ["see you later"]
    assert exported(session, ann, chat, tmp_path) == [
        "the wifi password is hunter2",
        "see you later",
    ]


def test_a_page_names_only_its_own_hidden_messages(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    for number in range(1, 8):
        send_text(session, ann, chat, f"message {number}")
    for seq in (2, 6):
        hide(session, bob, chat, seq)
    assert page(session, bob, chat, limit=3).hidden_seqs == (6,)
    assert page(session, bob, chat, before_seq=5, limit=3).hidden_seqs == (2,)


def test_only_a_message_the_viewer_may_read_can_be_hidden(session):
    people = make_people(session, "ann bob cat", "ann-bob ann-cat")
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    direct = direct_chat(session, ann, bob)
    send_text(session, ann, direct, "private")
    group = make_group(session, ann, bob)
    send_text(session, ann, group, "before cat")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    (line,) = [m.seq for m in page(session, cat, group).messages if m.kind == "system"]
    refused = [
        (cat, direct, 1),  # not her chat
        (bob, direct, 2),  # no such message yet
        (bob, direct, "1"),
        (bob, "1 OR 1=1", 1),
        (cat, group, 1),  # before she joined
        (cat, group, line),  # an event line
    ]
    for viewer, chat, seq in refused:
        with pytest.raises(NotFound):
            hide(session, viewer, chat, seq)
    session.rollback()
    assert session.exec(select(func.count()).select_from(HiddenMessage)).one() == 0


def test_hiding_is_paced(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    send_text(session, ann, chat, "one")
    now = utc_now()
    for _ in range(message_hiding.HIDES_PER_MINUTE):
        hide(session, bob, chat, 1, now=now)
    with pytest.raises(RateLimited) as refused:
        hide(session, bob, chat, 1, now=now)
    assert refused.value.code == "too_many_hides"
    assert hide(session, bob, chat, 1, now=now + timedelta(minutes=2)) == (chat, 1)


def test_a_tab_back_from_an_absence_learns_what_was_hidden_meanwhile(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    chat = direct_chat(session, ann, bob)
    for number in range(1, 6):
        send_text(session, ann, chat, f"message {number}")
    for seq in (1, 4):
        hide(session, bob, chat, seq)

    def caught(**kw) -> tuple[int, ...]:
        return history.catch_up(
            session=session, viewer_id=bob, conversation_id=chat, after_seq=5, **kw
        ).hidden_seqs

    assert caught(hidden_from=2) == (4,)
    assert caught(hidden_from=0) == (1, 4)
    assert caught() == ()  # a gap in the pushes asks for new messages only
    for forged in (-1, "2", True, 2.0):
        with pytest.raises(NotFound):
            caught(hidden_from=forged)


def test_a_change_to_the_newest_message_names_who_hid_it(session):
    """Their chat rows show the message before it: an edit must not write it there again."""
    people = three_friends(session)
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    older = send_text(session, ann, group, "older").message.seq
    newest = send_text(session, ann, group, "newest").message.seq
    hide(session, bob, group, newest)

    def edit(seq: int, body: str):
        change = message_edits.edit_message(
            session=session, viewer_id=ann, conversation_id=group, seq=seq, body=body
        )
        assert change is not None
        return change

    change = edit(newest, "newest, edited")
    assert (change.was_last, change.hidden_by) == (True, (bob,))
    hide(session, cat, group, older)
    change = edit(older, "older, edited")  # not a row's line: nobody asked about
    assert (change.was_last, change.hidden_by) == (False, ())
