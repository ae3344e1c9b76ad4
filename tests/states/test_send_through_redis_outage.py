"""A stored message whose push to the other tabs meets a Redis outage (scaled profile).

The push is a hint: the sender's own update (the bubble "sent", the outbox emptied) is the
acknowledgement, and a failed tab lookup in Redis must not take it down with the event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from chat_app.realtime import push, redis_link, redis_outage
from tests.states.test_outbox import form, open_chat, shown, stored_bodies
from tests.support.tabs import chat_tabs, run


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_link, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(redis_link, "MAX_DELAY", 0.001)


def tab_lookups(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[list[list[int]]]:
    """Make the push's lookup of users' tabs in Redis fail `failures` times, then answer.

    Returns:
        The audiences whose tabs were looked up, one entry per attempt.
    """
    asked: list[list[list[int]]] = []

    async def lookup(
        registry, audiences: Sequence[Iterable[int]], excluding: str = ""
    ) -> list[list[str]]:
        asked.append([list(user_ids) for user_ids in audiences])
        if len(asked) <= failures:
            raise RedisConnectionError("Error 111 connecting: Redis is restarting")
        return [[] for _ in audiences]

    monkeypatch.setattr(push, "tokens_of_audiences", lookup)
    # A bound app: without one (server-less tabs), a push ends before its lookup.
    monkeypatch.setattr(push, "_app", object())
    return asked


async def test_a_push_meeting_a_short_outage_waits_for_redis_and_the_send_is_acknowledged(
    tab_factory, engine, monkeypatch
):
    ann, _bob, ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    asked = tab_lookups(monkeypatch, failures=2)

    await run(composer.send, form(outbox, "through the outage", ann.conversation_id))

    assert shown(ann) == [("through the outage", "sent")]
    assert outbox.outbox == ""
    # Bob's tabs and Ann's other tabs, together, looked up again until Redis answers.
    assert asked == [[[bob_id], [ann_id]]] * 3


async def test_past_the_wait_the_push_is_dropped_and_the_send_still_acknowledged(
    tab_factory, engine, monkeypatch, caplog
):
    ann, _bob, _ann_id, bob_id = await chat_tabs(tab_factory)
    composer, outbox = await open_chat(ann, bob_id)
    monkeypatch.setattr(redis_outage, "OUTAGE_WAIT_SECONDS", 0.01)
    monkeypatch.setattr(redis_link, "_last_report", 0.0)
    caplog.set_level(logging.ERROR, logger=redis_link.__name__)
    tab_lookups(monkeypatch, failures=1_000_000)

    await run(composer.send, form(outbox, "Redis stays away", ann.conversation_id))

    assert stored_bodies(engine) == ["Redis stays away"]
    assert shown(ann) == [("Redis stays away", "sent")]
    assert outbox.outbox == ""
    assert "REFLEX_REDIS_URL" in caplog.text
