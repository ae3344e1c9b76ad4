"""Where file contents live: a small interface, and the local-folder implementation.

Keys are random; the folder is private (never under Reflex's public `/_upload`). A blob
store (Azure, S3) implements the same four methods.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol


class FileStorage(Protocol):
    """The operations the app needs from a file store."""

    def save(self, key: str, source: BinaryIO) -> None:
        """Store the stream under `key`, completely or not at all."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading."""
        ...

    def delete(self, key: str) -> None:
        """Remove a stored file (missing keys are ignored)."""
        ...

    def path(self, key: str) -> Path | None:
        """A local path for efficient serving, or None for remote stores."""
        ...


class LocalFileStorage:
    """Files in a private folder; each write goes to a temporary file, then is renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid storage key")
        return self.root / key

    def save(self, key: str, source: BinaryIO) -> None:
        """Copy the stream to `key`; a failure (disk full) leaves nothing behind.

        Args:
            key: The storage key.
            source: A readable binary stream positioned at the start.
        """
        target = self._path(key)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        """Open a stored file.

        Args:
            key: The storage key.

        Returns:
            A binary stream.
        """
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        """Remove a stored file.

        Args:
            key: The storage key.
        """
        self._path(key).unlink(missing_ok=True)

    def path(self, key: str) -> Path | None:
        """The file's path on this machine.

        Args:
            key: The storage key.

        Returns:
            The path.
        """
        return self._path(key)
