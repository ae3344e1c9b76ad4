"""The Azure Blob Storage settings: connection string and container name."""

from __future__ import annotations

import pytest

from chat_app.settings import SettingsError, load_settings


def test_the_defaults_keep_files_on_local_disk():
    settings = load_settings({})
    assert settings.azure_connection_string == ""
    assert settings.azure_container == "chat-files"


def test_both_are_read_from_the_environment():
    settings = load_settings(
        {
            "CHAT_AZURE_STORAGE_CONNECTION_STRING": " UseDevelopmentStorage=true ",
            "CHAT_AZURE_CONTAINER": "team-7-files",
        }
    )
    assert settings.azure_connection_string == "UseDevelopmentStorage=true"
    assert settings.azure_container == "team-7-files"


@pytest.mark.parametrize("name", ["abc", "a1-b2-c3", "x" * 63, "0-9"])
def test_legal_container_names(name: str):
    assert load_settings({"CHAT_AZURE_CONTAINER": name}).azure_container == name


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "x" * 64,
        "Files",
        "chat_files",
        "chat--files",
        "-files",
        "files-",
        "chat.files",
        "文件夹",
    ],
)
def test_illegal_container_names_name_the_variable(name: str):
    with pytest.raises(SettingsError, match="CHAT_AZURE_CONTAINER"):
        load_settings({"CHAT_AZURE_CONTAINER": name})


def test_the_public_address_must_be_an_http_address_without_query():
    assert load_settings({"CHAT_PUBLIC_URL": " https://chat.example.org/ "}).public_url == (
        "https://chat.example.org"
    )
    assert load_settings({}).public_url == ""
    for bad in ("chat.example.org", "ftp://x", "https://x/?a=1", "https://x/#f"):
        with pytest.raises(SettingsError):
            load_settings({"CHAT_PUBLIC_URL": bad})
