"""Azurite, Microsoft's Azure Storage emulator, on a free local port for the blob tests.

`make test` installs it under .tools with npm; this module only starts it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.engines import wait_for_port
from tests.support.live_app import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Its own npm prefix: `npm install --no-save` into a shared one removes what it did not install.
LOCAL_BINARY = PROJECT_DIR / ".tools" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's fixed development account (public, documented by Microsoft).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
START_TIMEOUT = 30.0


class AzuriteMissing(RuntimeError):
    """azurite-blob is neither under .tools nor on PATH."""


def azurite_binary() -> Path:
    """The azurite-blob executable.

    Raises:
        AzuriteMissing: It is not installed.
    """
    if LOCAL_BINARY.exists():
        return LOCAL_BINARY
    found = shutil.which("azurite-blob")
    if found:
        return Path(found)
    raise AzuriteMissing(
        "azurite-blob (the Azure Storage emulator) is not installed: run `make test`, "
        f"which installs it under {LOCAL_BINARY.parent}"
    )


@contextmanager
def run_azurite(tmp_dir: Path) -> Iterator[str]:
    """Run azurite-blob on a free port, its data and log in `tmp_dir`.

    Args:
        tmp_dir: An empty folder for the emulator's data.

    Yields:
        A connection string for the emulator's account.

    Raises:
        AzuriteMissing: It is not installed.
        RuntimeError: It exited or did not listen within START_TIMEOUT seconds.
    """
    binary = azurite_binary()
    port = free_port()
    log = tmp_dir / "azurite.log"
    command = [
        str(binary),
        *("--blobHost", "127.0.0.1", "--blobPort", str(port)),
        *("--location", str(tmp_dir / "data"), "--silent"),
        # Azurite refuses API versions newer than its own; the SDK is often ahead of it.
        "--skipApiVersionCheck",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port(port, START_TIMEOUT, process)
        except (RuntimeError, TimeoutError) as failure:
            raise RuntimeError(f"azurite-blob did not start ({failure}): {log}") from None
        yield (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def azurite_for_tests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The body of a session fixture: the emulator, or a failed test saying what to run.

    Args:
        tmp_path_factory: Pytest's temporary folders.

    Yields:
        A connection string for the emulator's account.
    """
    try:
        azurite_binary()
        problem = ""
    except AzuriteMissing as missing:
        problem = str(missing)
    if problem:
        pytest.fail(problem, pytrace=False)
    with run_azurite(tmp_path_factory.mktemp("azurite")) as connection_string:
        yield connection_string
