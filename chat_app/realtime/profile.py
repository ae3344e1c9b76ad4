"""The composition root: the same code runs in two profiles, chosen here and nowhere else.

- **Embedded** (the default): one process. Tabs and presence are tracked in memory, files
  live in a folder under the data root, and SQLite queries run inline on the event loop
  (a query takes well under a millisecond, less than handing it to a thread and waking the
  loop again: the benchmark measured ~10 % of the server's CPU per message in that hand-off).
- **Scaled**: several workers. `REFLEX_REDIS_URL` puts the tab registry, presence and the
  tab that plays each user's sound in Redis (a message sent on one worker finds the
  recipient's tabs on any other), an Azure connection string puts files in a blob
  container, and a network database (PostgreSQL) runs every query on a worker thread,
  keeping the event loop free while it waits.

Everything else reads `PROFILE`'s members at call time, so tests may swap one member.
Services never import this module: callers hand them `PROFILE.storage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

from chat_app.realtime import redis_link
from chat_app.realtime.chime_seats import ChimeSeats, LocalChimeSeats, RedisChimeSeats
from chat_app.realtime.presence import LocalPresenceTracker, PresenceTracker, RedisPresenceTracker
from chat_app.realtime.registry import LocalTabRegistry, RedisTabRegistry, TabRegistry
from chat_app.services.storage import FileStorage, LocalFileStorage
from chat_app.settings import SETTINGS, Settings


@dataclass
class Profile:
    """What differs between the embedded and the scaled profile."""

    tab_registry: TabRegistry
    """Which tab belongs to which user: in memory, or in Redis."""
    presence_tracker: PresenceTracker
    """Who is online: in memory, or in Redis with heartbeats."""
    chime_seats: ChimeSeats
    """Which tab of each user plays the new-message sound: in memory, or in Redis."""
    storage: FileStorage
    """Where uploaded files live: a private folder, or an Azure blob container."""
    database_calls_inline: bool
    """Quick database calls run on the event loop (SQLite) rather than on a thread."""
    shared_by_workers: bool
    """Tabs and presence live in Redis, shared by every worker (so crashed workers' tabs
    expire by heartbeat and a sweep announces them offline)."""

    @property
    def shows_sending_before_store(self) -> bool:
        """Whether a slow send shows its "sending" bubble before the message is stored.

        Over a network database a store can wait (a busy server, a distant one), so a store
        still running after a moment sends the bubble in an update of its own
        (states/composer.py). Inline (SQLite) the handler holds the event loop until the
        store is done, so no update could leave before it.
        """
        return not self.database_calls_inline


@cache
def _blob_storage(connection_string: str, container: str) -> FileStorage:
    """One client per account and container, shared by every request of the process."""
    # Imported here: the Azure SDK adds 0.15 s to the start of a process that never uses it.
    from chat_app.services.blob_storage import AzureBlobStorage

    return AzureBlobStorage(connection_string, container)


def _storage(settings: Settings) -> FileStorage:
    """The Azure container when a connection string is set, else a folder under the data root."""
    if settings.azure_connection_string:
        return _blob_storage(settings.azure_connection_string, settings.azure_container)
    return LocalFileStorage(settings.data_dir / "private")


def choose(settings: Settings, redis_url: str) -> Profile:
    """Build the profile that the settings describe.

    Args:
        settings: The database URL, the Azure connection string and the data root.
        redis_url: Reflex's `REFLEX_REDIS_URL` ("" in the embedded profile).

    Returns:
        The profile: Redis-backed tabs and presence when `redis_url` is set, the Azure
        store when configured, database calls on a thread unless the database is SQLite;
        in-process, a folder and inline otherwise.
    """
    shared = bool(redis_url)
    return Profile(
        tab_registry=RedisTabRegistry() if shared else LocalTabRegistry(),
        presence_tracker=RedisPresenceTracker() if shared else LocalPresenceTracker(),
        chime_seats=RedisChimeSeats() if shared else LocalChimeSeats(),
        storage=_storage(settings),
        database_calls_inline=sa.make_url(settings.database_url).get_backend_name() == "sqlite",
        shared_by_workers=shared,
    )


PROFILE = choose(SETTINGS, redis_link.redis_url())
"""This process's profile."""
