"""The private data folder: kept out of every folder Reflex serves, moved there on upgrade.

Before this module the default data folder was Reflex's upload folder, which Reflex serves
to anyone at `<backend path>/_upload/`: the link-signing key and every chat file were one
URL away once a backend path was configured. The default is now `data/` beside it, and
`move_legacy_data` carries an existing installation's `.secret_key` and `private/` files
over, one file at a time:

- each file appears at its new name complete or not at all (a hard link on one
  filesystem; across filesystems a copy, fsynced, linked into place), and the old name is
  removed only after the new one is on disk: a crash at any point leaves every file at
  one of its names at least, and the next start finishes the job;
- a name that already exists is never overwritten (a different file moves to a
  `.conflict-` name beside it instead), so a rerun is harmless;
- an exclusive `fcntl` lock serialises several workers starting at once;
- with blob storage the files are not local: only the key moves.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from chat_app.settings import Settings

logger = logging.getLogger(__name__)

SECRET_KEY_NAME = ".secret_key"
PRIVATE_DIR_NAME = "private"
LOCK_NAME = ".move.lock"
# Our own half-copied files (a crash during a cross-filesystem copy); nothing else uses it.
TEMP_PREFIX = ".moving-"


class DataFolderError(RuntimeError):
    """The data folder is configured where Reflex would serve it."""


def check_not_served(data_dir: Path, served_dirs: list[Path]) -> None:
    """Refuse a data folder inside a folder that Reflex serves to anyone.

    Args:
        data_dir: The configured data folder.
        served_dirs: Folders served publicly (Reflex's upload folder).

    Raises:
        DataFolderError: `data_dir` is one of them or inside one.
    """
    data = data_dir.resolve()
    for served in served_dirs:
        if data.is_relative_to(served.resolve()):
            raise DataFolderError(
                f"CHAT_DATA_DIR {data} is inside {served.resolve()}, which Reflex serves to "
                "anyone at <backend path>/_upload/: the link-signing key and every chat file "
                "would be public. Unset CHAT_DATA_DIR (the default, data/, is private) or "
                "point it at a folder outside."
            )


@contextlib.contextmanager
def _exclusive_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory/.move.lock` (released if the process dies)."""
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_or_copy(source: Path, target: Path) -> None:
    """Give `source` the extra name `target`; raises FileExistsError if `target` exists."""
    try:
        os.link(source, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass  # Another filesystem (EXDEV) or no hard links there: copy instead.
    temporary = target.with_name(f"{TEMP_PREFIX}{secrets.token_hex(8)}")
    try:
        shutil.copy2(source, temporary)
        with temporary.open("rb+") as copied:
            os.fsync(copied.fileno())
        # link, not rename: rename would replace a target that appeared meanwhile.
        os.link(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _move_file(source: Path, target: Path, *, source_wins: bool = False) -> None:
    """Move one file without ever losing it.

    The target directory is fsynced before the source is unlinked, so after a power cut
    the file has its new name, its old one, or both (the next run removes the old one).
    When `target` already holds different contents, the loser of the two is kept beside
    it under a `.conflict-` name: the source loses, unless `source_wins`.
    """
    try:
        _link_or_copy(source, target)
    except FileExistsError:
        # A previous run got this far, or the name was taken by something else.
        if not (os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)):
            aside = target.with_name(f"{target.name}.conflict-{secrets.token_hex(4)}")
            if source_wins:
                incoming = target.with_name(f"{TEMP_PREFIX}{secrets.token_hex(8)}")
                _link_or_copy(source, incoming)
                os.link(target, aside)
                os.replace(incoming, target)
            else:
                _link_or_copy(source, aside)
            logger.warning(
                "%s and %s differed; the other one is kept as %s.", source, target, aside
            )
    _fsync_dir(target.parent)
    source.unlink()


def _clean_temporaries(directory: Path) -> None:
    """Remove half-copied files a crashed mover left (no other mover runs: we hold the lock)."""
    for leftover in directory.glob(f"{TEMP_PREFIX}*"):
        leftover.unlink(missing_ok=True)


def _move_tree(source_dir: Path, target_dir: Path) -> int:
    """Move every file under `source_dir` to the same relative path under `target_dir`."""
    moved = 0
    for root, directories, names in os.walk(source_dir, topdown=False):
        relative = Path(root).relative_to(source_dir)
        destination = target_dir / relative
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        _clean_temporaries(destination)
        for name in names:
            _move_file(Path(root) / name, destination / name)
            moved += 1
        for directory in directories:
            with contextlib.suppress(OSError):
                (Path(root) / directory).rmdir()
    with contextlib.suppress(OSError):
        source_dir.rmdir()
    return moved


def move_legacy_data(legacy_dir: Path, data_dir: Path, *, move_files: bool = True) -> int:
    """Move the old default folder's key and private files into the data folder.

    Safe to call at every start, from every worker at once: it waits for any other mover,
    then does whatever is left (usually nothing).

    Args:
        legacy_dir: The old default data folder (Reflex's upload folder).
        data_dir: The data folder in use now.
        move_files: False when files live in blob storage: only the key is local.

    Returns:
        How many files were moved.
    """
    key = legacy_dir / SECRET_KEY_NAME
    private = legacy_dir / PRIVATE_DIR_NAME
    if legacy_dir.resolve() == data_dir.resolve():
        return 0
    if not (key.exists() or (move_files and private.exists())):
        return 0
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    moved = 0
    with _exclusive_lock(data_dir):
        _clean_temporaries(data_dir)
        if key.exists():
            # The old key wins a clash: every link already sent was signed with it (a key
            # already here can only come from a process that ran before this move).
            _move_file(key, data_dir / SECRET_KEY_NAME, source_wins=True)
            moved += 1
        if move_files and private.is_dir():
            moved += _move_tree(private, data_dir / PRIVATE_DIR_NAME)
    if moved:
        logger.warning("Moved %d private file(s) from %s to %s.", moved, legacy_dir, data_dir)
    if not move_files and private.is_dir() and any(private.iterdir()):
        logger.warning(
            "%s holds files from before blob storage; they are not used, and this folder is "
            "publicly served by Reflex: move or delete them.",
            private,
        )
    return moved


def prepare_data_folder(settings: Settings, served_dirs: list[Path]) -> int:
    """At start-up: refuse a public data folder, then finish any move from the old default.

    Args:
        settings: The data folder, the old default (None when CHAT_DATA_DIR is set) and
            whether files live in blob storage.
        served_dirs: Folders Reflex serves to anyone.

    Returns:
        How many files were moved.
    """
    check_not_served(settings.data_dir, served_dirs)
    if settings.legacy_data_dir is None:
        return 0
    return move_legacy_data(
        settings.legacy_data_dir,
        settings.data_dir,
        move_files=not settings.azure_connection_string,
    )
