"""The file stores the download routes are tested on: a local folder and Azure Blob Storage."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from chat_app.services.blob_storage import AzureBlobStorage
from chat_app.services.storage import FileStorage, LocalFileStorage


@pytest.fixture(params=["local", "blob"])
def any_storage(request: pytest.FixtureRequest, tmp_path: Path) -> FileStorage:
    """Each store in turn (the blob one in a container of its own on Azurite)."""
    if request.param == "blob":
        container = f"files-{uuid.uuid4().hex[:16]}"
        return AzureBlobStorage(request.getfixturevalue("azurite_engine"), container)
    return LocalFileStorage(tmp_path / "private")
