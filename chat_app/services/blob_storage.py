"""File contents in an Azure Blob Storage container (or Azurite, its local emulator).

Large files move in 4 MiB pieces both ways, so a 25 MB upload or download never sits
whole in memory. A block blob appears only when its upload is committed: a failed
`save` leaves the previous contents, or nothing.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import ContainerClient

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

PIECE = 4 * 1024 * 1024


def _checked(key: str) -> str:
    # The same rule as LocalFileStorage, so a key valid for one is valid for both.
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError("invalid storage key")
    return key


class _Pieces(io.RawIOBase):
    """A raw stream over an iterator of byte strings (the blob's download pieces)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._pending = memoryview(piece)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


class BlobReader(io.BufferedReader):
    """A blob being downloaded, read like a file; `size` is its length in bytes."""

    def __init__(self, pieces: Iterator[bytes], size: int) -> None:
        super().__init__(_Pieces(pieces))
        self.size = size


class AzureBlobStorage:
    """Files as block blobs in one container, created on the first save if missing.

    Args:
        connection_string: An Azure Storage connection string.
        container: The container's name.
    """

    def __init__(self, connection_string: str, container: str) -> None:
        self.client = ContainerClient.from_connection_string(
            connection_string,
            container,
            max_single_put_size=2 * PIECE,
            max_block_size=PIECE,
            max_single_get_size=PIECE,
            max_chunk_get_size=PIECE,
        )
        self._container_ready = False

    def _ensure_container(self) -> None:
        if self._container_ready:
            return
        with contextlib.suppress(ResourceExistsError):
            self.client.create_container()
        self._container_ready = True

    def save(self, key: str, source: BinaryIO) -> None:
        """Upload the stream to `key`, replacing any blob there, completely or not at all.

        Args:
            key: The storage key.
            source: A readable binary stream positioned at the start.
        """
        _checked(key)
        self._ensure_container()
        self.client.upload_blob(key, source, overwrite=True)

    def open(self, key: str) -> BinaryIO:
        """Start downloading a blob; later pieces are fetched as the stream is read.

        Args:
            key: The storage key.

        Returns:
            A `BlobReader`.

        Raises:
            FileNotFoundError: No such blob (or no container yet).
        """
        try:
            download = self.client.download_blob(_checked(key))
        except ResourceNotFoundError:
            raise FileNotFoundError(key) from None
        return BlobReader(download.chunks(), download.size)

    def delete(self, key: str) -> None:
        """Remove a blob (missing keys are ignored).

        Args:
            key: The storage key.
        """
        with contextlib.suppress(ResourceNotFoundError):
            self.client.delete_blob(_checked(key), delete_snapshots="include")

    def path(self, key: str) -> Path | None:
        """Blobs have no local path.

        Args:
            key: The storage key.

        Returns:
            None, always.
        """
        _checked(key)
        return None
