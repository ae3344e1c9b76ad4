"""The reads due at one moment share one transaction; each tab still gets its own outcome."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from chat_app.realtime import push
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


async def test_reads_nobody_waits_for_share_a_transaction_and_are_told_once_stored(
    chats: tuple[int, int, int, int], batches: list[list[Any]]
):
    """A read of what arrived while the reader looked returns at once (its push holds the
    tab's lock); the reads asked within the linger are stored together, and only then is
    each told, with its own receipt; a refused one is told nothing."""
    ann, bob, cat, chat = chats
    told: dict[int, Any] = {}

    def tell(reader: int):
        async def then(receipt: Any) -> None:
            told[reader] = receipt

        return then

    for reader, seq in ((ann, 2), (cat, 2), (bob, 3)):
        read_batch.mark_read_later(
            viewer_id=reader, conversation_id=chat, up_to_seq=seq, then=tell(reader)
        )
    assert not batches  # nothing stored yet: the callers went on
    await push.settled()
    assert len(batches) == 1
    assert len(batches[0]) == 3
    assert sorted(told) == sorted((ann, bob))  # the stranger's read was refused
    assert (told[ann].reader_id, told[ann].seq) == (ann, 2)
    assert (told[bob].reader_id, told[bob].seq) == (bob, 3)

    # Read that far already: stored as nothing moved, and told so.
    read_batch.mark_read_later(viewer_id=ann, conversation_id=chat, up_to_seq=2, then=tell(ann))
    await push.settled()
    assert len(batches) == 2
    assert told[ann] is None


async def test_a_failed_batch_of_reads_nobody_waits_for_is_logged_and_the_next_ones_go_on(
    chats: tuple[int, int, int, int], monkeypatch: pytest.MonkeyPatch, caplog
):
    ann, _bob, _cat, chat = chats
    stored = read_cursors.mark_reads
    told: list[Any] = []

    async def then(receipt: Any) -> None:
        told.append(receipt)

    def down(**_arguments: Any) -> list[Any]:
        raise OperationalError("UPDATE read_cursor", {}, Exception("the server closed"))

    monkeypatch.setattr(read_batch.read_cursors, "mark_reads", down)
    caplog.set_level(logging.WARNING, logger=read_batch.__name__)
    read_batch.mark_read_later(viewer_id=ann, conversation_id=chat, up_to_seq=1, then=then)
    await push.settled()
    assert told == []
    assert "a read up to 1 was not stored" in caplog.text

    monkeypatch.setattr(read_batch.read_cursors, "mark_reads", stored)
    read_batch.mark_read_later(viewer_id=ann, conversation_id=chat, up_to_seq=1, then=then)
    await push.settled()
    assert [(receipt.reader_id, receipt.seq) for receipt in told] == [(ann, 1)]
