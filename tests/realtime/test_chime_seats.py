"""The chime seat (which tab plays a user's sound) behaves alike in-process and in Redis.

The Redis version is what several workers share: a tab that takes the seat on one worker is
the seat for every other, and a vacant seat goes to exactly one of the tabs asking at once.
"""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from chat_app.realtime.chime_seats import ChimeSeats, LocalChimeSeats, RedisChimeSeats
from chat_app.realtime.registry import TAB_TTL_SECONDS


@pytest.fixture(params=["in-process", "redis"])
async def seats(request, redis_client: Redis) -> ChimeSeats:
    if request.param == "redis":
        return RedisChimeSeats(redis_client)
    return LocalChimeSeats()


async def test_the_last_tab_to_take_the_seat_holds_it(seats: ChimeSeats):
    assert await seats.seat_of(1) is None
    await seats.take(1, "tab-a")
    await seats.take(1, "tab-b")
    await seats.take(2, "tab-c")
    assert (await seats.seat_of(1), await seats.seat_of(2)) == ("tab-b", "tab-c")
    await seats.clear()
    assert await seats.seat_of(1) is None


async def test_a_vacant_seat_goes_to_one_of_the_tabs_asking_at_once(seats: ChimeSeats):
    held_by = await seats.seat_of(1)
    asking = [f"tab-{n}" for n in range(8)]
    won = await asyncio.gather(*(seats.take_if(1, tab, held_by) for tab in asking))
    assert won.count(True) == 1
    assert await seats.seat_of(1) == asking[won.index(True)]


async def test_a_seat_taken_since_it_was_read_is_not_taken_again(seats: ChimeSeats):
    await seats.take(1, "gone-tab")
    held_by = await seats.seat_of(1)
    await seats.take(1, "front-tab")  # the user brought a tab to the front meanwhile
    assert not await seats.take_if(1, "other-tab", held_by)
    assert await seats.seat_of(1) == "front-tab"
    assert await seats.take_if(1, "other-tab", "front-tab")
    assert await seats.seat_of(1) == "other-tab"


async def test_in_redis_a_seat_expires_like_a_tab(redis_client: Redis):
    seats = RedisChimeSeats(redis_client)
    await seats.take(7, "tab")
    assert 0 < await redis_client.ttl("chat:chime-seat:7") <= TAB_TTL_SECONDS
    assert await seats.take_if(7, "tab-2", "tab")
    assert 0 < await redis_client.ttl("chat:chime-seat:7") <= TAB_TTL_SECONDS
