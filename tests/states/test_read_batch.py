"""The reads due at one moment share one transaction; each tab still gets its own outcome."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from chat_app.services import conversations, database, read_cursors
from chat_app.services.errors import NotFound
from chat_app.states import read_batch
from tests.support.users import make_friends, make_user, send_text


@pytest.fixture
def chats(engine: sa.Engine) -> tuple[int, int, int, int]:
    """Ann and Bob chatting (three messages from Bob), and Cat, a stranger to both."""
    with database.session_scope(engine) as session:
        ann, bob, cat = (make_user(session, name) for name in ("ann", "bob", "cat"))
        make_friends(session, ann, bob)
        chat = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
        for _ in range(3):
            send_text(session, bob, chat)
    return ann, bob, cat, chat


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """The requests of each transaction the batcher makes."""
    made: list[list[Any]] = []
    stored = read_cursors.mark_reads

    def counted(**arguments: Any) -> list[Any]:
        made.append(list(arguments["requests"]))
        return stored(**arguments)

    monkeypatch.setattr(read_batch.read_cursors, "mark_reads", counted)
    return made


async def test_reads_asked_for_together_share_one_transaction(
    chats: tuple[int, int, int, int], batches: list[list[Any]]
):
    ann, bob, cat, chat = chats
    outcomes = await asyncio.gather(
        read_batch.mark_read(viewer_id=ann, conversation_id=chat, up_to_seq=2),
        read_batch.mark_read(viewer_id=cat, conversation_id=chat, up_to_seq=2),
        read_batch.mark_read(viewer_id=bob, conversation_id=chat, up_to_seq=3),
        return_exceptions=True,
    )
    assert len(batches) == 1
    assert len(batches[0]) == 3
    anns, cats, bobs = outcomes
    assert not isinstance(anns, BaseException)
    assert anns is not None
    assert (anns.reader_id, anns.seq) == (ann, 2)
    assert isinstance(cats, NotFound)  # the stranger's read fails alone
    assert not isinstance(bobs, BaseException)
    assert bobs is not None
    assert (bobs.reader_id, bobs.seq) == (bob, 3)

    # A read asked for later goes in a transaction of its own.
    later = await read_batch.mark_read(viewer_id=ann, conversation_id=chat, up_to_seq=3)
    assert later is not None
    assert later.previous_seq == 2
    assert len(batches) == 2


async def test_a_failed_transaction_fails_each_of_its_reads_and_the_next_ones_go_on(
    chats: tuple[int, int, int, int], monkeypatch: pytest.MonkeyPatch
):
    ann, bob, _cat, chat = chats
    stored = read_cursors.mark_reads
    failing = OperationalError("UPDATE read_cursor", {}, Exception("the server closed"))

    def down(**_arguments: Any) -> list[Any]:
        raise failing

    monkeypatch.setattr(read_batch.read_cursors, "mark_reads", down)
    outcomes = await asyncio.gather(
        read_batch.mark_read(viewer_id=ann, conversation_id=chat, up_to_seq=1),
        read_batch.mark_read(viewer_id=bob, conversation_id=chat, up_to_seq=1),
        return_exceptions=True,
    )
    assert outcomes == [failing, failing]

    monkeypatch.setattr(read_batch.read_cursors, "mark_reads", stored)
    receipt = await read_batch.mark_read(viewer_id=ann, conversation_id=chat, up_to_seq=1)
    assert receipt is not None
    assert receipt.seq == 1
