"""The Azure Blob Storage file store, against Azurite (the official emulator)."""

from __future__ import annotations

import io
import os
import uuid

import pytest

from chat_app.services.blob_storage import PIECE, AzureBlobStorage, BlobReader


def new_container() -> str:
    return f"test-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def store(azurite_engine: str) -> AzureBlobStorage:
    return AzureBlobStorage(azurite_engine, new_container())


def read(store: AzureBlobStorage, key: str) -> bytes:
    with store.open(key) as stream:
        return stream.read()


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.4 a small file", os.urandom(2 * PIECE + 12345)],
    ids=["empty", "small", "several-pieces"],
)
def test_save_open_delete_round_trip(store: AzureBlobStorage, data: bytes):
    store.save("k1", io.BytesIO(data))
    assert store.path("k1") is None
    with store.open("k1") as stream:
        assert isinstance(stream, BlobReader)
        assert stream.size == len(data)
        head = stream.read(16)
        assert head + stream.read() == data
    store.delete("k1")
    with pytest.raises(FileNotFoundError):
        store.open("k1")


def test_odd_sized_reads_cross_piece_boundaries(store: AzureBlobStorage):
    data = os.urandom(PIECE + 1000)
    store.save("k", io.BytesIO(data))
    with store.open("k") as stream:
        parts = iter(lambda: stream.read(999_983), b"")
        assert b"".join(parts) == data


def test_save_replaces_the_contents(store: AzureBlobStorage):
    store.save("k", io.BytesIO(b"first version, the longer one"))
    store.save("k", io.BytesIO(b"second"))
    assert read(store, "k") == b"second"


class Failing(io.RawIOBase):
    """A non-seekable upload that breaks after `size` bytes (a dropped client)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            raise OSError("connection reset")
        count = min(len(buffer), self.left)
        buffer[:count] = b"x" * count
        self.left -= count
        return count


def test_a_failed_upload_leaves_the_previous_contents_or_nothing(store: AzureBlobStorage):
    store.save("old", io.BytesIO(b"kept"))
    # More than one block is staged before the failure; none is ever committed.
    for key in ("old", "new"):
        with pytest.raises(OSError, match="connection reset"):
            store.save(key, io.BufferedReader(Failing(2 * PIECE + 10)))
    assert read(store, "old") == b"kept"
    with pytest.raises(FileNotFoundError):
        store.open("new")


def test_missing_keys(store: AzureBlobStorage, azurite_engine: str):
    never_created = AzureBlobStorage(azurite_engine, new_container())
    for target in (store, never_created):
        with pytest.raises(FileNotFoundError):
            target.open("nothing-here")
        target.delete("nothing-here")
    assert not never_created.client.exists()


@pytest.mark.parametrize("key", ["", "a/b", "a\\b", ".hidden", "../up"])
def test_invalid_keys_are_refused(store: AzureBlobStorage, key: str):
    for call in (
        lambda: store.save(key, io.BytesIO(b"x")),
        lambda: store.open(key),
        lambda: store.delete(key),
        lambda: store.path(key),
    ):
        with pytest.raises(ValueError, match="invalid storage key"):
            call()


def test_the_container_is_created_on_first_save_and_reused(azurite_engine: str):
    name = new_container()
    first = AzureBlobStorage(azurite_engine, name)
    assert not first.client.exists()
    first.save("a", io.BytesIO(b"one"))
    assert first.client.exists()
    second = AzureBlobStorage(azurite_engine, name)  # the container exists already: fine
    second.save("b", io.BytesIO(b"two"))
    assert read(first, "b") == b"two"
    assert read(second, "a") == b"one"
