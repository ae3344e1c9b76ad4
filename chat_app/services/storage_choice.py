"""Which file store this process uses: the Azure container when configured, else a folder."""

from __future__ import annotations

from functools import cache

from chat_app.services.storage import FileStorage, LocalFileStorage
from chat_app.settings import SETTINGS, Settings


@cache
def _blob_storage(connection_string: str, container: str) -> FileStorage:
    """One client per account and container, shared by every request of the process."""
    # Imported here: the Azure SDK adds 0.15 s to the start of a process that never uses it.
    from chat_app.services.blob_storage import AzureBlobStorage

    return AzureBlobStorage(connection_string, container)


def default_storage(settings: Settings = SETTINGS) -> FileStorage:
    """The configured file store: the Azure container, else a folder under the data root.

    Args:
        settings: The Azure connection string and container, and the data root.

    Returns:
        The store.
    """
    if settings.azure_connection_string:
        return _blob_storage(settings.azure_connection_string, settings.azure_container)
    return LocalFileStorage(settings.data_dir / "private")
