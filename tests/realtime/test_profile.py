"""The composition root picks each profile's members from the settings, and they are used."""

from __future__ import annotations

import io
import threading
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

from chat_app.realtime.presence import LocalPresenceTracker, RedisPresenceTracker
from chat_app.realtime.profile import Profile, choose
from chat_app.realtime.registry import LocalTabRegistry, RedisTabRegistry
from chat_app.services.blob_storage import AzureBlobStorage
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from chat_app.states.service_call import call_service


def test_the_embedded_profile_is_in_process_local_and_inline(tmp_path: Path):
    chosen = choose(load_settings({"CHAT_DATA_DIR": str(tmp_path)}), redis_url="")

    assert isinstance(chosen.tab_registry, LocalTabRegistry)
    assert isinstance(chosen.presence_tracker, LocalPresenceTracker)
    assert isinstance(chosen.storage, LocalFileStorage)
    assert chosen.storage.root == tmp_path / "private"
    assert chosen.database_calls_inline
    assert not chosen.shared_by_workers
    assert not chosen.shows_sending_before_store


def test_the_scaled_profile_uses_redis_azure_and_threads(tmp_path: Path, azurite_engine: str):
    settings = load_settings(
        {
            "CHAT_DATA_DIR": str(tmp_path),
            "REFLEX_DB_URL": "postgresql+psycopg://chat@db.invalid/chat",
            "CHAT_AZURE_STORAGE_CONNECTION_STRING": azurite_engine,
            "CHAT_AZURE_CONTAINER": f"test-{uuid.uuid4().hex[:16]}",
        }
    )
    chosen = choose(settings, redis_url="redis://redis.invalid:6379/0")

    assert isinstance(chosen.tab_registry, RedisTabRegistry)
    assert isinstance(chosen.presence_tracker, RedisPresenceTracker)
    assert isinstance(chosen.storage, AzureBlobStorage)
    assert not chosen.database_calls_inline
    assert chosen.shared_by_workers
    assert chosen.shows_sending_before_store
    assert not (tmp_path / "private").exists()


def test_each_member_is_chosen_on_its_own(tmp_path: Path):
    """Redis without PostgreSQL (or the reverse) mixes the two profiles' members."""
    local_db = load_settings({"CHAT_DATA_DIR": str(tmp_path)})
    network_db = load_settings(
        {"CHAT_DATA_DIR": str(tmp_path), "REFLEX_DB_URL": "postgresql://chat@db.invalid/chat"}
    )

    with_redis = choose(local_db, redis_url="redis://redis.invalid:6379/0")
    assert isinstance(with_redis.tab_registry, RedisTabRegistry)
    assert with_redis.database_calls_inline
    assert isinstance(with_redis.storage, LocalFileStorage)

    with_postgres = choose(network_db, redis_url="")
    assert isinstance(with_postgres.tab_registry, LocalTabRegistry)
    assert not with_postgres.database_calls_inline


def test_the_blob_store_is_one_client_per_container(tmp_path: Path, azurite_engine: str):
    container = f"test-{uuid.uuid4().hex[:16]}"
    settings = load_settings(
        {
            "CHAT_DATA_DIR": str(tmp_path),
            "CHAT_AZURE_STORAGE_CONNECTION_STRING": azurite_engine,
            "CHAT_AZURE_CONTAINER": container,
        }
    )
    store = choose(settings, redis_url="").storage
    assert isinstance(store, AzureBlobStorage)
    assert choose(settings, redis_url="").storage is store  # one client per process
    assert store.client.container_name == container
    store.save("k", io.BytesIO(b"through the settings"))
    with store.open("k") as stream:
        assert stream.read() == b"through the settings"


def _thread_name(*, session: Session) -> str:
    return threading.current_thread().name


async def test_service_calls_run_inline_or_on_a_thread_as_the_profile_says(
    profile: Profile, engine
):
    here = threading.current_thread().name

    assert await call_service(_thread_name) == here

    profile.database_calls_inline = False
    assert await call_service(_thread_name) != here


def _driver_connection(*, session: Session) -> object:
    return session.connection().connection.dbapi_connection


async def test_inline_calls_keep_their_sqlite_connection_and_threaded_ones_use_the_pool(
    profile: Profile, engine
):
    checkouts: list[object] = []
    event.listen(engine, "checkout", lambda raw, *_: checkouts.append(raw))
    kept = await call_service(_driver_connection)
    assert await call_service(_driver_connection) is kept
    assert checkouts == [kept]  # taken from the pool once, then kept by the loop's thread

    profile.database_calls_inline = False
    await call_service(_driver_connection)
    assert len(checkouts) == 2  # a worker thread checks one out per call
