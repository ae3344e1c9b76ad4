"""Which browser tab belongs to which user and device session.

Reflex knows tabs (client tokens) but not users; this registry is filled by the on_load
handler of every page, which runs again after each reconnect. In the embedded profile it
lives in this process; with `REFLEX_REDIS_URL` it lives in Redis, so a message sent on
one worker finds the recipient's tabs connected to any other.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from chat_app.realtime import redis_link

# A registered tab is refreshed on every page load; an entry nobody refreshed for a day
# belongs to a tab that vanished with its worker and is dropped by Redis.
TAB_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TabEntry:
    """A connected tab: its Reflex client token and the hash of its login session."""

    tab_token: str
    session_hash: str


class TabRegistry(Protocol):
    """user id ↔ tabs."""

    async def register(self, user_id: int, tab_token: str, session_hash: str) -> None:
        """Record that a tab is logged in as a user (moving it if it was someone else's)."""
        ...

    async def unregister(self, tab_token: str) -> None:
        """Forget a tab (logged out or gone)."""
        ...

    async def stamp_of(self, tab_token: str) -> str | None:
        """The tab's current registration (new at every `register`), or None."""
        ...

    async def unregister_if(self, tab_token: str, stamp: str) -> bool:
        """Forget a tab only if it is still registered as `stamp` (an atomic step)."""
        ...

    async def user_of(self, tab_token: str) -> int | None:
        """The user a tab is logged in as, or None for an unknown or logged-out tab."""
        ...

    async def tabs_of(self, user_id: int) -> list[TabEntry]:
        """A snapshot of the tabs a user has registered."""
        ...

    async def tabs_of_each(self, user_ids: Sequence[int]) -> list[list[TabEntry]]:
        """A snapshot of the tabs each of these users has registered (one look-up for all)."""
        ...

    async def clear(self) -> None:
        """Forget every tab (tests start each case so)."""
        ...


async def tokens_of(registry: TabRegistry, user_id: int, excluding: str = "") -> list[str]:
    """The Reflex client tokens of a user's tabs, less one (usually the caller's own).

    Args:
        registry: Where tabs are registered.
        user_id: The user.
        excluding: A tab token to leave out (a tab never pushes to itself).

    Returns:
        A snapshot of the tokens.
    """
    return await tokens_of_users(registry, [user_id], excluding)


async def tokens_of_users(
    registry: TabRegistry, user_ids: Iterable[int], excluding: str = ""
) -> list[str]:
    """The Reflex client tokens of these users' tabs (each user once), less one.

    Looked up together: in Redis one round trip for all, where a look-up per user cost a
    group message one round trip per member before its first push was queued (a tenth of
    a push's CPU, `python -m tests.load.push_floor`).

    Args:
        registry: Where tabs are registered.
        user_ids: The users (a user named twice counts once).
        excluding: A tab token to leave out (a tab never pushes to itself).

    Returns:
        A snapshot of the tokens, user by user.
    """
    (tokens,) = await tokens_of_audiences(registry, [user_ids], excluding)
    return tokens


async def tokens_of_audiences(
    registry: TabRegistry, audiences: Sequence[Iterable[int]], excluding: str = ""
) -> list[list[str]]:
    """`tokens_of_users` for several audiences at once, in one look-up for all their users.

    A message goes to its recipients and, as a change of its own, to its sender's other
    tabs: one Redis round trip for both instead of one each.

    Args:
        registry: Where tabs are registered.
        audiences: Groups of users (a user may be in several).
        excluding: A tab token to leave out (a tab never pushes to itself).

    Returns:
        Each audience's tokens, in the order of `audiences`.
    """
    groups = [list(dict.fromkeys(user_ids)) for user_ids in audiences]
    users = list(dict.fromkeys(user for group in groups for user in group))
    tabs_by_user = dict(zip(users, await registry.tabs_of_each(users), strict=True))
    return [
        [
            entry.tab_token
            for user in group
            for entry in tabs_by_user[user]
            if entry.tab_token != excluding
        ]
        for group in groups
    ]


class LocalTabRegistry:
    """In-process registry (one worker). Every method runs on the event loop."""

    def __init__(self) -> None:
        self._tabs_by_user: dict[int, dict[str, str]] = {}
        self._user_by_tab: dict[str, int] = {}
        self._stamp_by_tab: dict[str, str] = {}
        self._stamps = itertools.count()

    async def register(self, user_id: int, tab_token: str, session_hash: str) -> None:
        """Record that a tab is logged in as a user.

        Args:
            user_id: The logged-in user.
            tab_token: The tab's Reflex client token.
            session_hash: The hash of the tab's session token.
        """
        self._remove(tab_token)
        self._tabs_by_user.setdefault(user_id, {})[tab_token] = session_hash
        self._user_by_tab[tab_token] = user_id
        self._stamp_by_tab[tab_token] = str(next(self._stamps))

    async def unregister(self, tab_token: str) -> None:
        """Forget a tab.

        Args:
            tab_token: The tab's Reflex client token.
        """
        self._remove(tab_token)

    async def stamp_of(self, tab_token: str) -> str | None:
        """The tab's current registration.

        Args:
            tab_token: The tab's Reflex client token.

        Returns:
            A stamp that changes with every registration, or None for an unknown tab.
        """
        return self._stamp_by_tab.get(tab_token)

    async def unregister_if(self, tab_token: str, stamp: str) -> bool:
        """Forget a tab only if nobody registered it again since `stamp` was read.

        Args:
            tab_token: The tab's Reflex client token.
            stamp: What `stamp_of` answered.

        Returns:
            True if the tab was forgotten.
        """
        if self._stamp_by_tab.get(tab_token) != stamp:
            return False
        self._remove(tab_token)
        return True

    async def user_of(self, tab_token: str) -> int | None:
        """The user a tab is logged in as.

        Args:
            tab_token: The tab's Reflex client token.

        Returns:
            The user id, or None.
        """
        return self._user_by_tab.get(tab_token)

    async def tabs_of(self, user_id: int) -> list[TabEntry]:
        """The tabs a user has registered.

        Args:
            user_id: The user.

        Returns:
            A snapshot of their tabs.
        """
        tabs = self._tabs_by_user.get(user_id, {})
        return [TabEntry(tab, session_hash) for tab, session_hash in tabs.items()]

    async def tabs_of_each(self, user_ids: Sequence[int]) -> list[list[TabEntry]]:
        """The tabs each of these users has registered.

        Args:
            user_ids: The users.

        Returns:
            A snapshot of each user's tabs, in the order of `user_ids`.
        """
        return [await self.tabs_of(user_id) for user_id in user_ids]

    async def clear(self) -> None:
        """Forget every tab."""
        self._tabs_by_user.clear()
        self._user_by_tab.clear()
        self._stamp_by_tab.clear()

    def _remove(self, tab_token: str) -> None:
        self._stamp_by_tab.pop(tab_token, None)
        user_id = self._user_by_tab.pop(tab_token, None)
        if user_id is None:
            return
        tabs = self._tabs_by_user.get(user_id, {})
        tabs.pop(tab_token, None)
        if not tabs:
            self._tabs_by_user.pop(user_id, None)


# KEYS: the tab's key; ARGV: tab token, user id, session hash, ttl, user-hash key prefix,
# a nonce (so each registration's value, its stamp, differs from every earlier one).
# Atomic, so a tab moving between users on two workers at once never ends up in both.
_REGISTER = """
local previous = redis.call('GET', KEYS[1])
if previous then
  local previous_user = string.match(previous, '^(%d+):')
  if previous_user and previous_user ~= ARGV[2] then
    redis.call('HDEL', ARGV[5] .. previous_user, ARGV[1])
  end
end
redis.call('SET', KEYS[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[6], 'EX', ARGV[4])
redis.call('HSET', ARGV[5] .. ARGV[2], ARGV[1], ARGV[3])
redis.call('EXPIRE', ARGV[5] .. ARGV[2], ARGV[4])
"""

# KEYS: the tab's key; ARGV: tab token, user-hash key prefix, and optionally the stamp
# (the key's value) the tab must still have: a compare-and-delete, so a registration
# made since the stamp was read survives.
_UNREGISTER = """
local previous = redis.call('GET', KEYS[1])
if not previous or (ARGV[3] and previous ~= ARGV[3]) then return 0 end
local previous_user = string.match(previous, '^(%d+):')
if previous_user then redis.call('HDEL', ARGV[2] .. previous_user, ARGV[1]) end
redis.call('DEL', KEYS[1])
return 1
"""


class RedisTabRegistry(redis_link.RedisUser):
    """The registry in Redis: `chat:tab:<token>` → "user:session:nonce", a hash per user."""

    _TAB = redis_link.KEY_PREFIX + "tab:"
    _USER_TABS = redis_link.KEY_PREFIX + "user-tabs:"

    async def register(self, user_id: int, tab_token: str, session_hash: str) -> None:
        """Record that a tab is logged in as a user.

        Args:
            user_id: The logged-in user.
            tab_token: The tab's Reflex client token.
            session_hash: The hash of the tab's session token.
        """
        nonce = secrets.token_hex(8)
        args = [tab_token, int(user_id), session_hash, TAB_TTL_SECONDS, self._USER_TABS, nonce]
        await self._script(_REGISTER)(keys=[self._TAB + tab_token], args=args)

    async def unregister(self, tab_token: str) -> None:
        """Forget a tab.

        Args:
            tab_token: The tab's Reflex client token.
        """
        await self._script(_UNREGISTER)(
            keys=[self._TAB + tab_token], args=[tab_token, self._USER_TABS]
        )

    async def stamp_of(self, tab_token: str) -> str | None:
        """The tab's current registration.

        Args:
            tab_token: The tab's Reflex client token.

        Returns:
            Its key's value (a fresh nonce at every registration), or None.
        """
        value = await self._client().get(self._TAB + tab_token)
        return value.decode() if value else None

    async def unregister_if(self, tab_token: str, stamp: str) -> bool:
        """Forget a tab only if nobody registered it again since `stamp` was read.

        Args:
            tab_token: The tab's Reflex client token.
            stamp: What `stamp_of` answered.

        Returns:
            True if the tab was forgotten.
        """
        removed = await self._script(_UNREGISTER)(
            keys=[self._TAB + tab_token], args=[tab_token, self._USER_TABS, stamp]
        )
        return bool(removed)

    async def user_of(self, tab_token: str) -> int | None:
        """The user a tab is logged in as.

        Args:
            tab_token: The tab's Reflex client token.

        Returns:
            The user id, or None.
        """
        value = await self._client().get(self._TAB + tab_token)
        if not value:
            return None
        return int(value.split(b":", 1)[0])

    async def tabs_of(self, user_id: int) -> list[TabEntry]:
        """The tabs a user has registered, on any worker.

        Args:
            user_id: The user.

        Returns:
            A snapshot of their tabs.
        """
        key = f"{self._USER_TABS}{int(user_id)}"
        tabs = cast("dict[bytes, bytes]", await self._client().hgetall(key))  # type: ignore[misc]
        return _entries([tabs])

    async def tabs_of_each(self, user_ids: Sequence[int]) -> list[list[TabEntry]]:
        """The tabs each of these users has registered, on any worker, in one round trip.

        Args:
            user_ids: The users.

        Returns:
            A snapshot of each user's tabs, in the order of `user_ids`.
        """
        if len(user_ids) <= 1:
            # A pipeline costs more than the plain command for a single user.
            return [await self.tabs_of(user_ids[0])] if user_ids else []
        pipeline = self._client().pipeline(transaction=False)
        for user_id in user_ids:
            pipeline.hgetall(f"{self._USER_TABS}{int(user_id)}")
        hashes = cast("list[dict[bytes, bytes]]", await pipeline.execute())
        return [_entries([tabs]) for tabs in hashes]

    async def clear(self) -> None:
        """Forget every tab (tests only: scans the keys)."""
        redis = self._client()
        for prefix in (self._TAB, self._USER_TABS):
            keys = [key async for key in redis.scan_iter(match=prefix + "*")]
            if keys:
                await redis.delete(*keys)


def _entries(hashes: list[dict[bytes, bytes]]) -> list[TabEntry]:
    """Registry entries from the users' hashes (tab token → session hash), in order."""
    return [
        TabEntry(tab.decode(), session.decode()) for tabs in hashes for tab, session in tabs.items()
    ]
