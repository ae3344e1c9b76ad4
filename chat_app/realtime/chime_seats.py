"""Which one of a user's tabs plays the new-message sound: the user's "chime seat".

One sound per user, whatever the number of open tabs: the seat is the tab the user brought
to the front last (shown or focused), or, when none did since, the first tab that loaded
while the seat was vacant. The seat is only a tab token; whether that tab is still there
is checked where it is used (states/chime.py). In the embedded profile the seats live in
this process; with `REFLEX_REDIS_URL` in Redis, so every worker agrees on one tab.
"""

from __future__ import annotations

from typing import Protocol

from chat_app.realtime import redis_link
from chat_app.realtime.registry import TAB_TTL_SECONDS


class ChimeSeats(Protocol):
    """user id → the tab token that plays the user's sounds."""

    async def seat_of(self, user_id: int) -> str | None:
        """The tab holding the user's seat, or None."""
        ...

    async def take(self, user_id: int, tab_token: str) -> None:
        """Give the seat to a tab, whoever held it."""
        ...

    async def take_if(self, user_id: int, tab_token: str, held_by: str | None) -> bool:
        """Give the seat to a tab only if it is still `held_by` (an atomic step)."""
        ...

    async def clear(self) -> None:
        """Forget every seat (tests start each case so)."""
        ...


class LocalChimeSeats:
    """In-process seats (one worker). Every method runs on the event loop: atomic."""

    def __init__(self) -> None:
        self._seats: dict[int, str] = {}

    async def seat_of(self, user_id: int) -> str | None:
        """The tab holding the user's seat.

        Args:
            user_id: The user.

        Returns:
            Its Reflex client token, or None.
        """
        return self._seats.get(user_id)

    async def take(self, user_id: int, tab_token: str) -> None:
        """Give the seat to a tab.

        Args:
            user_id: The tab's user.
            tab_token: The tab's Reflex client token.
        """
        self._seats[user_id] = tab_token

    async def take_if(self, user_id: int, tab_token: str, held_by: str | None) -> bool:
        """Give the seat to a tab if nobody took it since `held_by` was read.

        Args:
            user_id: The tab's user.
            tab_token: The tab's Reflex client token.
            held_by: What `seat_of` answered.

        Returns:
            True if the tab now holds the seat.
        """
        if self._seats.get(user_id) != held_by:
            return False
        self._seats[user_id] = tab_token
        return True

    async def clear(self) -> None:
        """Forget every seat."""
        self._seats.clear()


# KEYS: the user's seat key; ARGV: the expected holder ("" for none), the new tab, the TTL.
_TAKE_IF = """
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


class RedisChimeSeats(redis_link.RedisUser):
    """The seats in Redis: `chat:chime-seat:<user id>` → tab token, expiring like tabs do."""

    _SEAT = redis_link.KEY_PREFIX + "chime-seat:"

    async def seat_of(self, user_id: int) -> str | None:
        """The tab holding the user's seat, whichever worker gave it (see `ChimeSeats`)."""
        value = await self._client().get(f"{self._SEAT}{int(user_id)}")
        return value.decode() if value else None

    async def take(self, user_id: int, tab_token: str) -> None:
        """Give the seat to a tab, for a day unless taken again (see `ChimeSeats`)."""
        await self._client().set(f"{self._SEAT}{int(user_id)}", tab_token, ex=TAB_TTL_SECONDS)

    async def take_if(self, user_id: int, tab_token: str, held_by: str | None) -> bool:
        """Compare and set in one Lua script: workers asking at once get one winner."""
        taken = await self._script(_TAKE_IF)(
            keys=[f"{self._SEAT}{int(user_id)}"],
            args=[held_by or "", tab_token, TAB_TTL_SECONDS],
        )
        return bool(taken)

    async def clear(self) -> None:
        """Forget every seat (tests only: scans the keys)."""
        redis = self._client()
        keys = [key async for key in redis.scan_iter(match=self._SEAT + "*")]
        if keys:
            await redis.delete(*keys)
