"""The private data folder: out of Reflex's served folder, moved there on upgrade.

The move must never lose a file: rerunnable, finishing what a crash left, safe with several
workers starting at once, and leaving blob-stored files alone.
"""

from __future__ import annotations

import dataclasses
import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from chat_app.services import data_folder, file_links
from chat_app.services.data_folder import (
    DataFolderError,
    check_not_served,
    move_legacy_data,
    prepare_data_folder,
)
from chat_app.settings import PROJECT_DIR, load_settings

KEY = b"k" * 32


def make_legacy(root: Path, count: int = 3) -> dict[str, bytes]:
    """An old installation: key and files in the upload folder, beside Reflex's .gitkeep."""
    legacy = root / "uploaded_files"
    (legacy / "private").mkdir(parents=True)
    (legacy / ".gitkeep").write_bytes(b"")
    (legacy / ".secret_key").write_bytes(KEY)
    contents = {f"{index:032x}": os.urandom(100 + index) for index in range(count)}
    for name, data in contents.items():
        (legacy / "private" / name).write_bytes(data)
    return contents


def private_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (folder / "private").iterdir()}


def assert_moved(root: Path, contents: dict[str, bytes]) -> None:
    legacy, data = root / "uploaded_files", root / "data"
    assert (data / ".secret_key").read_bytes() == KEY
    assert private_files(data) == contents
    assert sorted(path.name for path in legacy.iterdir()) == [".gitkeep"]


def test_the_default_data_folder_is_outside_reflex_s_served_upload_folder():
    settings = load_settings({})
    assert settings.data_dir == PROJECT_DIR / "data"
    assert settings.legacy_data_dir == PROJECT_DIR / "uploaded_files"
    check_not_served(settings.data_dir, [PROJECT_DIR / "uploaded_files"])
    assert load_settings({"CHAT_DATA_DIR": "/srv/x"}).legacy_data_dir is None


def test_a_data_folder_inside_a_served_folder_is_refused(tmp_path: Path):
    served = tmp_path / "uploaded_files"
    for inside in (served, served / "private", served / "a" / ".."):
        with pytest.raises(DataFolderError, match="CHAT_DATA_DIR"):
            check_not_served(inside, [served])
    check_not_served(tmp_path / "data", [served])


def test_key_and_files_move_and_links_keep_verifying(tmp_path: Path):
    contents = make_legacy(tmp_path)
    old = load_settings({"CHAT_DATA_DIR": str(tmp_path / "uploaded_files")})
    new = load_settings({"CHAT_DATA_DIR": str(tmp_path / "data")})
    key_before = file_links.signing_key(old)
    assert move_legacy_data(tmp_path / "uploaded_files", tmp_path / "data") == 4
    assert_moved(tmp_path, contents)
    # Links signed before the upgrade verify after it: the same key signs them.
    assert file_links.signing_key(new) == key_before == KEY


def test_a_rerun_changes_nothing(tmp_path: Path):
    contents = make_legacy(tmp_path)
    move_legacy_data(tmp_path / "uploaded_files", tmp_path / "data")
    assert move_legacy_data(tmp_path / "uploaded_files", tmp_path / "data") == 0
    assert_moved(tmp_path, contents)


def test_a_move_interrupted_half_way_is_finished(tmp_path: Path):
    contents = make_legacy(tmp_path, count=4)
    legacy, data = tmp_path / "uploaded_files", tmp_path / "data"
    names = sorted(contents)
    (data / "private").mkdir(parents=True)
    # The state a crash can leave: the key linked at both names; one file moved, one
    # linked but not yet unlinked, one half-copied to a temporary (cross-filesystem).
    os.link(legacy / ".secret_key", data / ".secret_key")
    os.replace(legacy / "private" / names[0], data / "private" / names[0])
    os.link(legacy / "private" / names[1], data / "private" / names[1])
    (data / "private" / ".moving-0123456789abcdef").write_bytes(contents[names[2]][:10])
    assert move_legacy_data(legacy, data) == 4
    assert_moved(tmp_path, contents)


def test_across_filesystems_files_are_copied_then_linked(tmp_path: Path, monkeypatch):
    contents = make_legacy(tmp_path)
    legacy = tmp_path / "uploaded_files"
    real_link = os.link

    def link(source, target):
        if Path(source).is_relative_to(legacy):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(source, target)

    monkeypatch.setattr(data_folder.os, "link", link)
    move_legacy_data(legacy, tmp_path / "data")
    assert_moved(tmp_path, contents)
    assert not list((tmp_path / "data").rglob(".moving-*"))


def test_a_clashing_name_keeps_both_files(tmp_path: Path):
    contents = make_legacy(tmp_path, count=1)
    name = next(iter(contents))
    data = tmp_path / "data"
    (data / "private").mkdir(parents=True)
    (data / "private" / name).write_bytes(b"other")
    (data / ".secret_key").write_bytes(b"n" * 32)
    move_legacy_data(tmp_path / "uploaded_files", data)
    # The file already in place stays; the old key wins (links already sent use it).
    assert (data / "private" / name).read_bytes() == b"other"
    [aside] = (data / "private").glob(f"{name}.conflict-*")
    assert aside.read_bytes() == contents[name]
    assert (data / ".secret_key").read_bytes() == KEY
    [old_new_key] = data.glob(".secret_key.conflict-*")
    assert old_new_key.read_bytes() == b"n" * 32


def _mover(legacy: str, data: str, barrier) -> None:
    barrier.wait()
    move_legacy_data(Path(legacy), Path(data))


def test_workers_starting_together_move_every_file_once(tmp_path: Path):
    contents = make_legacy(tmp_path, count=300)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)
    args = (str(tmp_path / "uploaded_files"), str(tmp_path / "data"), barrier)
    workers = [context.Process(target=_mover, args=args) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert_moved(tmp_path, contents)


def test_with_blob_storage_only_the_key_moves(tmp_path: Path):
    contents = make_legacy(tmp_path)
    settings = load_settings(
        {
            "CHAT_DATA_DIR": str(tmp_path / "data"),
            "CHAT_AZURE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true",
        }
    )
    settings = dataclasses.replace(settings, legacy_data_dir=tmp_path / "uploaded_files")
    assert prepare_data_folder(settings, served_dirs=[tmp_path / "uploaded_files"]) == 1
    assert (tmp_path / "data" / ".secret_key").read_bytes() == KEY
    assert private_files(tmp_path / "uploaded_files") == contents
    assert not (tmp_path / "data" / "private").exists()


def test_start_up_refuses_a_served_data_folder_before_moving_anything(tmp_path: Path):
    make_legacy(tmp_path)
    settings = load_settings({"CHAT_DATA_DIR": str(tmp_path / "uploaded_files" / "x")})
    with pytest.raises(DataFolderError):
        prepare_data_folder(settings, served_dirs=[tmp_path / "uploaded_files"])
