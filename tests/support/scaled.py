"""The environment of the scaled profile for a test backend: PostgreSQL, Redis, Azurite."""

from __future__ import annotations

import redis

from tests.support.engines import PostgresCluster, RedisServer


def scaled_environment(
    postgres: PostgresCluster,
    redis_server: RedisServer,
    blob_connection: str,
    *,
    redis_db: int,
    workers: int,
) -> dict[str, str]:
    """Variables that switch a backend to the scaled profile, on the given engines.

    Args:
        postgres: The cluster that gets a fresh database.
        redis_server: The Redis server.
        blob_connection: The Azurite connection string.
        redis_db: A Redis database number of its own (user ids of different test
            databases must not meet in one registry); it is emptied first.
        workers: How many backend workers Reflex starts.

    Returns:
        The variables.
    """
    redis_url = f"redis://127.0.0.1:{redis_server.port}/{redis_db}"
    redis.Redis.from_url(redis_url).flushdb()
    return {
        "REFLEX_DB_URL": postgres.create_database(),
        "REFLEX_REDIS_URL": redis_url,
        "WEB_CONCURRENCY": str(workers),
        "CHAT_AZURE_STORAGE_CONNECTION_STRING": blob_connection,
        "CHAT_AZURE_CONTAINER": f"files-{redis_db}-{redis_server.port}",
    }


def scaled_settings(request, redis_db: int, workers: int) -> dict[str, str]:
    """`scaled_environment` on the session's shared engines (fixtures of tests/conftest.py).

    Args:
        request: The pytest request, to reach the session's engine fixtures.
        redis_db: A Redis database number of its own.
        workers: How many backend workers Reflex starts.

    Returns:
        The variables.
    """
    return scaled_environment(
        request.getfixturevalue("postgres_engine"),
        request.getfixturevalue("redis_engine"),
        request.getfixturevalue("azurite_engine"),
        redis_db=redis_db,
        workers=workers,
    )
