"""Who is online: the connected tabs of each user.

A user is online while at least one tab is connected. Methods report transitions, so only
changes are announced. In the embedded profile the tracker lives in this process; with
`REFLEX_REDIS_URL` it lives in Redis, each tab's entry kept alive by its sentinel's
heartbeat, so the tabs of a worker that crashed (and ran no cleanup) expire and a sweep on
any surviving worker announces their users offline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol, cast

from chat_app.realtime import redis_link

HEARTBEAT_SECONDS = 5.0
# Three missed heartbeats: a tab whose worker died counts as gone after at most this long
# (plus one sweep interval).
TAB_TTL_SECONDS = 15.0


@dataclass(frozen=True)
class ExpiredTab:
    """A tab whose heartbeat stopped; `user_offline` when it was its user's last one."""

    user_id: int
    tab_token: str
    user_offline: bool


class PresenceTracker(Protocol):
    """user id → connected tab tokens (a tab is named by its Reflex client token)."""

    async def connect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as connected (or keep it alive); True when the user came online."""
        ...

    async def disconnect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as gone; True when it was the user's last tab."""
        ...

    async def online_among(self, user_ids: list[int]) -> set[int]:
        """Which of these users have a connected tab."""
        ...

    async def online_count(self) -> int:
        """How many users have a connected tab (the admin page's "online now")."""
        ...

    async def expire(self) -> list[ExpiredTab]:
        """Drop tabs whose heartbeat stopped, and report them."""
        ...

    async def clear(self) -> None:
        """Forget everyone (tests start each case so)."""
        ...


async def is_online(tracker: PresenceTracker, user_id: int) -> bool:
    """Whether one user has a connected tab.

    Args:
        tracker: Where tabs are tracked.
        user_id: The user.

    Returns:
        True while at least one of their tabs is connected.
    """
    return user_id in await tracker.online_among([user_id])


class LocalPresenceTracker:
    """In-process tracker (one worker: a tab's socket and its sentinel die together)."""

    def __init__(self) -> None:
        self._tabs: dict[int, set[str]] = {}

    async def connect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as connected; True when this made the user go from offline to online."""
        tabs = self._tabs.setdefault(user_id, set())
        was_offline = not tabs
        tabs.add(tab_token)
        return was_offline

    async def disconnect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as gone; True when it was the user's last (the user is now offline)."""
        tabs = self._tabs.get(user_id)
        if not tabs or tab_token not in tabs:
            return False
        tabs.discard(tab_token)
        if tabs:
            return False
        del self._tabs[user_id]
        return True

    async def online_among(self, user_ids: list[int]) -> set[int]:
        """Which of these users have a connected tab.

        Args:
            user_ids: The users (a page's friends).

        Returns:
            Those that are online.
        """
        return {user_id for user_id in user_ids if self._tabs.get(user_id)}

    async def online_count(self) -> int:
        """How many users have a connected tab (a user leaves the map with their last)."""
        return len(self._tabs)

    async def expire(self) -> list[ExpiredTab]:
        """Nothing expires in one process: its sentinels end with their sockets.

        Returns:
            An empty list.
        """
        return []

    async def clear(self) -> None:
        """Forget everyone."""
        self._tabs.clear()


# Per user a sorted set tab → deadline, plus one index "user|tab" → deadline for sweeps.
# KEYS: user's set, index; ARGV: tab, user id, now, deadline.
_CONNECT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local before = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2] .. '|' .. ARGV[1])
-- Outlives its deadline by far: a late sweep must still find the user's other tabs.
redis.call('EXPIRE', KEYS[1], 4 * math.ceil(ARGV[4] - ARGV[3]))
if before == 0 then return 1 end
return 0
"""

# KEYS: user's set, index; ARGV: tab, user id, now.
_DISCONNECT = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2] .. '|' .. ARGV[1])
if removed == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[1]) == 0 then return 1 end
return 0
"""

# KEYS: index; ARGV: now, user-set key prefix. Each expired tab is removed by exactly one
# worker's sweep (the script runs atomically), so each offline is announced once.
_EXPIRE = """
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 200)
local expired = {}
local reported = {}
for _, member in ipairs(gone) do
  redis.call('ZREM', KEYS[1], member)
  local user, tab = string.match(member, '^(%d+)|(.*)$')
  local key = ARGV[2] .. user
  redis.call('ZREM', key, tab)
  -- Whether or not the user's set still held the tab (a reconnecting tab prunes expired
  -- ones), the user is offline when no live tab is left; reported once per sweep.
  local offline = '0'
  if redis.call('ZCOUNT', key, '(' .. ARGV[1], '+inf') == 0 and not reported[user] then
    offline = '1'
    reported[user] = true
  end
  table.insert(expired, user .. '|' .. offline .. '|' .. tab)
end
return expired
"""


class RedisPresenceTracker(redis_link.RedisUser):
    """The tracker in Redis, shared by every worker."""

    _ONLINE = redis_link.KEY_PREFIX + "online:"
    _INDEX = redis_link.KEY_PREFIX + "online-index"

    async def connect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as connected, or extend its deadline (the sentinel's heartbeat).

        True when this made the user go from offline to online (the contract: PresenceTracker).
        """
        now = time.time()
        keys = [f"{self._ONLINE}{int(user_id)}", self._INDEX]
        args = [tab_token, int(user_id), now, now + TAB_TTL_SECONDS]
        return bool(await self._script(_CONNECT)(keys=keys, args=args))

    async def disconnect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as gone; True when it was the user's last tab."""
        keys = [f"{self._ONLINE}{int(user_id)}", self._INDEX]
        args = [tab_token, int(user_id), time.time()]
        return bool(await self._script(_DISCONNECT)(keys=keys, args=args))

    async def online_among(self, user_ids: list[int]) -> set[int]:
        """Which of these users have a tab whose heartbeat is current (one round trip).

        Args:
            user_ids: The users (a page's friends).

        Returns:
            Those that are online.
        """
        now = time.time()
        async with self._client().pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zcount(f"{self._ONLINE}{int(user_id)}", now, "+inf")
            counts = await pipe.execute()
        return {user_id for user_id, count in zip(user_ids, counts, strict=True) if count}

    async def online_count(self) -> int:
        """How many users have a tab whose heartbeat is current.

        Read from the sweep index ("user|tab" → deadline): one round trip, bounded by the
        tabs connected now, never by the number of accounts.
        """
        members = await self._client().zrangebyscore(self._INDEX, time.time(), "+inf")
        return len({bytes(member).split(b"|", 1)[0] for member in members})

    async def expire(self) -> list[ExpiredTab]:
        """Drop tabs whose heartbeat stopped (their worker died).

        Returns:
            The dropped tabs, each reported by exactly one worker's sweep.
        """
        found = await self._script(_EXPIRE)(keys=[self._INDEX], args=[time.time(), self._ONLINE])
        expired = []
        for entry in cast("list[bytes]", found):
            user, offline, tab = entry.decode().split("|", 2)
            expired.append(ExpiredTab(int(user), tab, offline == "1"))
        return expired

    async def clear(self) -> None:
        """Forget everyone (tests only: scans the keys)."""
        redis = self._client()
        keys = [key async for key in redis.scan_iter(match=self._ONLINE + "*")]
        await redis.delete(self._INDEX, *keys)
